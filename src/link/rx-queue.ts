import type { Clock, Timer } from '../sim/clock.js';
import type { NetDev } from './netdev.js';

/**
 * Frames in flight towards one device, delivered in FIFO order at their due times. One
 * timer per queue (not per frame): a burst costs one event, like a NAPI poll draining a
 * backlog. This also breaks call re-entrancy between namespaces: a reply is never sent
 * from inside the sender's transmit call.
 */
export class RxQueue {
  private frames: Uint8Array[] = [];
  private due: number[] = [];
  private head = 0;
  private readonly timer: Timer;

  constructor(private readonly clock: Clock, private readonly dev: NetDev) {
    this.timer = clock.timer(() => this.drain());
  }

  get length(): number {
    return this.frames.length - this.head;
  }

  push(frame: Uint8Array, at: number): void {
    this.frames.push(frame);
    this.due.push(at);
    if (!this.timer.armed) this.timer.arm(at - this.clock.now());
  }

  private drain(): void {
    const now = this.clock.now();
    const frames = this.frames, due = this.due, dev = this.dev;
    // Frames pushed while draining (at `now`) are delivered in this same pass.
    while (this.head < frames.length && due[this.head]! <= now) {
      const f = frames[this.head]!;
      frames[this.head] = EMPTY;
      this.head++;
      dev.receive(f);
    }
    if (this.head === frames.length) {
      frames.length = 0;
      due.length = 0;
      this.head = 0;
    } else {
      if (this.head > 1024) {
        this.frames = frames.slice(this.head);
        this.due = due.slice(this.head);
        this.head = 0;
      }
      this.timer.arm(this.due[this.head]! - now);
    }
  }

  clear(): void {
    this.frames.length = 0;
    this.due.length = 0;
    this.head = 0;
    this.timer.cancel();
  }
}

const EMPTY = new Uint8Array(0);
