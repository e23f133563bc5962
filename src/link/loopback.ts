import type { Clock } from '../sim/clock.js';
import { NetDev } from './netdev.js';
import { RxQueue } from './rx-queue.js';

/** `lo`: what it transmits it receives, on the next event (like netif_rx to the backlog). */
export class LoopbackDev extends NetDev {
  readonly kind = 'loopback' as const;
  private readonly q: RxQueue;
  constructor(index: number, clock: Clock) {
    super('lo', index, 0, clock);
    this.mtu = 65536;
    this.q = new RxQueue(clock, this);
  }
  xmit(frame: Uint8Array): void {
    this.countTx(frame);
    this.q.push(frame, this.clock.now());
  }
}
