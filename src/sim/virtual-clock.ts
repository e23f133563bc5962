import { type Clock, type Timer, sleepOn } from './clock.js';

/** Fixed epoch for virtual wall time: deterministic "Created" stamps. 2025-06-02T09:00:00Z. */
const VIRTUAL_EPOCH = Date.UTC(2025, 5, 2, 9, 0, 0);

class VTimer implements Timer {
  expires = 0;
  armed = false;
  /** Time of the heap entry that represents this timer, or -1 if none is in the heap. */
  queuedAt = -1;
  constructor(readonly clock: VirtualClock, readonly fn: () => void) {}
  arm(delayMs: number): void {
    this.clock.armTimer(this, delayMs < 0 ? 0 : delayMs);
  }
  cancel(): void {
    this.armed = false;
  }
}

/**
 * Discrete-event clock. A binary min-heap of (time, seq) keeps order deterministic for equal
 * times (FIFO by scheduling order). Timers are re-armable without heap churn: moving a timer
 * later leaves its heap entry in place and re-queues it when that entry pops.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private t = 0;
  private seq = 0;
  private heapTime: number[] = [];
  private heapSeq: number[] = [];
  private heapTimer: VTimer[] = [];
  private waiters = 0;
  private driving = false;
  private wake: (() => void) | null = null;
  /** Events fired so far (for tests and benchmarks). */
  fired = 0;

  now(): number {
    return this.t;
  }
  epochMs(): number {
    return VIRTUAL_EPOCH + this.t;
  }
  timer(fn: () => void): Timer {
    return new VTimer(this, fn);
  }
  after(delayMs: number, fn: () => void): Timer {
    const t = new VTimer(this, fn);
    t.arm(delayMs);
    return t;
  }
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }
  yieldToHost(): Promise<void> {
    return new Promise((r) => setImmediate(r));
  }

  /** @internal */
  armTimer(tm: VTimer, delay: number): void {
    const at = this.t + delay;
    tm.expires = at;
    tm.armed = true;
    // An entry at or before `at` already exists: it will re-queue the timer when it pops.
    if (tm.queuedAt >= 0 && tm.queuedAt <= at) return;
    this.push(at, tm);
    this.kick();
  }

  private push(at: number, tm: VTimer): void {
    tm.queuedAt = at;
    const ht = this.heapTime, hs = this.heapSeq, hm = this.heapTimer;
    const s = this.seq++;
    let i = ht.length;
    ht.push(at); hs.push(s); hm.push(tm);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (ht[p]! < at || (ht[p] === at && hs[p]! < s)) break;
      ht[i] = ht[p]!; hs[i] = hs[p]!; hm[i] = hm[p]!;
      i = p;
    }
    ht[i] = at; hs[i] = s; hm[i] = tm;
  }

  private pop(): VTimer {
    const ht = this.heapTime, hs = this.heapSeq, hm = this.heapTimer;
    const top = hm[0]!;
    const lt = ht.pop()!, ls = hs.pop()!, lm = hm.pop()!;
    const n = ht.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (r < n && (ht[r]! < ht[c]! || (ht[r] === ht[c] && hs[r]! < hs[c]!))) c = r;
        if (lt < ht[c]! || (lt === ht[c] && ls < hs[c]!)) break;
        ht[i] = ht[c]!; hs[i] = hs[c]!; hm[i] = hm[c]!;
        i = c;
      }
      ht[i] = lt; hs[i] = ls; hm[i] = lm;
    }
    return top;
  }

  /** Pending heap entries (including stale ones). */
  get pending(): number {
    return this.heapTime.length;
  }

  /** Fire the next event due at or before `limit`; false if there is none. */
  step(limit = Infinity): boolean {
    while (this.heapTime.length > 0) {
      const at = this.heapTime[0]!;
      if (at > limit) return false;
      const tm = this.pop();
      if (tm.queuedAt !== at) continue; // superseded entry
      tm.queuedAt = -1;
      if (!tm.armed) continue; // cancelled
      if (tm.expires > at) {
        // moved later while queued: queue again at its real time
        this.push(tm.expires, tm);
        continue;
      }
      if (at > this.t) this.t = at;
      tm.armed = false;
      this.fired++;
      tm.fn();
      return true;
    }
    return false;
  }

  /** Fire every event up to and including time `until` (synchronously; for benchmarks/tests). */
  advance(until: number): void {
    while (this.step(until));
    if (until > this.t) this.t = until;
  }

  async run<T>(p: Promise<T>): Promise<T> {
    this.waiters++;
    const done = p.then(
      () => this.settled(),
      () => this.settled(),
    );
    if (!this.driving) void this.pump();
    await done;
    return p;
  }

  private settled(): void {
    this.waiters--;
    this.kick();
  }

  private kick(): void {
    const w = this.wake;
    if (w) {
      this.wake = null;
      w();
    }
  }

  /**
   * Fire events one at a time, letting promise continuations run between them so that
   * programs observe time exactly as they would on a real clock. Runs while any run() waiter
   * is unsettled; when nothing is scheduled it sleeps until something is (e.g. real I/O).
   */
  private async pump(): Promise<void> {
    this.driving = true;
    try {
      for (;;) {
        await turn();
        if (this.waiters === 0) return;
        if (!this.step()) {
          await new Promise<void>((r) => (this.wake = r));
        }
      }
    } finally {
      this.driving = false;
    }
  }

  dispose(): void {
    for (const tm of this.heapTimer) tm.armed = false;
    this.heapTime.length = 0;
    this.heapSeq.length = 0;
    this.heapTimer.length = 0;
  }
}

function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
