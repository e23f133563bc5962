import type { Prng } from '../sim/prng.js';

/**
 * Link impairments in the spirit of Linux `tc qdisc netem`. Percentages are 0–100.
 * Applied on transmit of a veth end (egress), like netem on the device's root qdisc.
 */
export interface NetemOptions {
  /** One-way delay in ms. */
  delayMs?: number;
  /** Uniform jitter ± ms added to the delay (reorders frames, as netem does). */
  jitterMs?: number;
  loss?: number;
  duplicate?: number;
  /** Percentage of frames sent immediately (no delay), overtaking delayed ones. */
  reorder?: number;
  /** Percentage of frames with one random bit flipped. */
  corrupt?: number;
  /** Rate in bits per second (serialisation delay + queueing). */
  rateBps?: number;
  /** Queue limit in frames (netem default 1000); excess is dropped and counted. */
  limit?: number;
}

export interface NetemDecision {
  drop: boolean;
  frames: Uint8Array[];
  delays: number[];
}

/** Stateful netem for one direction of one link. */
export class Netem {
  private busyUntil = 0;
  private inQueue = 0;
  constructor(public opts: NetemOptions, private readonly prng: Prng) {}

  get simple(): boolean {
    const o = this.opts;
    return !o.jitterMs && !o.loss && !o.duplicate && !o.reorder && !o.corrupt && !o.rateBps;
  }

  /**
   * Decide the fate of one frame sent at `now`: returns the (possibly corrupted/duplicated)
   * copies and their delays, or null when dropped. `baseDelay` is the link's own latency.
   */
  apply(frame: Uint8Array, now: number, baseDelay: number): { frames: Uint8Array[]; delays: number[] } | null {
    const o = this.opts;
    const p = this.prng;
    if (o.limit !== undefined && this.inQueue >= o.limit) return null;
    if (o.loss && p.float() * 100 < o.loss) return null;
    let f = frame;
    if (o.corrupt && p.float() * 100 < o.corrupt && f.length > 0) {
      f = f.slice();
      const bit = p.int(0, f.length * 8 - 1);
      f[bit >> 3] ^= 1 << (bit & 7);
    }
    let delay = baseDelay + (o.delayMs ?? 0);
    if (o.jitterMs) delay += (p.float() * 2 - 1) * o.jitterMs;
    if (o.reorder && p.float() * 100 < o.reorder) delay = baseDelay;
    if (o.rateBps) {
      const start = Math.max(now, this.busyUntil);
      const tx = (f.length * 8 * 1000) / o.rateBps;
      this.busyUntil = start + tx;
      delay += this.busyUntil - now;
    }
    if (delay < 0) delay = 0;
    const frames = [f];
    const delays = [delay];
    if (o.duplicate && p.float() * 100 < o.duplicate) {
      frames.push(f);
      delays.push(delay);
    }
    return { frames, delays };
  }

  /** Track occupancy for `limit` (called when a frame is queued / leaves). */
  enqueue(): void {
    this.inQueue++;
  }
  dequeue(): void {
    this.inQueue--;
  }
}
