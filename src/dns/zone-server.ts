/**
 * A DNS server with a static zone, standing in for the outside world's resolvers (e.g. 8.8.8.8
 * answering example.com). RA=1, AA only when `authoritative`; unknown names → NXDOMAIN; known names
 * with no record of the asked type → NOERROR/NODATA (RFC 2308 §2.2).
 */
import type { Udp, UdpSocket } from '../stack/udp.js';
import { writeU16, writeU32 } from '../wire/addr.js';
import {
  CLASS_IN, FLAG_AA, FLAG_RA, FLAG_TC, HEADER_LEN, PARSE_DROP, PARSE_OK, RCODE_NOERROR, RCODE_NXDOMAIN, RCODE_REFUSED,
  TYPE_A, TYPE_PTR, encodeName, newQuestion, parseQuery, parseReverseName, writeRejectHead, writeReplyHead, writeRRHead,
} from './message.js';

export interface ZoneData {
  /** name (any case, with or without trailing dot) → IPv4 addresses. */
  a?: Record<string, number[]> | Map<string, number[]>;
  /** IPv4 → name, for PTR. When omitted, PTRs are derived from `a` (first name wins). */
  ptr?: Map<number, string>;
  ttl?: number;
  /** Answer queries outside the zone with REFUSED instead of NXDOMAIN. */
  refuseUnknown?: boolean;
  /**
   * Set AA in answers. Default false: the server plays a public recursive resolver such as
   * 8.8.8.8, whose answers are not authoritative (so nslookup prints "Non-authoritative answer:").
   */
  authoritative?: boolean;
}

export interface ZoneServerStats {
  queries: number;
  answered: number;
  nxdomain: number;
  formerr: number;
  dropped: number;
}

export class ZoneServer {
  readonly stats: ZoneServerStats = { queries: 0, answered: 0, nxdomain: 0, formerr: 0, dropped: 0 };
  private readonly names = new Map<string, number[]>();
  private readonly ptrs = new Map<number, string>();
  private readonly ttl: number;
  private sock: UdpSocket | null = null;
  private q = newQuestion();

  constructor(private readonly udp: Udp, zone: ZoneData, readonly address = 0, readonly port = 53) {
    this.ttl = zone.ttl ?? 300;
    const entries = zone.a instanceof Map ? [...zone.a] : Object.entries(zone.a ?? {});
    for (const [name, ips] of entries) this.add(name, ips);
    for (const [ip, name] of zone.ptr ?? []) this.ptrs.set(ip >>> 0, norm(name));
    this.refuse = zone.refuseUnknown ?? false;
    this.flags = (zone.authoritative ? FLAG_AA : 0) | FLAG_RA;
  }
  private readonly refuse: boolean;
  private readonly flags: number;

  add(name: string, ips: number[]): void {
    const n = norm(name);
    this.names.set(n, ips.map((x) => x >>> 0));
    for (const ip of ips) if (!this.ptrs.has(ip >>> 0)) this.ptrs.set(ip >>> 0, n);
  }

  start(): number {
    const s = this.udp.socket();
    const r = s.bind(this.address, this.port);
    if (r < 0) return r;
    this.sock = s;
    s.onMessage = (data, address, port) => {
      const resp = this.handle(data);
      if (resp) s.send(resp, address, port);
    };
    return 0;
  }

  close(): void {
    this.sock?.close();
    this.sock = null;
  }

  handle(query: Uint8Array): Uint8Array | null {
    this.stats.queries++;
    const q = this.q;
    const r = parseQuery(query, query.length, q);
    if (r === PARSE_DROP) {
      this.stats.dropped++;
      return null;
    }
    if (r !== PARSE_OK) {
      this.stats.formerr++;
      const out = new Uint8Array(HEADER_LEN);
      writeRejectHead(out, q, r);
      return out;
    }
    const flags = this.flags;
    let target: string | undefined;
    let ips: number[] | undefined;
    if (q.qclass === CLASS_IN) {
      const rev = parseReverseName(q.qname);
      if (rev >= 0) target = this.ptrs.get(rev);
      else ips = this.names.get(q.qname);
    }
    if (target === undefined && ips === undefined) {
      this.stats.nxdomain++;
      const out = new Uint8Array(q.qEnd);
      writeReplyHead(out, query, q, this.refuse ? RCODE_REFUSED : RCODE_NXDOMAIN, this.refuse ? 0 : flags);
      return out;
    }
    this.stats.answered++;
    if (target !== undefined) {
      if (q.qtype !== TYPE_PTR) return this.nodata(query);
      const t = encodeName(target);
      const out = new Uint8Array(q.qEnd + 12 + t.length);
      const o = writeRRHead(out, writeReplyHead(out, query, q, RCODE_NOERROR, flags), TYPE_PTR, this.ttl, t.length);
      writeU16(out, 6, 1);
      out.set(t, o);
      return out;
    }
    if (q.qtype !== TYPE_A) return this.nodata(query);
    const max = Math.floor(((q.udpSize > 512 ? q.udpSize : 512) - q.qEnd) / 16);
    const n = Math.min(ips!.length, max);
    const out = new Uint8Array(q.qEnd + 16 * n);
    let o = writeReplyHead(out, query, q, RCODE_NOERROR, flags | (n < ips!.length ? FLAG_TC : 0));
    writeU16(out, 6, n);
    for (let i = 0; i < n; i++) {
      o = writeRRHead(out, o, TYPE_A, this.ttl, 4);
      writeU32(out, o, ips![i]!);
      o += 4;
    }
    return out;
  }

  private nodata(query: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.q.qEnd);
    writeReplyHead(out, query, this.q, RCODE_NOERROR, this.flags);
    return out;
  }
}

function norm(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}
