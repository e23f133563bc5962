import type { Clock } from '../sim/clock.js';
import type { Prng } from '../sim/prng.js';
import type { NetDev } from '../link/netdev.js';
import { LoopbackDev } from '../link/loopback.js';
import { Hook, Verdict, type NfPacket, type PacketFilter } from '../netfilter/hook.js';
import { prefixMask, readU16, writeU16, IP_BROADCAST } from '../wire/addr.js';
import { adjust16 } from '../wire/checksum.js';
import { ETH_HLEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethType } from '../wire/ethernet.js';
import {
  ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, UNREACH_FRAG_NEEDED, UNREACH_NET, UNREACH_PROTOCOL, buildIcmpError,
} from '../wire/icmp.js';
import {
  IPV4_MIN_HLEN, IpError, PROTO_ICMP, ipDF, ipDst, ipFragOffset, ipHlen, ipMF, ipProto, ipSrc, ipTotalLen, ipTtl,
  validateIpv4, writeIpv4Header,
} from '../wire/ipv4.js';
import { MAC_BROADCAST, readMac, writeMac } from '../wire/mac.js';
import { newIcmpStats, newIpStats, type IcmpStats, type IpStats } from './counters.js';
import { Icmp } from './icmp.js';
import { EMSGSIZE, ENETUNREACH, type IpOutputOptions, type L4Host, type L4Protocol } from './l4.js';
import { Neighbours } from './neighbour.js';
import { RouteTable, type Route } from './route.js';
import { gsoSegment } from './gso.js';
import { fragment, Reassembler } from './fragment.js';
import { PROTO_TCP } from '../wire/ipv4.js';

export interface IfAddr {
  addr: number;
  prefixLen: number;
  brd: number;
  dev: NetDev;
}

const EPERM = 1;

/**
 * One network namespace: devices, addresses, routes, ARP, IPv4 input/forward/output with
 * netfilter at Linux's hook points, ICMP, and the transport protocols registered on it.
 */
export class Namespace implements L4Host {
  readonly devs: NetDev[] = [];
  readonly addrs: IfAddr[] = [];
  readonly routes = new RouteTable();
  readonly neigh: Neighbours;
  readonly icmp: Icmp;
  readonly stats: IpStats = newIpStats();
  readonly icmpStats: IcmpStats = newIcmpStats();
  readonly lo: LoopbackDev;
  private readonly reasm: Reassembler;
  /** net.ipv4.ip_forward */
  ipForward = false;
  /** iptables for this namespace, when installed. */
  nf: PacketFilter | null = null;
  private readonly protos: (L4Protocol | undefined)[] = new Array(256);
  private readonly local = new Map<number, IfAddr>();
  private ipId: number;
  private readonly input = (frame: Uint8Array, dev: NetDev): void => this.rxFrame(frame, dev);

  constructor(readonly name: string, readonly clock: Clock, readonly prng: Prng, loIndex = 1) {
    this.neigh = new Neighbours(this);
    this.icmp = new Icmp(this);
    this.ipId = prng.int(0, 0xffff);
    this.reasm = new Reassembler(clock, this.stats, (quote) => this.icmpError(quote, ETH_HLEN, ICMP_TIME_EXCEEDED, 1));
    this.lo = new LoopbackDev(loIndex, clock);
    this.addDev(this.lo);
    this.addAddress(this.lo, 0x7f000001, 8);
  }

  // ---- configuration -------------------------------------------------------------------

  addDev(dev: NetDev): void {
    dev.owner = this.name;
    if (dev.master === null) dev.rx = this.input;
    this.devs.push(dev);
    this.devs.sort((a, b) => a.index - b.index);
  }

  /** Take over a device's received frames (used when a bridge port leaves its bridge). */
  claim(dev: NetDev): void {
    dev.rx = this.input;
  }

  removeDev(dev: NetDev): void {
    const i = this.devs.indexOf(dev);
    if (i >= 0) this.devs.splice(i, 1);
    for (const a of this.addrs.filter((x) => x.dev === dev)) this.removeAddress(dev, a.addr, a.prefixLen);
    this.routes.remove((r) => r.dev === dev);
    this.neigh.flushDev(dev);
  }

  dev(name: string): NetDev | undefined {
    return this.devs.find((d) => d.name === name);
  }

  /** `ip addr add addr/len dev D` (+ its connected route, as the kernel adds it). */
  addAddress(dev: NetDev, addr: number, prefixLen: number): void {
    const mask = prefixMask(prefixLen);
    const brd = prefixLen >= 31 || dev.kind === 'loopback' ? 0 : ((addr & mask) | ~mask) >>> 0;
    const a: IfAddr = { addr, prefixLen, brd, dev };
    this.addrs.push(a);
    this.local.set(addr, a);
    if (dev !== this.lo) {
      this.routes.add({ dst: (addr & mask) >>> 0, prefixLen, gw: 0, dev, src: addr, metric: 0, proto: 'kernel', scope: 'link' });
    }
  }

  removeAddress(dev: NetDev, addr: number, prefixLen: number): void {
    const i = this.addrs.findIndex((a) => a.dev === dev && a.addr === addr);
    if (i < 0) return;
    this.addrs.splice(i, 1);
    this.local.delete(addr);
    const mask = prefixMask(prefixLen);
    this.routes.remove((r) => r.dev === dev && r.proto === 'kernel' && r.dst === ((addr & mask) >>> 0) && r.prefixLen === prefixLen);
  }

  addRoute(r: Omit<Route, 'metric' | 'proto' | 'scope' | 'src'> & Partial<Route>): void {
    this.routes.add({ metric: 0, proto: 'boot', scope: r.gw ? 'global' : 'link', src: 0, ...r });
  }

  addrsOf(dev: NetDev): IfAddr[] {
    return this.addrs.filter((a) => a.dev === dev);
  }

  // ---- L4Host -----------------------------------------------------------------------------

  registerProtocol(proto: number, p: L4Protocol): void {
    this.protos[proto] = p;
  }

  protocol(proto: number): L4Protocol | undefined {
    return this.protos[proto];
  }

  isLocalAddress(a: number): boolean {
    return this.local.has(a) || (a >>> 24 === 127 && this.lo.up);
  }

  /** Linux (arp_ignore=0) answers ARP for any local address, whatever the interface. */
  answersArpFor(a: number, _dev: NetDev): boolean {
    return this.local.has(a) && a >>> 24 !== 127;
  }

  routeSource(dst: number): number {
    // Linux sources loopback traffic from 127.0.0.1 (e.g. to 127.0.0.11), own addresses from themselves.
    if (dst >>> 24 === 127) return 0x7f000001;
    if (this.isLocalAddress(dst)) return dst;
    const r = this.routes.lookup(dst);
    if (r === null) return -1;
    return r.src || this.sourceFor(r.dev, r.gw || dst);
  }

  routeMtu(dst: number): number {
    if (this.isLocalAddress(dst)) return this.lo.mtu;
    return this.routes.lookup(dst)?.dev.mtu ?? 1500;
  }

  /** The address to use on `dev` towards `to`: one in the same subnet, else the first. */
  sourceFor(dev: NetDev, to: number): number {
    let first = -1;
    for (const a of this.addrs) {
      if (a.dev !== dev) continue;
      if (first < 0) first = a.addr;
      const m = prefixMask(a.prefixLen);
      if (((a.addr & m) >>> 0) === ((to & m) >>> 0)) return a.addr;
    }
    if (first >= 0) return first;
    // No address on that device: Linux picks a global address from another interface.
    const g = this.addrs.find((a) => a.dev !== this.lo);
    return g ? g.addr : 0;
  }

  interfaceAddress(ifname: string): number {
    const d = this.dev(ifname);
    if (!d) return -1;
    const a = this.addrs.find((x) => x.dev === d);
    return a ? a.addr : -1;
  }

  private isBroadcastFor(dst: number): boolean {
    if (dst === IP_BROADCAST) return true;
    for (const a of this.addrs) if (a.brd === dst && a.brd !== 0) return true;
    return false;
  }

  // ---- output -----------------------------------------------------------------------------

  ipOutput(proto: number, src: number, dst: number, l4: Uint8Array, opts?: IpOutputOptions): number {
    const frame = new Uint8Array(ETH_HLEN + IPV4_MIN_HLEN + l4.length);
    frame.set(l4, ETH_HLEN + IPV4_MIN_HLEN);
    return this.ipOutputFrame(proto, src, dst, frame, opts);
  }

  ipOutputFrame(proto: number, src: number, dst: number, frame: Uint8Array, opts?: IpOutputOptions): number {
    const local = this.isLocalAddress(dst);
    const bcast = !local && this.isBroadcastFor(dst);
    let route: Route | null = null;
    let dev: NetDev;
    if (local) dev = this.lo;
    else {
      route = this.routes.lookup(dst);
      if (route === null) {
        this.stats.OutNoRoutes++;
        return -ENETUNREACH;
      }
      dev = route.dev;
    }
    if (src === 0) src = local ? (dst >>> 24 === 127 ? 0x7f000001 : dst) : route!.src || this.sourceFor(dev, route!.gw || dst);
    const total = frame.length - ETH_HLEN;
    // TCP sizes segments to the MSS, or hands a GSO super-segment to a device that offloads
    // segmentation; a bigger one is refused and TCP falls back. Other datagrams over the MTU
    // are fragmented, DF clear (Linux's IP_PMTUDISC_WANT for ICMP and UDP sockets).
    if (total > 0xffff || (proto === PROTO_TCP && total > dev.mtu && total > dev.gsoMaxSize)) {
      this.stats.FragFails++;
      return -EMSGSIZE;
    }
    const df = total > dev.mtu && proto !== PROTO_TCP ? false : opts?.df ?? true;
    writeU16(frame, 12, ETHERTYPE_IPV4);
    this.ipId = (this.ipId + 1) & 0xffff;
    writeIpv4Header(frame, ETH_HLEN, {
      tos: opts?.tos ?? 0, totalLen: total, id: this.ipId, df, ttl: opts?.ttl ?? 64, proto, src, dst,
    });
    this.stats.OutRequests++;
    return this.localOut(frame, dev, route, bcast);
  }

  /** OUTPUT and POSTROUTING for a locally generated packet, then transmit. */
  private localOut(frame: Uint8Array, dev: NetDev, route: Route | null, bcast: boolean): number {
    const nf = this.nf;
    if (nf !== null) {
      const p: NfPacket = { buf: frame, off: ETH_HLEN, inIf: null, outIf: dev.name, ct: null };
      if (nf.run(Hook.OUTPUT, p) !== Verdict.ACCEPT) {
        this.stats.NfDrops++;
        return -EPERM;
      }
      if (p.buf !== frame) {
        // DNAT in OUTPUT: route again for the new destination.
        const nd = ipDst(p.buf, ETH_HLEN);
        if (nd !== ipDst(frame, ETH_HLEN)) {
          if (this.isLocalAddress(nd)) {
            dev = this.lo;
            route = null;
          } else {
            route = this.routes.lookup(nd);
            if (route === null) return -ENETUNREACH;
            dev = route.dev;
          }
          p.outIf = dev.name;
        }
        frame = p.buf;
      }
      if (nf.run(Hook.POSTROUTING, p) !== Verdict.ACCEPT) {
        this.stats.NfDrops++;
        return -EPERM;
      }
      frame = p.buf;
    }
    this.transmit(frame, dev, route, bcast);
    return 0;
  }

  /** Hand an IPv4 frame to a device: loopback, broadcast, or via ARP to the next hop. */
  private transmit(frame: Uint8Array, dev: NetDev, route: Route | null, bcast: boolean): void {
    const len = frame.length - ETH_HLEN;
    if (len > dev.mtu) {
      if (ipProto(frame, ETH_HLEN) === PROTO_TCP) {
        if (len > dev.gsoMaxSize) {
          // Software GSO: the device cannot carry this TCP super-segment whole.
          for (const seg of gsoSegment(frame, dev.mtu)) this.transmit(seg, dev, route, bcast);
          return;
        }
      } else if (ipDF(frame, ETH_HLEN)) {
        this.stats.FragFails++;
        return;
      } else {
        const frags = fragment(frame, dev.mtu);
        this.stats.FragOKs++;
        this.stats.FragCreates += frags.length;
        for (const f of frags) this.transmit(f, dev, route, bcast);
        return;
      }
    }
    if (dev.kind === 'loopback') {
      writeMac(frame, 0, 0);
      writeMac(frame, 6, 0);
      dev.xmit(frame);
      return;
    }
    const dst = ipDst(frame, ETH_HLEN);
    if (bcast || dst === IP_BROADCAST) {
      writeMac(frame, 0, MAC_BROADCAST);
      writeMac(frame, 6, dev.mac);
      dev.xmit(frame);
      return;
    }
    this.neigh.output(dev, route && route.gw ? route.gw : dst, frame);
  }

  // ---- input ------------------------------------------------------------------------------

  private rxFrame(frame: Uint8Array, dev: NetDev): void {
    if (frame.length < ETH_HLEN) {
      dev.stats.rxErrors++;
      return;
    }
    if (dev.kind !== 'loopback' && (frame[0]! & 1) === 0 && readMac(frame, 0) !== dev.mac) {
      this.stats.OtherHost++;
      return;
    }
    const type = ethType(frame);
    if (type === ETHERTYPE_IPV4) this.ipInput(frame, dev);
    else if (type === ETHERTYPE_ARP) {
      if (dev.kind !== 'loopback') this.neigh.arpInput(frame, dev);
    } else {
      this.stats.UnknownEtherType++;
      dev.stats.rxDropped++;
    }
  }

  private ipInput(frame: Uint8Array, dev: NetDev): void {
    const st = this.stats;
    st.InReceives++;
    const hl = validateIpv4(frame, ETH_HLEN, frame.length - ETH_HLEN);
    if (hl < 0) {
      if (hl === IpError.Checksum) st.InCsumErrors++;
      if (hl === IpError.Truncated || hl === IpError.TotalLength) st.InTruncatedPkts++;
      st.InHdrErrors++;
      return;
    }
    if (ipMF(frame, ETH_HLEN) || ipFragOffset(frame, ETH_HLEN) !== 0) {
      // Reassembled before PREROUTING, as Linux does with conntrack (nf_defrag_ipv4).
      const whole = this.reasm.add(frame);
      if (whole === null) return;
      frame = whole;
    }
    const nf = this.nf;
    let p: NfPacket | null = null;
    if (nf !== null) {
      p = { buf: frame, off: ETH_HLEN, inIf: dev.name, outIf: null, ct: null };
      if (nf.run(Hook.PREROUTING, p) !== Verdict.ACCEPT) {
        st.NfDrops++;
        return;
      }
      frame = p.buf;
    }
    const dst = ipDst(frame, ETH_HLEN);
    if (this.isLocalAddress(dst)) this.deliver(frame, dev, p, false);
    else if (this.isBroadcastFor(dst) || (frame[0]! & 1) !== 0) this.deliver(frame, dev, p, true);
    else if (this.ipForward) this.forward(frame, p);
    else st.InAddrErrors++;
  }

  private deliver(frame: Uint8Array, dev: NetDev, p: NfPacket | null, broadcast: boolean): void {
    const nf = this.nf;
    if (nf !== null && p !== null) {
      if (nf.run(Hook.INPUT, p) !== Verdict.ACCEPT) {
        this.stats.NfDrops++;
        return;
      }
      frame = p.buf;
    }
    this.stats.InDelivers++;
    const o = ETH_HLEN;
    const hl = ipHlen(frame, o);
    const l4Len = ipTotalLen(frame, o) - hl;
    const proto = ipProto(frame, o);
    const src = ipSrc(frame, o);
    const dst = ipDst(frame, o);
    if (proto === PROTO_ICMP) {
      this.icmp.input(frame, o, o + hl, l4Len, src, dst, broadcast);
      return;
    }
    const h = this.protos[proto];
    if (h === undefined) {
      this.stats.InUnknownProtos++;
      if (!broadcast) this.icmpError(frame, o, ICMP_DEST_UNREACH, UNREACH_PROTOCOL);
      return;
    }
    h.input(frame, o, o + hl, l4Len, src, dst, dev.index);
  }

  private forward(frame: Uint8Array, p: NfPacket | null): void {
    const o = ETH_HLEN;
    const dst = ipDst(frame, o);
    if (ipTtl(frame, o) <= 1) {
      this.icmpError(frame, o, ICMP_TIME_EXCEEDED, 0);
      return;
    }
    const route = this.routes.lookup(dst);
    if (route === null) {
      this.stats.OutNoRoutes++;
      this.icmpError(frame, o, ICMP_DEST_UNREACH, UNREACH_NET);
      return;
    }
    const out = route.dev;
    const total = ipTotalLen(frame, o);
    if (total > out.mtu && ipProto(frame, o) !== PROTO_TCP && ipDF(frame, o)) {
      // RFC 1191: the next-hop MTU rides in the low 16 bits of the ICMP header's second word.
      this.stats.FragFails++;
      this.icmpError(frame, o, ICMP_DEST_UNREACH, UNREACH_FRAG_NEEDED, out.mtu);
      return;
    }
    const nf = this.nf;
    if (nf !== null && p !== null) {
      p.outIf = out.name;
      if (nf.run(Hook.FORWARD, p) !== Verdict.ACCEPT) {
        this.stats.NfDrops++;
        return;
      }
    }
    // The received frame may be shared (bridge floods): rewrite a private copy.
    // Above V8's 64-byte on-heap limit a fresh ArrayBuffer per packet costs ~1 µs at 1.5 KB
    // (benchmarks/forward.ts), so larger copies are carved from Node's Buffer pool. Every byte is
    // overwritten; the plain Uint8Array view keeps `.slice()` a copy for whoever rewrites the
    // frame next (Buffer#slice would share memory).
    const n = o + total;
    const src = p !== null ? p.buf : frame;
    let copy: Uint8Array;
    if (n <= 64) copy = src.slice(0, n);
    else {
      const slab = Buffer.allocUnsafe(n);
      copy = new Uint8Array(slab.buffer, slab.byteOffset, n);
      copy.set(src.subarray(0, n));
    }
    const oldWord = readU16(copy, o + 8);
    copy[o + 8] = copy[o + 8]! - 1;
    writeU16(copy, o + 10, adjust16(readU16(copy, o + 10), oldWord, readU16(copy, o + 8)));
    this.stats.ForwDatagrams++;
    if (nf !== null && p !== null) {
      p.buf = copy;
      if (nf.run(Hook.POSTROUTING, p) !== Verdict.ACCEPT) {
        this.stats.NfDrops++;
        return;
      }
      this.transmit(p.buf, out, route, false);
      return;
    }
    this.transmit(copy, out, route, false);
  }

  /**
   * Send an ICMP error about the packet at `b[ipOff..]` to its source (RFC 1122 §3.2.2: never
   * about ICMP errors, broadcasts, non-first fragments, or to a non-unicast source).
   */
  icmpError(b: Uint8Array, ipOff: number, type: number, code: number, rest = 0): void {
    const src = ipSrc(b, ipOff);
    const dst = ipDst(b, ipOff);
    if (src === 0 || src === IP_BROADCAST || src >>> 28 === 14 || dst === IP_BROADCAST || this.isBroadcastFor(dst)) return;
    if (ipFragOffset(b, ipOff) !== 0) return;
    const hl = ipHlen(b, ipOff);
    if (ipProto(b, ipOff) === PROTO_ICMP) {
      const t = b[ipOff + hl];
      if (t !== 0 && t !== 8 && t !== 13 && t !== 14) return;
    }
    const total = Math.min(ipTotalLen(b, ipOff), b.length - ipOff);
    const msg = buildIcmpError(type, code, b, ipOff, hl, total, rest);
    this.icmpStats.OutMsgs++;
    if (type === ICMP_DEST_UNREACH) this.icmpStats.OutDestUnreachs++;
    if (type === ICMP_TIME_EXCEEDED) this.icmpStats.OutTimeExcds++;
    const from = this.isLocalAddress(dst) ? dst : this.routeSource(src);
    if (from < 0) return;
    this.ipOutput(PROTO_ICMP, from, src, msg, { tos: 0xc0, df: false });
  }

  dispose(): void {
    this.reasm.dispose();
    this.neigh.dispose();
    this.icmp.dispose();
  }
}
