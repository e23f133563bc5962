import type { Clock, Timer } from '../sim/clock.js';
import type { NetDev } from './netdev.js';

/**
 * Frames in flight over every link of one latency class, delivered in FIFO order at their due
 * times. Every push is due at `now + delay` with the same `delay`, so the queue is always
 * sorted by due time: one timer serves all links of the class, and a burst costs one event
 * (like a NAPI poll draining a backlog), whatever the number of ports. It also breaks call
 * re-entrancy between namespaces: a reply is never sent from inside the sender's transmit.
 */
export class DeliveryQueue {
  private devs: NetDev[] = [];
  private frames: Uint8Array[] = [];
  /** Batches: frames pushed at the same instant share one due time. */
  private batchDue: number[] = [];
  private batchEnd: number[] = [];
  private batch = 0;
  private head = 0;
  private lastPushAt = -1;
  private readonly timer: Timer;

  constructor(private readonly clock: Clock, readonly delayMs: number) {
    this.timer = clock.timer(() => this.drain());
  }

  get length(): number {
    return this.frames.length - this.head;
  }

  push(dev: NetDev, frame: Uint8Array): void {
    const now = this.clock.now();
    const n = this.frames.push(frame);
    this.devs.push(dev);
    if (now === this.lastPushAt) {
      this.batchEnd[this.batchEnd.length - 1] = n;
      return;
    }
    this.lastPushAt = now;
    this.batchDue.push(now + this.delayMs);
    this.batchEnd.push(n);
    if (!this.timer.armed) this.timer.arm(this.delayMs);
  }

  private drain(): void {
    const now = this.clock.now();
    const devs = this.devs, frames = this.frames, due = this.batchDue, ends = this.batchEnd;
    // Frames pushed while draining that are already due (zero-delay links) join this pass.
    while (this.batch < due.length && due[this.batch]! <= now) {
      const end = ends[this.batch]!;
      if (this.batch === ends.length - 1) this.lastPushAt = -1; // close the batch being drained
      let i = this.head;
      while (i < ends[this.batch]!) {
        const d = devs[i]!;
        const f = frames[i]!;
        this.head = ++i;
        d.receive(f);
      }
      void end;
      this.batch++;
    }
    if (this.batch === due.length) {
      devs.length = 0;
      frames.length = 0;
      due.length = 0;
      ends.length = 0;
      this.batch = 0;
      this.head = 0;
      this.lastPushAt = -1;
      return;
    }
    if (this.head > 4096) {
      const h = this.head;
      this.devs = devs.slice(h);
      this.frames = frames.slice(h);
      this.batchDue = due.slice(this.batch);
      this.batchEnd = ends.slice(this.batch).map((e) => e - h);
      this.batch = 0;
      this.head = 0;
    }
    this.timer.arm(this.batchDue[this.batch]! - now);
  }

  /** Forget frames headed to `dev` (it is being removed). */
  purge(dev: NetDev): void {
    for (let i = this.head; i < this.devs.length; i++) {
      if (this.devs[i] === dev) {
        this.frames[i] = EMPTY;
        this.devs[i] = DROP;
      }
    }
  }
}

const EMPTY = new Uint8Array(0);
/** Stand-in device for purged entries: swallows the frame. */
const DROP = { receive() {} } as unknown as NetDev;

const queues = new WeakMap<Clock, Map<number, DeliveryQueue>>();

/** The shared queue of a clock for links of latency `delayMs`. */
export function deliveryQueue(clock: Clock, delayMs: number): DeliveryQueue {
  let m = queues.get(clock);
  if (!m) {
    m = new Map();
    queues.set(clock, m);
  }
  let q = m.get(delayMs);
  if (!q) {
    q = new DeliveryQueue(clock, delayMs);
    m.set(delayMs, q);
  }
  return q;
}
