import type { Clock } from '../sim/clock.js';
import type { Prng } from '../sim/prng.js';
import { NetDev } from './netdev.js';
import { Netem, type NetemOptions } from './netem.js';
import { deliveryQueue, type DeliveryQueue } from './delivery.js';

/**
 * Default one-way latency from a veth into a namespace: a few µs, as a Linux host shows
 * (a container-to-container ping sees a small non-zero RTT).
 */
export const DEFAULT_VETH_DELAY_MS = 0.02;

/** One end of a veth pair. What one end transmits, the other receives after `delayMs`. */
export class VethDev extends NetDev {
  /** 'ether' for a namespace's uplink that models a physical NIC (the host's eth0). */
  kind: 'veth' | 'ether' = 'veth';
  peer!: VethDev;
  netem: Netem | null = null;
  /** The shared in-flight queue of this link's latency class. */
  private q: DeliveryQueue;

  constructor(name: string, index: number, mac: number, clock: Clock) {
    super(name, index, mac, clock);
    this.q = deliveryQueue(clock, DEFAULT_VETH_DELAY_MS);
  }

  /** One-way latency of this end's transmissions. */
  get delayMs(): number {
    return this.q.delayMs;
  }
  set delayMs(ms: number) {
    this.q = deliveryQueue(this.clock, ms);
  }

  /** Drop frames in flight towards this end (it is being removed). */
  purgeInbound(): void {
    this.peer.q.purge(this);
  }

  /** A veth shows its peer (eth0@if5); an 'ether' uplink models a physical NIC and does not. */
  override peerIndex(): number | null {
    return this.kind === 'veth' ? this.peer.index : null;
  }

  xmit(frame: Uint8Array): void {
    if (!this.up || !this.peer.up) {
      this.stats.txDropped++;
      return;
    }
    this.countTx(frame);
    const ne = this.netem;
    if (ne === null) {
      // Into a bridge port, Linux bridges the frame in the same softirq pass (veth backlog →
      // br_handle_frame → br_forward): no timer between the hops. The latency is charged on
      // the leg into the receiving namespace. The bridge only ever queues frames onwards, so
      // this never re-enters the sender.
      if (this.peer.master !== null) this.peer.receive(frame);
      else this.q.push(this.peer, frame);
      return;
    }
    const now = this.clock.now();
    const d = ne.apply(frame, now, this.delayMs);
    if (d === null) {
      this.stats.txDropped++;
      return;
    }
    for (let i = 0; i < d.frames.length; i++) {
      const f = d.frames[i]!;
      const delay = d.delays[i]!;
      if (ne.simple && delay === this.delayMs) {
        this.q.push(this.peer, f);
      } else {
        // Per-frame events: jitter and reordering break FIFO order, as they do in netem.
        ne.enqueue();
        this.clock.after(delay, () => {
          ne.dequeue();
          this.peer.receive(f);
        });
      }
    }
  }

  setNetem(opts: NetemOptions | null, prng: Prng): void {
    this.netem = opts ? new Netem(opts, prng) : null;
  }
}

export function createVethPair(clock: Clock, a: { name: string; index: number; mac: number }, b: { name: string; index: number; mac: number }): [VethDev, VethDev] {
  const x = new VethDev(a.name, a.index, a.mac, clock);
  const y = new VethDev(b.name, b.index, b.mac, clock);
  x.peer = y;
  y.peer = x;
  return [x, y];
}
