import type { Clock } from '../sim/clock.js';
import { NetDev } from './netdev.js';
import { deliveryQueue, type DeliveryQueue } from './delivery.js';

/** `lo`: what it transmits it receives, on the next event (like netif_rx to the backlog). */
export class LoopbackDev extends NetDev {
  readonly kind = 'loopback' as const;
  private readonly q: DeliveryQueue;
  constructor(index: number, clock: Clock) {
    super('lo', index, 0, clock);
    this.mtu = 65536;
    this.q = deliveryQueue(clock, 0);
  }
  xmit(frame: Uint8Array): void {
    this.countTx(frame);
    this.q.push(this, frame);
  }
}
