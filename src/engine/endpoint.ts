import type { VethDev } from '../link/veth.js';
import { ipToString } from '../wire/addr.js';
import { macToString } from '../wire/mac.js';
import type { Container } from './container.js';
import type { Network } from './network.js';

/** A container's attachment to a network: its address, MAC and veth pair. */
export class Endpoint {
  inner: VethDev | null = null;
  outer: VethDev | null = null;
  constructor(
    readonly id: string,
    readonly network: Network,
    readonly container: Container,
    readonly ip: number,
    readonly mac: number,
    readonly prefixLen: number,
    readonly ifname: string,
    /** --network-alias / connect --alias (user values only, as API ≥ 1.45 shows them). */
    readonly aliases: string[],
    /** --ip given by the user (IPAMConfig). */
    readonly requestedIp: number | null,
  ) {}

  get ipString(): string {
    return ipToString(this.ip);
  }
  get macString(): string {
    return macToString(this.mac);
  }
  /** Names this endpoint answers to in the embedded DNS (reference §3.3). */
  dnsNames(): string[] {
    const c = this.container;
    const out = [c.name, ...this.aliases, c.id.slice(0, 12), c.hostname];
    return [...new Set(out)];
  }
}
