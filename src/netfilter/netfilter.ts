import { Hook, Verdict, type NetfilterHost, type NfPacket, type PacketFilter } from './hook.js';
import { Table, type TableName } from './table.js';
import type { Chain } from './chain.js';
import { TargetKind, type Rule } from './rule.js';
import { PacketInfo, ruleMatches } from './match.js';
import { Conntrack, CtTuple, ctStateOf, DIR_ORIGINAL, formatCtEntry, type CtEntry } from './conntrack.js';
import { isIcmpError, isIcmpQuery, rewriteIcmpError, rewritePacket } from './nat.js';
import { readU16, readU32 } from '../wire/addr.js';
import { PROTO_ICMP, PROTO_TCP, PROTO_UDP } from '../wire/ipv4.js';

/** walk() result when a chain ran out of rules or RETURNed. */
const FALLTHROUGH = -1;

/**
 * A namespace's netfilter: the filter and nat tables, conntrack, and NAT, run at the five hooks.
 *
 * Hook order (as Linux's priorities give it):
 *   PREROUTING:  conntrack → nat PREROUTING (first packet only) → DNAT / reverse-SNAT
 *   INPUT:       filter INPUT → nat INPUT (first packet only) → SNAT → confirm
 *   FORWARD:     filter FORWARD
 *   OUTPUT:      conntrack → nat OUTPUT (first packet only) → DNAT → filter OUTPUT
 *   POSTROUTING: nat POSTROUTING (first packet only) → SNAT / reverse-DNAT → confirm
 * After OUTPUT the destination may have changed (DNAT): the stack re-reads it from `p.buf`.
 */
export class Netfilter implements PacketFilter {
  readonly filter = new Table('filter');
  readonly nat = new Table('nat');
  readonly conntrack = new Conntrack();
  /** Conntrack runs once any rule needs it (a ctstate match or anything in the nat table), like a module load. */
  private ctOn = false;
  private readonly pk = new PacketInfo();
  /** The packet and connection under evaluation (for REJECT and NAT targets). */
  private cur: NfPacket | null = null;
  private curTuple: CtTuple | null = null;
  /** The buffer `pk` describes (NAT rewrites keep `pk` in step and update this). */
  private parsedBuf: Uint8Array | null = null;
  private parsedOff = 0;
  /** Connection of a packet being REJECTed, for the answer the host sends from inside reject(). */
  private rejectOf: CtTuple | null = null;

  constructor(readonly host: NetfilterHost) {}

  table(name: string): Table | undefined {
    return name === 'filter' ? this.filter : name === 'nat' ? this.nat : undefined;
  }

  tables(): Table[] {
    return [this.filter, this.nat];
  }

  /** `conntrack -L`-style lines for the live connections. */
  conntrackList(): string[] {
    const now = this.host.now();
    return this.conntrack.entries(now).map((e) => formatCtEntry(e, now));
  }

  /** Whether conntrack is active (rules needing it exist or existed). */
  get conntrackEnabled(): boolean {
    return this.ctOn;
  }

  /** Called after any rule change (the CLI does it): turns conntrack on when rules need it. */
  rulesChanged(): void {
    if (this.ctOn) return;
    if (this.nat.ruleCount() > 0) {
      this.ctOn = true;
      return;
    }
    for (const c of this.filter.chains.values()) {
      for (const r of c.rules) if (r.ctMask !== 0) this.ctOn = true;
    }
  }

  /** Force conntrack on (e.g. a host that does NAT through tools other than rules). */
  enableConntrack(): void {
    this.ctOn = true;
  }

  run(hook: Hook, p: NfPacket): Verdict {
    const f = this.filter.byHook[hook];
    if (!this.ctOn) {
      // Fast path: no conntrack; an empty filter chain only counts its policy.
      if (f === undefined) return Verdict.ACCEPT;
      if (f.rules.length === 0) {
        f.pkts++;
        f.bytes += readU16(p.buf, p.off + 2);
        return f.policy === 'ACCEPT' ? Verdict.ACCEPT : Verdict.DROP;
      }
      if (!this.parse(p)) return Verdict.ACCEPT;
      this.pk.ctState = 1;
      this.cur = p;
      return this.runChain(f, hook);
    }
    if (!this.parse(p)) return Verdict.ACCEPT;
    this.cur = p;
    const pk = this.pk;
    switch (hook) {
      case Hook.PREROUTING:
        this.ctIn(p);
        return this.natStep(hook, p, false);
      case Hook.OUTPUT: {
        this.ctIn(p);
        if (this.natStep(hook, p, false) === Verdict.DROP) return Verdict.DROP;
        return this.runChain(f!, hook);
      }
      case Hook.INPUT: {
        pk.ctState = ctStateOf(p.ct as CtTuple | null);
        if (this.runChain(f!, hook) === Verdict.DROP) return Verdict.DROP;
        if (this.natStep(hook, p, true) === Verdict.DROP) return Verdict.DROP;
        return this.confirm(p);
      }
      case Hook.FORWARD:
        pk.ctState = ctStateOf(p.ct as CtTuple | null);
        return this.runChain(f!, hook);
      case Hook.POSTROUTING: {
        pk.ctState = ctStateOf(p.ct as CtTuple | null);
        if (this.natStep(hook, p, true) === Verdict.DROP) return Verdict.DROP;
        return this.confirm(p);
      }
    }
    return Verdict.ACCEPT;
  }

  /** Parse the IPv4/L4 fields into the reusable PacketInfo. False for a runt. */
  private parse(p: NfPacket): boolean {
    const b = p.buf;
    const o = p.off;
    const pk = this.pk;
    pk.inIf = p.inIf;
    pk.outIf = p.outIf;
    // Frames are immutable once transmitted (DESIGN.md), so the same buffer seen at the previous
    // hook (PREROUTING → FORWARD) needs no second parse.
    if (b === this.parsedBuf && o === this.parsedOff) return true;
    this.parsedBuf = null;
    if (b.length - o < 20) return false;
    const hl = (b[o]! & 0x0f) << 2;
    const total = readU16(b, o + 2);
    pk.len = total;
    pk.hl = hl;
    pk.src = readU32(b, o + 12);
    pk.dst = readU32(b, o + 16);
    const proto = b[o + 9]!;
    pk.proto = proto;
    pk.frag = (readU16(b, o + 6) & 0x1fff) !== 0;
    pk.l4 = o + hl;
    pk.l4len = Math.min(total, b.length - o) - hl;
    pk.sport = -1;
    pk.dport = -1;
    pk.icmpType = -1;
    pk.icmpCode = -1;
    pk.tcpFlags = 0;
    if (!pk.frag) {
      const l4 = pk.l4;
      if (proto === PROTO_TCP) {
        if (pk.l4len >= 14) {
          pk.sport = readU16(b, l4);
          pk.dport = readU16(b, l4 + 2);
          pk.tcpFlags = b[l4 + 13]!;
        }
      } else if (proto === PROTO_UDP) {
        if (pk.l4len >= 4) {
          pk.sport = readU16(b, l4);
          pk.dport = readU16(b, l4 + 2);
        }
      } else if (proto === PROTO_ICMP) {
        if (pk.l4len >= 2) {
          pk.icmpType = b[l4]!;
          pk.icmpCode = b[l4 + 1]!;
          if (pk.l4len >= 8 && isIcmpQuery(pk.icmpType)) pk.sport = pk.dport = readU16(b, l4 + 4);
        }
      }
    }
    this.parsedBuf = b;
    this.parsedOff = o;
    return true;
  }

  /** Conntrack at PREROUTING/OUTPUT: find or create the connection, attach it to the packet. */
  private ctIn(p: NfPacket): void {
    const pk = this.pk;
    const now = this.host.now();
    let t: CtTuple | null;
    if (this.rejectOf !== null) {
      const o = this.rejectOf;
      this.rejectOf = null;
      const r = new CtTuple(o.entry, o.dir ^ 1);
      r.related = true;
      p.ct = r;
      pk.ctState = ctStateOf(r);
      return;
    }
    if (p.ct != null && (p.ct as CtTuple).entry !== undefined) {
      // Looped back with its connection attached (Linux skips conntrack for such skbs).
      pk.ctState = ctStateOf(p.ct as CtTuple);
      return;
    }
    if (pk.proto === PROTO_ICMP && isIcmpError(pk.icmpType)) {
      t = this.ctRelated(p, now);
    } else if (pk.frag || ((pk.proto === PROTO_TCP || pk.proto === PROTO_UDP || pk.proto === PROTO_ICMP) && pk.sport < 0)) {
      // No reassembly here: non-first fragments and truncated headers are untracked.
      t = null;
    } else {
      const sp = pk.sport < 0 ? 0 : pk.sport;
      const dp = pk.dport < 0 ? 0 : pk.dport;
      t = this.conntrack.lookup(pk.proto, pk.src, pk.dst, sp, dp, now);
      if (t === null && p.inIf === 'lo') t = this.loopbackTuple(pk.proto, pk.src, pk.dst, sp, dp, now);
      if (t !== null && pk.proto === PROTO_TCP && Conntrack.reopenable(t.entry, t.dir, pk.tcpFlags)) {
        this.conntrack.remove(t.entry);
        t = null;
      }
      if (t === null) t = this.conntrack.create(pk.proto, pk.src, pk.dst, sp, dp).orig;
      this.conntrack.update(t.entry, t.dir, pk.proto, pk.tcpFlags, now);
    }
    p.ct = t;
    pk.ctState = ctStateOf(t);
  }

  /**
   * A looped-back packet that was NATed on its way out no longer matches its own tuple; it
   * matches the inverse of the connection's other tuple. (When the stack carries `ct` over
   * loopback, as Linux does, this is never needed.)
   */
  private loopbackTuple(proto: number, src: number, dst: number, sp: number, dp: number, now: number): CtTuple | null {
    const inv = this.conntrack.lookup(proto, dst, src, dp, sp, now);
    if (inv === null) return null;
    const e = inv.entry;
    return inv.dir === DIR_ORIGINAL ? e.reply : e.orig;
  }

  /** An ICMP error is RELATED to the connection of the datagram it quotes (which went the other way). */
  private ctRelated(p: NfPacket, now: number): CtTuple | null {
    const b = p.buf;
    const pk = this.pk;
    const io = pk.l4 + 8;
    const end = pk.l4 + pk.l4len;
    if (end - io < 20) return null;
    const ihl = (b[io]! & 0x0f) << 2;
    const qproto = b[io + 9]!;
    const qsrc = readU32(b, io + 12);
    const qdst = readU32(b, io + 16);
    const il4 = io + ihl;
    let sp = 0;
    let dp = 0;
    if (qproto === PROTO_TCP || qproto === PROTO_UDP) {
      if (end - il4 < 4) return null;
      sp = readU16(b, il4);
      dp = readU16(b, il4 + 2);
    } else if (qproto === PROTO_ICMP) {
      if (end - il4 < 8 || !isIcmpQuery(b[il4]!)) return null;
      sp = dp = readU16(b, il4 + 4);
    }
    const found = this.conntrack.lookup(qproto, qdst, qsrc, dp, sp, now);
    if (found === null) return null;
    const r = new CtTuple(found.entry, found.dir);
    r.related = true;
    return r;
  }

  /**
   * The NAT step of a hook: on a connection's first packet the nat chain decides a binding;
   * then (every packet) the binding is applied to the address this hook manipulates.
   */
  private natStep(hook: Hook, p: NfPacket, isSrc: boolean): Verdict {
    const t = p.ct as CtTuple | null;
    if (t === null || t === undefined) return Verdict.ACCEPT;
    const e = t.entry;
    if (!e.confirmed && !t.related && !(isSrc ? e.srcBound : e.dstBound)) {
      if (isSrc) e.srcBound = true;
      else e.dstBound = true;
      const c = this.nat.byHook[hook];
      if (c !== undefined && c.rules.length !== 0) {
        this.curTuple = t;
        const v = this.runChain(c, hook);
        this.curTuple = null;
        if (v === Verdict.DROP) return Verdict.DROP;
      }
    }
    if (e.snat || e.dnat) this.manip(p, t, isSrc);
    return Verdict.ACCEPT;
  }

  /** Make the packet's source (or destination) what the connection's other tuple expects. */
  private manip(p: NfPacket, t: CtTuple, isSrc: boolean): void {
    const e = t.entry;
    const self = t.dir === DIR_ORIGINAL ? e.orig : e.reply;
    const other = t.dir === DIR_ORIGINAL ? e.reply : e.orig;
    let ip: number;
    let port: number;
    if (isSrc) {
      if (self.src === other.dst && self.sport === other.dport) return;
      ip = other.dst;
      port = other.dport;
    } else {
      if (self.dst === other.src && self.dport === other.sport) return;
      ip = other.src;
      port = other.sport;
    }
    const proto = self.proto;
    if (proto !== PROTO_TCP && proto !== PROTO_UDP && proto !== PROTO_ICMP) port = -1;
    if (t.related && this.pk.proto === PROTO_ICMP && isIcmpError(this.pk.icmpType)) {
      rewriteIcmpError(p, this.pk, isSrc, ip, port);
      this.parsedBuf = p.buf;
      return;
    }
    // Already translated (a looped-back packet seen again at PREROUTING): nothing to copy.
    const pk = this.pk;
    if (isSrc ? pk.src === ip && (port < 0 || pk.sport === port) : pk.dst === ip && (port < 0 || pk.dport === port)) return;
    rewritePacket(p, pk, isSrc, ip, port);
    this.parsedBuf = p.buf;
  }

  private confirm(p: NfPacket): Verdict {
    const t = p.ct as CtTuple | null;
    if (t === null || t === undefined || t.related || t.entry.confirmed) return Verdict.ACCEPT;
    return this.conntrack.confirm(t.entry, this.host.now()) ? Verdict.ACCEPT : Verdict.DROP;
  }

  private runChain(c: Chain, hook: Hook): Verdict {
    const v = this.walk(c, hook);
    if (v !== FALLTHROUGH) return v;
    c.pkts++;
    c.bytes += this.pk.len;
    return c.policy === 'ACCEPT' ? Verdict.ACCEPT : Verdict.DROP;
  }

  private walk(c: Chain, hook: Hook): number {
    const rules = c.rules;
    const pk = this.pk;
    const host = this.host;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (!ruleMatches(r, pk, host)) continue;
      r.pkts++;
      r.bytes += pk.len;
      switch (r.target) {
        case TargetKind.None:
          continue;
        case TargetKind.Accept:
          return Verdict.ACCEPT;
        case TargetKind.Drop:
          return Verdict.DROP;
        case TargetKind.Reject: {
          // The answer (ICMP error or RST) usually comes straight back through our OUTPUT hook,
          // re-entering run(): like Linux's nf_ct_attach, it joins the rejected packet's
          // connection as RELATED in the other direction so NAT is undone on it. Nothing of
          // this packet's state is used after the call.
          const cur = this.cur!;
          this.rejectOf = (cur.ct as CtTuple | null) ?? null;
          host.reject(cur, r.rejectWith);
          this.rejectOf = null;
          return Verdict.DROP;
        }
        case TargetKind.Return:
          return FALLTHROUGH;
        case TargetKind.Jump: {
          const v = this.walk(r.jump!, hook);
          if (v !== FALLTHROUGH) return v;
          continue;
        }
        case TargetKind.Dnat:
          if (this.curTuple !== null) this.bindDnat(this.curTuple.entry, r);
          return Verdict.ACCEPT;
        case TargetKind.Snat:
          if (this.curTuple !== null) this.bindSnat(this.curTuple.entry, r.natIp < 0 ? this.curTuple.entry.orig.src : r.natIp, r);
          return Verdict.ACCEPT;
        case TargetKind.Masquerade: {
          if (this.curTuple === null) return Verdict.ACCEPT;
          const a = pk.outIf === null ? -1 : host.interfaceAddress(pk.outIf);
          if (a < 0) return Verdict.DROP;
          this.bindSnat(this.curTuple.entry, a, r);
          return Verdict.ACCEPT;
        }
      }
    }
    return FALLTHROUGH;
  }

  private bindDnat(e: CtEntry, r: Rule): void {
    const o = e.orig;
    const rep = e.reply;
    if (r.natIp >= 0) rep.src = r.natIp;
    if (r.natPortLo >= 0 && (o.proto === PROTO_TCP || o.proto === PROTO_UDP)) rep.sport = r.natPortLo;
    e.dnat = rep.src !== o.dst || rep.sport !== o.dport;
  }

  /** Source NAT binding: keep the source port unless the resulting reply tuple is taken. */
  private bindSnat(e: CtEntry, ip: number, r: Rule): void {
    const o = e.orig;
    const rep = e.reply;
    const proto = o.proto;
    let port = o.sport;
    const ported = proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_ICMP;
    if (ported) {
      const now = this.host.now();
      const free = (pp: number): boolean => !this.conntrack.inUse(proto, rep.src, ip, proto === PROTO_ICMP ? pp : rep.sport, pp, now);
      if (r.natPortLo >= 0 && proto !== PROTO_ICMP) {
        port = r.natPortLo;
        for (let q = r.natPortLo; q <= r.natPortHi; q++) {
          if (free(q)) {
            port = q;
            break;
          }
        }
      } else if (!free(port)) {
        {
          // Linux's ranges: keep privileged ports privileged (nf_nat_l4proto_unique_tuple).
          let lo: number;
          let hi: number;
          if (proto === PROTO_ICMP) {
            lo = 0;
            hi = 65535;
          } else if (port < 512) {
            lo = 1;
            hi = 511;
          } else if (port < 1024) {
            lo = 600;
            hi = 1023;
          } else {
            lo = 1024;
            hi = 65535;
          }
          const n = hi - lo + 1;
          for (let k = 1; k < n; k++) {
            const q = lo + ((port - lo + k) % n);
            if (free(q)) {
              port = q;
              break;
            }
          }
        }
      }
    }
    rep.dst = ip;
    rep.dport = port;
    if (proto === PROTO_ICMP) rep.sport = port;
    e.snat = rep.dst !== o.src || rep.dport !== o.sport;
  }
}

export type { TableName };
