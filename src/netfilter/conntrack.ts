import { PROTO_ICMP, PROTO_TCP, PROTO_UDP } from '../wire/ipv4.js';
import { ipToString } from '../wire/addr.js';
import { CT_DNAT, CT_ESTABLISHED, CT_INVALID, CT_NEW, CT_RELATED, CT_SNAT } from './rule.js';

/** Direction of a packet relative to its connection. */
export const DIR_ORIGINAL = 0;
export const DIR_REPLY = 1;

/** Timeouts in ms (Linux defaults, net.netfilter.nf_conntrack_*_timeout*). */
export const CT_TIMEOUTS = {
  tcpSynSent: 120_000,
  tcpSynRecv: 60_000,
  tcpEstablished: 432_000_000,
  tcpFinWait: 120_000,
  tcpTimeWait: 120_000,
  tcpClose: 10_000,
  udp: 30_000,
  udpStream: 120_000,
  icmp: 30_000,
  generic: 600_000,
} as const;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

/**
 * One direction of a connection: the 5-tuple a packet of that direction carries on the wire.
 * For ICMP queries both "ports" hold the identifier, so inverting a tuple keeps it.
 * A packet's `ct` points at the tuple it matched: that gives both the entry and the direction.
 */
export class CtTuple {
  src = 0;
  dst = 0;
  sport = 0;
  dport = 0;
  proto = 0;
  hash = 0;
  /** Next tuple in the same hash bucket. */
  next: CtTuple | null = null;
  /** Set on the per-packet reference of an ICMP error that belongs to this connection. */
  related = false;
  constructor(public entry: CtEntry, readonly dir: number) {}

  set(proto: number, src: number, dst: number, sport: number, dport: number): void {
    this.proto = proto;
    this.src = src;
    this.dst = dst;
    this.sport = sport;
    this.dport = dport;
  }
}

export class CtEntry {
  readonly orig: CtTuple;
  readonly reply: CtTuple;
  confirmed = false;
  seenReply = false;
  /** TCP: an original-direction packet seen after the reply (handshake done). */
  assured = false;
  /** NAT bindings decided (the nat table is consulted once per manip type). */
  dstBound = false;
  srcBound = false;
  snat = false;
  dnat = false;
  /** TCP: bit per direction that sent FIN; rst once RST seen. */
  fin = 0;
  rst = false;
  firstReplyAt = -1;
  expires = 0;
  constructor() {
    this.orig = new CtTuple(this, DIR_ORIGINAL);
    this.reply = new CtTuple(this, DIR_REPLY);
  }
}

function hash5(proto: number, src: number, dst: number, sport: number, dport: number): number {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ dst, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ ((sport << 16) | dport), 0x85ebca6b);
  return (h ^ (h >>> 15) ^ proto) | 0;
}

/** The connection tracking table: a hash of tuples (each entry is reachable by both of its tuples). */
export class Conntrack {
  private readonly buckets = new Map<number, CtTuple>();
  private readonly all = new Set<CtEntry>();
  private lastSweep = 0;

  get size(): number {
    return this.all.size;
  }

  /** Find the tuple matching a packet; expired entries are removed on the way (lazy expiry). */
  lookup(proto: number, src: number, dst: number, sport: number, dport: number, now: number): CtTuple | null {
    let t = this.buckets.get(hash5(proto, src, dst, sport, dport)) ?? null;
    while (t !== null) {
      if (t.src === src && t.dst === dst && t.sport === sport && t.dport === dport && t.proto === proto) {
        if (t.entry.expires <= now) {
          this.remove(t.entry);
          return null;
        }
        return t;
      }
      t = t.next;
    }
    return null;
  }

  /** Is a tuple taken by a live entry (for SNAT port clash avoidance)? */
  inUse(proto: number, src: number, dst: number, sport: number, dport: number, now: number): boolean {
    return this.lookup(proto, src, dst, sport, dport, now) !== null;
  }

  /** A new, unconfirmed entry for a packet's tuple; the reply tuple starts as its inverse. */
  create(proto: number, src: number, dst: number, sport: number, dport: number): CtEntry {
    const e = new CtEntry();
    e.orig.set(proto, src, dst, sport, dport);
    e.reply.set(proto, dst, src, dport, sport);
    return e;
  }

  /** Insert an entry into the table (Linux: __nf_conntrack_confirm). False on a clash. */
  confirm(e: CtEntry, now: number): boolean {
    if (e.confirmed) return true;
    const o = e.orig;
    const r = e.reply;
    if (this.inUse(o.proto, o.src, o.dst, o.sport, o.dport, now) || this.inUse(r.proto, r.src, r.dst, r.sport, r.dport, now)) {
      return false;
    }
    this.link(o);
    this.link(r);
    e.confirmed = true;
    this.all.add(e);
    if (now - this.lastSweep > 60_000 || (this.all.size & 4095) === 0) this.sweep(now);
    return true;
  }

  remove(e: CtEntry): void {
    if (!e.confirmed) return;
    this.unlink(e.orig);
    this.unlink(e.reply);
    e.confirmed = false;
    this.all.delete(e);
  }

  /** Drop every expired entry (called now and then so idle flows don't pile up). */
  sweep(now: number): void {
    this.lastSweep = now;
    for (const e of this.all) if (e.expires <= now) this.remove(e);
  }

  flush(): void {
    this.buckets.clear();
    for (const e of this.all) e.confirmed = false;
    this.all.clear();
  }

  entries(now: number): CtEntry[] {
    const out: CtEntry[] = [];
    for (const e of this.all) if (e.expires > now) out.push(e);
    return out;
  }

  /** Refresh the entry's timeout for a packet of direction `dir` (light TCP state tracking). */
  update(e: CtEntry, dir: number, proto: number, tcpFlags: number, now: number): void {
    if (dir === DIR_REPLY && !e.seenReply) {
      e.seenReply = true;
      e.firstReplyAt = now;
    }
    let timeout: number;
    if (proto === PROTO_TCP) {
      if (tcpFlags & TCP_RST) e.rst = true;
      if (tcpFlags & TCP_FIN) e.fin |= 1 << dir;
      if (dir === DIR_ORIGINAL && e.seenReply && (tcpFlags & TCP_ACK)) e.assured = true;
      if (e.rst) timeout = CT_TIMEOUTS.tcpClose;
      else if (e.fin === 3) timeout = CT_TIMEOUTS.tcpTimeWait;
      else if (e.fin !== 0) timeout = CT_TIMEOUTS.tcpFinWait;
      else if (e.assured) timeout = CT_TIMEOUTS.tcpEstablished;
      else if (e.seenReply) timeout = CT_TIMEOUTS.tcpSynRecv;
      else timeout = CT_TIMEOUTS.tcpSynSent;
    } else if (proto === PROTO_UDP) {
      // Replied and still active two seconds later: a stream (nf_conntrack_proto_udp.c).
      timeout = e.seenReply && now - e.firstReplyAt >= 2000 ? CT_TIMEOUTS.udpStream : CT_TIMEOUTS.udp;
    } else if (proto === PROTO_ICMP) {
      timeout = CT_TIMEOUTS.icmp;
    } else {
      timeout = CT_TIMEOUTS.generic;
    }
    e.expires = now + timeout;
  }

  /** A closed TCP connection whose tuple a fresh SYN reuses is replaced (Linux: tcp_new on CLOSE/TIME_WAIT). */
  static reopenable(e: CtEntry, dir: number, tcpFlags: number): boolean {
    return dir === DIR_ORIGINAL && (e.rst || e.fin === 3) && (tcpFlags & (TCP_SYN | TCP_ACK | TCP_RST)) === TCP_SYN;
  }

  private link(t: CtTuple): void {
    t.hash = hash5(t.proto, t.src, t.dst, t.sport, t.dport);
    t.next = this.buckets.get(t.hash) ?? null;
    this.buckets.set(t.hash, t);
  }

  private unlink(t: CtTuple): void {
    let head = this.buckets.get(t.hash) ?? null;
    if (head === t) {
      if (t.next === null) this.buckets.delete(t.hash);
      else this.buckets.set(t.hash, t.next);
      t.next = null;
      return;
    }
    while (head !== null && head.next !== t) head = head.next;
    if (head !== null) head.next = t.next;
    t.next = null;
  }
}

/** The -m conntrack state of a packet that matched tuple `t` (null: untracked/invalid). */
export function ctStateOf(t: CtTuple | null | undefined): number {
  if (t == null) return CT_INVALID;
  const e = t.entry;
  let s = t.related ? CT_RELATED : t.dir === DIR_REPLY || e.seenReply ? CT_ESTABLISHED : CT_NEW;
  if (e.snat) s |= CT_SNAT;
  if (e.dnat) s |= CT_DNAT;
  return s;
}

const PROTO_NAMES: Record<number, string> = { [PROTO_TCP]: 'tcp', [PROTO_UDP]: 'udp', [PROTO_ICMP]: 'icmp' };

/** `conntrack -L`-style line, for tools and debugging. */
export function formatCtEntry(e: CtEntry, now: number): string {
  const o = e.orig;
  const r = e.reply;
  const p = PROTO_NAMES[o.proto] ?? 'unknown';
  const secs = Math.max(0, Math.floor((e.expires - now) / 1000));
  const tup = (t: CtTuple): string =>
    o.proto === PROTO_ICMP
      ? `src=${ipToString(t.src)} dst=${ipToString(t.dst)} id=${t.sport}`
      : `src=${ipToString(t.src)} dst=${ipToString(t.dst)} sport=${t.sport} dport=${t.dport}`;
  const state = o.proto === PROTO_TCP ? (e.rst ? ' CLOSE' : e.fin === 3 ? ' TIME_WAIT' : e.fin ? ' FIN_WAIT' : e.assured ? ' ESTABLISHED' : e.seenReply ? ' SYN_RECV' : ' SYN_SENT') : '';
  return `${p.padEnd(8)} ${o.proto} ${secs}${state} ${tup(o)}${e.seenReply ? '' : ' [UNREPLIED]'} ${tup(r)}${e.assured ? ' [ASSURED]' : ''} mark=0 use=1`;
}
