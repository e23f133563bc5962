/**
 * Test-only: a flat IPv4 LAN of L4Hosts that, unlike FakeWire, knows loopback (127/8 is local
 * to every host, so 127.0.0.11 works), a /24 subnet with directed and limited broadcast,
 * hosts that are "down" (silently drop), and a hook to mangle packets in flight.
 */
import type { L4Host, L4Protocol, IpOutputOptions } from '../../src/stack/l4.js';
import { ENETUNREACH } from '../../src/stack/l4.js';
import type { Clock } from '../../src/sim/clock.js';
import { Prng } from '../../src/sim/prng.js';
import { IPV4_MIN_HLEN, ipProto, ipSrc, ipDst, writeIpv4Header, validateIpv4 } from '../../src/wire/ipv4.js';
import { buildIcmpError } from '../../src/wire/icmp.js';
import { parseIp } from '../../src/wire/addr.js';

export class FakeLan {
  readonly hosts: LanHost[] = [];
  /** Return null to drop, or a (possibly modified) packet. */
  mangle: ((pkt: Uint8Array) => Uint8Array | null) | null = null;
  sent = 0;
  constructor(readonly clock: Clock, readonly delayMs = 0.01) {}

  host(addr: string, seed = 1): LanHost {
    const h = new LanHost(this, parseIp(addr), this.clock, new Prng(seed));
    this.hosts.push(h);
    return h;
  }

  byAddr(a: number): LanHost | undefined {
    return this.hosts.find((h) => h.addr === a);
  }

  transmit(from: LanHost, pkt: Uint8Array): void {
    this.sent++;
    const p = this.mangle ? this.mangle(pkt) : pkt;
    if (!p) return;
    const dst = ipDst(p, 0);
    const targets = isBroadcast(dst, from.addr) ? this.hosts.filter((h) => h !== from) : [this.byAddr(dst)].filter(Boolean);
    for (const h of targets as LanHost[]) {
      if (h.down) continue;
      this.clock.after(this.delayMs, () => h.receive(p));
    }
  }
}

function isBroadcast(dst: number, self: number): boolean {
  return dst === 0xffffffff || dst === ((self & 0xffffff00) | 0xff) >>> 0;
}

export class LanHost implements L4Host {
  private protos = new Map<number, L4Protocol>();
  private ipId = 1;
  down = false;
  /** Destinations (other than the /24 and loopback) that are routable but lead nowhere. */
  extraRoutes: number[] = [];
  constructor(readonly lan: FakeLan, readonly addr: number, readonly clock: Clock, readonly prng: Prng) {}

  registerProtocol(proto: number, p: L4Protocol): void {
    this.protos.set(proto, p);
  }
  ipOutput(proto: number, src: number, dst: number, l4: Uint8Array, opts?: IpOutputOptions): number {
    if (this.routeSource(dst) < 0) return -ENETUNREACH;
    const pkt = new Uint8Array(IPV4_MIN_HLEN + l4.length);
    writeIpv4Header(pkt, 0, { totalLen: pkt.length, id: this.ipId++ & 0xffff, df: opts?.df ?? true, ttl: opts?.ttl ?? 64, proto, src, dst, tos: opts?.tos });
    pkt.set(l4, IPV4_MIN_HLEN);
    if (this.isLocalAddress(dst)) this.clock.after(0.001, () => this.receive(pkt));
    else this.lan.transmit(this, pkt);
    return 0;
  }
  routeSource(dst: number): number {
    if (dst >>> 24 === 127) return dst;
    if ((dst & 0xffffff00) === (this.addr & 0xffffff00) || dst === 0xffffffff || this.lan.byAddr(dst) || this.extraRoutes.includes(dst)) return this.addr;
    return -1;
  }
  routeMtu(): number {
    return 1500;
  }
  isLocalAddress(a: number): boolean {
    return a === this.addr || a >>> 24 === 127;
  }
  icmpError(b: Uint8Array, ipOff: number, type: number, code: number): void {
    const hl = (b[ipOff]! & 15) * 4;
    const total = (b[ipOff + 2]! << 8) | b[ipOff + 3]!;
    const msg = buildIcmpError(type, code, b, ipOff, hl, total);
    const to = ipSrc(b, ipOff);
    this.ipOutput(1, this.isLocalAddress(to) ? to : this.addr, to, msg);
  }
  receive(pkt: Uint8Array): void {
    const hl = validateIpv4(pkt, 0, pkt.length);
    if (hl < 0) return;
    const proto = ipProto(pkt, 0);
    if (proto === 1) {
      const type = pkt[hl]!;
      if (type === 3 || type === 11) {
        const qOff = hl + 8;
        this.protos.get(pkt[qOff + 9]!)?.icmpError?.(type, pkt[hl + 1]!, pkt, qOff, pkt.length - qOff, ipSrc(pkt, 0));
      }
      return;
    }
    this.protos.get(proto)?.input(pkt, 0, hl, pkt.length - hl, ipSrc(pkt, 0), ipDst(pkt, 0), 1);
  }
}
