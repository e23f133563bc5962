/**
 * Time for everything in vnet. Times are milliseconds (float) since the clock started.
 * Nothing outside sim/ reads the wall clock or arms host timers: it asks a Clock.
 */
export interface Timer {
  /** (Re-)arm to fire `delayMs` from now. Re-arming an armed timer moves it. */
  arm(delayMs: number): void;
  cancel(): void;
  readonly armed: boolean;
  /** Absolute time it will fire at (only meaningful while armed). */
  readonly expires: number;
}

export interface Clock {
  readonly kind: 'virtual' | 'real';
  /** Milliseconds since the clock was created. */
  now(): number;
  /** Wall-clock epoch milliseconds for timestamps shown to users (virtual: a fixed epoch + now()). */
  epochMs(): number;
  /** A reusable timer: cheap to re-arm, which TCP's retransmit and delayed-ACK timers do constantly. */
  timer(fn: () => void): Timer;
  /** One-shot convenience over timer(). */
  after(delayMs: number, fn: () => void): Timer;
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
  /**
   * Resolve when `p` settles, advancing time as needed. Virtual clock: fires events until `p`
   * settles (as fast as the CPU allows). Real clock: simply awaits `p`.
   */
  run<T>(p: Promise<T>): Promise<T>;
  /** Next turn of the event loop, for code that must let I/O callbacks run (real sockets). */
  yieldToHost(): Promise<void>;
  /** Drop every pending timer (engine close). */
  dispose(): void;
}

export function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  (e as NodeJS.ErrnoException).code = 'ABORT_ERR';
  return e;
}

/** Shared implementation of sleep() in terms of timer(). */
export function sleepOn(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = clock.timer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = (): void => {
      t.cancel();
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    t.arm(delayMs);
  });
}
