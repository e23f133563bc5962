import { type Clock, type Timer, sleepOn } from './clock.js';

class RTimer implements Timer {
  expires = 0;
  private h: NodeJS.Timeout | null = null;
  constructor(readonly clock: RealClock, readonly fn: () => void) {}
  get armed(): boolean {
    return this.h !== null;
  }
  arm(delayMs: number): void {
    if (this.h) {
      clearTimeout(this.h);
      clearImmediate(this.h as unknown as NodeJS.Immediate);
    }
    this.expires = this.clock.now() + delayMs;
    const fire = (): void => {
      this.h = null;
      this.clock.live.delete(this);
      this.fn();
    };
    // Host timers have 1 ms granularity: sub-millisecond delays (link latencies) run on the
    // next turn instead of becoming a millisecond each.
    this.h = delayMs < 1 ? (setImmediate(fire) as unknown as NodeJS.Timeout) : setTimeout(fire, delayMs);
    this.clock.live.add(this);
  }
  cancel(): void {
    if (this.h) {
      clearTimeout(this.h);
      clearImmediate(this.h as unknown as NodeJS.Immediate);
    }
    this.h = null;
    this.clock.live.delete(this);
  }
}

/** Wall-clock time, for the interactive shell and for bridging to real sockets. */
export class RealClock implements Clock {
  readonly kind = 'real' as const;
  private readonly start = performance.now();
  /** @internal */ readonly live = new Set<RTimer>();
  now(): number {
    return performance.now() - this.start;
  }
  epochMs(): number {
    return Date.now();
  }
  timer(fn: () => void): Timer {
    return new RTimer(this, fn);
  }
  after(delayMs: number, fn: () => void): Timer {
    const t = new RTimer(this, fn);
    t.arm(delayMs);
    return t;
  }
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }
  run<T>(p: Promise<T>): Promise<T> {
    return p;
  }
  yieldToHost(): Promise<void> {
    return new Promise((r) => setImmediate(r));
  }
  dispose(): void {
    for (const t of [...this.live]) t.cancel();
  }
}
