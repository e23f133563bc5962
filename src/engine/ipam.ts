import { inSubnet, ipToString, parseCidr, parseIp, prefixMask } from '../wire/addr.js';
import { DockerError } from './errors.js';

/** A pool of addresses for one network: network/broadcast reserved, lowest free first. */
export class AddressPool {
  readonly net: number;
  readonly mask: number;
  private readonly used = new Set<number>();
  /** --ip-range: container addresses come from here when set. */
  rangeNet: number;
  rangeLen: number;

  constructor(readonly subnet: number, readonly prefixLen: number, range?: [number, number]) {
    this.mask = prefixMask(prefixLen);
    this.net = (subnet & this.mask) >>> 0;
    this.rangeNet = range ? range[0] : this.net;
    this.rangeLen = range ? range[1] : prefixLen;
  }

  get broadcast(): number {
    return (this.net | ~this.mask) >>> 0;
  }

  contains(a: number): boolean {
    return inSubnet(a, this.net, this.prefixLen);
  }

  isUsed(a: number): boolean {
    return this.used.has(a);
  }

  reserve(a: number): void {
    this.used.add(a);
  }

  release(a: number): void {
    this.used.delete(a);
  }

  /** Lowest free address (Docker's bitmap SetAny with serial=false). */
  allocate(): number {
    const m = prefixMask(this.rangeLen);
    const start = (this.rangeNet & m) >>> 0;
    const end = (start | ~m) >>> 0;
    const size = this.prefixLen >= 31 ? 0 : 1;
    for (let a = start; a <= end; a++) {
      if (size && (a === this.net || a === this.broadcast)) continue;
      if (!this.used.has(a)) {
        this.used.add(a);
        return a;
      }
    }
    throw new DockerError(`no available IPv4 addresses on this network's address pools: ${this.toString()}`);
  }

  toString(): string {
    return `${ipToString(this.net)}/${this.prefixLen}`;
  }
}

/** Docker's local default address pools (reference §1.1): 172.17–31/16 then 192.168.x/20. */
export function defaultPools(): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 17; b <= 31; b++) out.push([parseIp(`172.${b}.0.0`), 16]);
  for (let c = 0; c < 256; c += 16) out.push([parseIp(`192.168.${c}.0`), 20]);
  return out;
}

export function overlaps(a: [number, number], b: [number, number]): boolean {
  const len = Math.min(a[1], b[1]);
  return inSubnet(a[0], b[0], len);
}

/** Parse --subnet, normalising; throws Docker's error for junk. */
export function parseSubnet(s: string): [number, number] {
  const c = parseCidr(s);
  if (!c) throw new DockerError(`invalid CIDR address: ${s}`);
  return [(c[0] & prefixMask(c[1])) >>> 0, c[1]];
}
