/**
 * Test-only: two or more L4Hosts joined by an ideal IPv4 "wire" (real IPv4 headers, optional
 * delay/loss/reorder hooks), so transports can be tested before/without the full stack.
 */
import type { L4Host, L4Protocol, IpOutputOptions } from '../../src/stack/l4.js';
import { ENETUNREACH } from '../../src/stack/l4.js';
import type { Clock } from '../../src/sim/clock.js';
import { Prng } from '../../src/sim/prng.js';
import { IPV4_MIN_HLEN, ipProto, ipSrc, ipDst, writeIpv4Header, validateIpv4 } from '../../src/wire/ipv4.js';
import { buildIcmpError } from '../../src/wire/icmp.js';

export interface FakeWireOptions {
  delayMs?: number;
  /** Return false to drop the packet (called for every packet). */
  filter?: (pkt: Uint8Array) => boolean;
}

export class FakeWire {
  readonly hosts = new Map<number, FakeHost>();
  sent: Uint8Array[] = [];
  constructor(readonly clock: Clock, readonly opts: FakeWireOptions = {}) {}
  host(addr: number, seed = addr): FakeHost {
    const h = new FakeHost(this, addr, this.clock, new Prng(seed));
    this.hosts.set(addr, h);
    return h;
  }
  deliver(pkt: Uint8Array): void {
    this.sent.push(pkt);
    if (this.opts.filter && !this.opts.filter(pkt)) return;
    const dst = ipDst(pkt, 0);
    const h = this.hosts.get(dst);
    if (!h) return;
    const go = (): void => h.receive(pkt);
    if (this.opts.delayMs) this.clock.after(this.opts.delayMs, go);
    else go();
  }
}

export class FakeHost implements L4Host {
  private protos = new Map<number, L4Protocol>();
  private ipId = 1;
  constructor(readonly wire: FakeWire, readonly addr: number, readonly clock: Clock, readonly prng: Prng) {}
  registerProtocol(proto: number, p: L4Protocol): void {
    this.protos.set(proto, p);
  }
  ipOutput(proto: number, src: number, dst: number, l4: Uint8Array, opts?: IpOutputOptions): number {
    if (!this.wire.hosts.has(dst) && dst !== this.addr) return -ENETUNREACH;
    const pkt = new Uint8Array(IPV4_MIN_HLEN + l4.length);
    writeIpv4Header(pkt, 0, { totalLen: pkt.length, id: this.ipId++ & 0xffff, df: opts?.df ?? true, ttl: opts?.ttl ?? 64, proto, src, dst, tos: opts?.tos });
    pkt.set(l4, IPV4_MIN_HLEN);
    if (dst === this.addr) this.clock.after(0, () => this.receive(pkt));
    else this.wire.deliver(pkt);
    return 0;
  }
  routeSource(dst: number): number {
    return this.wire.hosts.has(dst) || dst === this.addr ? this.addr : -1;
  }
  routeMtu(): number {
    return 1500;
  }
  isLocalAddress(a: number): boolean {
    return a === this.addr;
  }
  icmpError(b: Uint8Array, ipOff: number, type: number, code: number): void {
    const hl = (b[ipOff]! & 15) * 4;
    const total = (b[ipOff + 2]! << 8) | b[ipOff + 3]!;
    const msg = buildIcmpError(type, code, b, ipOff, hl, total);
    this.ipOutput(1, this.addr, ipSrc(b, ipOff), msg);
  }
  receive(pkt: Uint8Array): void {
    const hl = validateIpv4(pkt, 0, pkt.length);
    if (hl < 0) return;
    const proto = ipProto(pkt, 0);
    if (proto === 1) {
      // ICMP errors go to the transport that sent the quoted datagram.
      const type = pkt[hl]!;
      if (type === 3 || type === 11) {
        const qOff = hl + 8;
        const qProto = pkt[qOff + 9]!;
        this.protos.get(qProto)?.icmpError?.(type, pkt[hl + 1]!, pkt, qOff, pkt.length - qOff, ipSrc(pkt, 0));
        return;
      }
    }
    this.protos.get(proto)?.input(pkt, 0, hl, pkt.length - hl, ipSrc(pkt, 0), ipDst(pkt, 0), 1);
  }
}
