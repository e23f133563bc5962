/**
 * Docker's embedded DNS server (moby libnetwork/resolver.go, v27) for one container sandbox:
 * a UDP socket on 127.0.0.11:53 answering container names from a backend and forwarding the
 * rest to up to three upstream servers.
 */
import type { Udp, UdpSocket } from '../stack/udp.js';
import type { Prng } from '../sim/prng.js';
import type { Clock } from '../sim/clock.js';
import { writeU16, writeU32 } from '../wire/addr.js';
import {
  CLASS_IN, FLAG_RA, FLAG_TC, HEADER_LEN, PARSE_DROP, PARSE_OK, RCODE_FORMERR, RCODE_NOERROR, RCODE_REFUSED,
  RCODE_SERVFAIL, TYPE_A, TYPE_AAAA, TYPE_MX, TYPE_PTR, encodeName, msgRcode, newQuestion, parseQuery,
  parseReverseName, writeRejectHead, writeReplyHead, writeRRHead, type Question,
} from './message.js';

export const EMBEDDED_DNS_IP = 0x7f00000b; // 127.0.0.11
/** resolver.go respTTL. */
export const RESP_TTL = 600;
/** resolver.go maxExtDNS / extIOTimeout / maxConcurrent. */
export const MAX_EXT_DNS = 3;
export const EXT_IO_TIMEOUT_MS = 4000;
export const MAX_CONCURRENT = 1024;
/** dns.MinMsgSize: the UDP limit without EDNS0 (RFC 1035 §4.2.1). */
const MIN_MSG_SIZE = 512;

/** What the engine provides per container sandbox. */
export interface EmbeddedDnsBackend {
  /**
   * Look a name up in the container's networks (lower-case, no trailing dot), covering names,
   * aliases, short IDs, links and `name.network` forms. `ips` in endpoint order; an empty
   * list means "known, but no IPv4". null → unknown (forwarded).
   */
  resolveName(name: string): { ips: number[]; ips6?: Uint8Array[] } | null;
  /** PTR: container IP on an attached network → 'name.network' (no trailing dot), or null. */
  resolveAddr(ip: number): string | null;
  /** External servers in order (at most the first three are used). */
  upstreams(): number[];
  /**
   * Send `query` to `server`:53 and resolve with the raw response (same ID), or null on
   * failure/timeout. Should give up after `timeoutMs`; the server stops waiting then anyway.
   * `createUdpForwarder` builds one over a namespace's UDP.
   */
  forward(query: Uint8Array, server: number, timeoutMs: number): Promise<Uint8Array | null>;
  /** True when ndots was set explicitly (host resolv.conf or --dns-opt): see serveDNS. */
  ndotsSet?(): boolean;
}

export interface DnsServerStats {
  queries: number;
  answeredLocal: number;
  forwarded: number;
  upstreamFailures: number;
  servfail: number;
  formerr: number;
  notimp: number;
  dropped: number;
  truncated: number;
  refused: number;
}

export interface EmbeddedDnsOptions {
  address?: number;
  port?: number;
  prng: Prng;
}

export class EmbeddedDnsServer {
  readonly stats: DnsServerStats = {
    queries: 0, answeredLocal: 0, forwarded: 0, upstreamFailures: 0, servfail: 0, formerr: 0, notimp: 0, dropped: 0, truncated: 0, refused: 0,
  };
  private sock: UdpSocket | null = null;
  private q: Question = newQuestion();
  private inflight = 0;
  private readonly prng: Prng;
  private readonly clock: Clock;
  readonly address: number;
  readonly port: number;

  constructor(private readonly udp: Udp, private readonly backend: EmbeddedDnsBackend, opts: EmbeddedDnsOptions) {
    this.prng = opts.prng;
    this.clock = udp.host.clock;
    this.address = opts.address ?? EMBEDDED_DNS_IP;
    this.port = opts.port ?? 53;
  }

  /** Bind and serve. Returns 0 or a negative errno from bind. */
  start(): number {
    const s = this.udp.socket();
    const r = s.bind(this.address, this.port);
    if (r < 0) return r;
    this.sock = s;
    s.onMessage = (data, address, port) => this.handle(data, (resp) => s.send(resp, address, port));
    return 0;
  }

  close(): void {
    this.sock?.close();
    this.sock = null;
  }

  /**
   * Answer one query; `reply` is called synchronously for local answers, later for forwarded
   * ones, never for dropped input. Never throws on bad input.
   */
  handle(query: Uint8Array, reply: (resp: Uint8Array) => void): void {
    this.stats.queries++;
    const q = this.q;
    let r: number;
    try {
      r = parseQuery(query, query.length, q);
    } catch {
      r = PARSE_DROP;
    }
    if (r === PARSE_DROP) {
      this.stats.dropped++;
      return;
    }
    if (r !== PARSE_OK) {
      // Header readable but the rest is not: rcode only, no question (miekg SetRcodeFormatError).
      if (r === RCODE_FORMERR) this.stats.formerr++;
      else this.stats.notimp++;
      const out = new Uint8Array(HEADER_LEN);
      writeRejectHead(out, q, r);
      reply(out);
      return;
    }
    const local = this.answerLocal(query, q);
    if (local) {
      this.stats.answeredLocal++;
      reply(local);
      return;
    }
    // ndots set explicitly and a single-label A/AAAA miss: empty NOERROR so the stub tries
    // its search domains instead of leaking the short name upstream.
    if ((q.qtype === TYPE_A || q.qtype === TYPE_AAAA) && this.backend.ndotsSet?.() && !q.qname.includes('.')) {
      this.stats.answeredLocal++;
      reply(this.empty(query, q, RCODE_NOERROR, FLAG_RA));
      return;
    }
    if (this.inflight >= MAX_CONCURRENT) {
      this.stats.refused++;
      reply(this.empty(query, q, RCODE_REFUSED, 0));
      return;
    }
    const copy = query.slice();
    const saved: Question = { ...q };
    this.inflight++;
    this.stats.forwarded++;
    void this.forwardExt(copy).then((resp) => {
      this.inflight--;
      if (resp) reply(resp);
      else {
        this.stats.servfail++;
        reply(this.empty(copy, saved, RCODE_SERVFAIL, 0));
      }
    });
  }

  /** A header + question reply with no records. */
  private empty(query: Uint8Array, q: Question, rcode: number, flags: number): Uint8Array {
    const out = new Uint8Array(q.qEnd);
    writeReplyHead(out, query, q, rcode, flags);
    return out;
  }

  private answerLocal(query: Uint8Array, q: Question): Uint8Array | null {
    if (q.qclass !== CLASS_IN) return null;
    switch (q.qtype) {
      case TYPE_A: {
        const hit = this.backend.resolveName(q.qname);
        if (!hit) return null;
        let ips = hit.ips;
        if (ips.length > 1) ips = this.prng.shuffle(ips.slice());
        return this.addressReply(query, q, ips);
      }
      case TYPE_AAAA: {
        const hit = this.backend.resolveName(q.qname);
        if (!hit) return null;
        // ipv6Miss: the name exists without IPv6 → NOERROR, no answers, not forwarded.
        const v6 = hit.ips6 && hit.ips6.length > 1 ? this.prng.shuffle(hit.ips6.slice()) : hit.ips6 ?? [];
        return this.addressReply(query, q, v6);
      }
      case TYPE_MX: {
        // Known name → empty NOERROR ("implicit MX", RFC 5321 §5.1); unknown → forwarded.
        if (!this.backend.resolveName(q.qname)) return null;
        return this.empty(query, q, RCODE_NOERROR, FLAG_RA);
      }
      case TYPE_PTR: {
        const ip = parseReverseName(q.qname);
        if (ip < 0) return null;
        const host = this.backend.resolveAddr(ip);
        if (!host) return null;
        const target = encodeName(host);
        const size = q.qEnd + 12 + target.length;
        const out = new Uint8Array(size);
        const o = writeRRHead(out, writeReplyHead(out, query, q, RCODE_NOERROR, FLAG_RA), TYPE_PTR, RESP_TTL, target.length);
        writeU16(out, 6, 1);
        out.set(target, o);
        if (size > this.limit(q)) return this.truncate(out, q);
        return out;
      }
      default:
        return null;
    }
  }

  private limit(q: Question): number {
    if (this.streamQuery) return 65535; // TCP: no truncation (RFC 1035 §4.2.2)
    return q.udpSize > MIN_MSG_SIZE ? q.udpSize : MIN_MSG_SIZE;
  }

  /** Set while answering a query that came over TCP. */
  private streamQuery = false;

  /** Answer a query received over TCP: same as handle(), without the UDP size limit. */
  handleStream(query: Uint8Array, reply: (resp: Uint8Array) => void): void {
    this.streamQuery = true;
    try {
      this.handle(query, reply);
    } finally {
      this.streamQuery = false;
    }
  }

  /** PTR alone too big: header + question with TC (miekg Truncate keeps what fits). */
  private truncate(full: Uint8Array, q: Question): Uint8Array {
    this.stats.truncated++;
    const res = new Uint8Array(q.qEnd);
    res.set(full.subarray(0, q.qEnd));
    res[6] = 0;
    res[7] = 0;
    res[2]! |= FLAG_TC >> 8;
    return res;
  }

  /** A/AAAA answers, as many as fit the size limit (TC set when some were cut). */
  private addressReply(query: Uint8Array, q: Question, ips: ReadonlyArray<number | Uint8Array>): Uint8Array {
    const rdlen = q.qtype === TYPE_A ? 4 : 16;
    const per = 12 + rdlen;
    let n = ips.length;
    let flags = FLAG_RA;
    const max = Math.floor((this.limit(q) - q.qEnd) / per);
    if (n > max) {
      n = Math.max(0, max);
      flags |= FLAG_TC;
      this.stats.truncated++;
    }
    const out = new Uint8Array(q.qEnd + n * per);
    let o = writeReplyHead(out, query, q, RCODE_NOERROR, flags);
    writeU16(out, 6, n); // ANCOUNT
    for (let i = 0; i < n; i++) {
      o = writeRRHead(out, o, q.qtype, RESP_TTL, rdlen);
      const ip = ips[i]!;
      if (typeof ip === 'number') writeU32(out, o, ip);
      else out.set(ip.subarray(0, 16), o);
      o += rdlen;
    }
    return out;
  }

  /**
   * resolver.go forwardExtDNS: servers in order; SERVFAIL/REFUSED or no answer → next;
   * any other rcode (NXDOMAIN included) is the answer; none → null (caller sends SERVFAIL).
   */
  private async forwardExt(query: Uint8Array): Promise<Uint8Array | null> {
    const ups = this.backend.upstreams();
    const n = Math.min(ups.length, MAX_EXT_DNS);
    for (let i = 0; i < n; i++) {
      const resp = await this.exchange(query, ups[i]!);
      if (!resp || resp.length < HEADER_LEN) {
        this.stats.upstreamFailures++;
        continue;
      }
      const rc = msgRcode(resp);
      if (rc === RCODE_SERVFAIL || rc === RCODE_REFUSED) {
        this.stats.upstreamFailures++;
        continue;
      }
      return resp;
    }
    return null;
  }

  /** One upstream exchange bounded by extIOTimeout on the namespace clock. */
  private exchange(query: Uint8Array, server: number): Promise<Uint8Array | null> {
    return new Promise((resolve) => {
      let done = false;
      const t = this.clock.after(EXT_IO_TIMEOUT_MS, () => {
        if (done) return;
        done = true;
        resolve(null);
      });
      let p: Promise<Uint8Array | null>;
      try {
        p = this.backend.forward(query, server, EXT_IO_TIMEOUT_MS);
      } catch {
        p = Promise.resolve(null);
      }
      p.then(
        (r) => {
          if (done) return;
          done = true;
          t.cancel();
          resolve(r);
        },
        () => {
          if (done) return;
          done = true;
          t.cancel();
          resolve(null);
        },
      );
    });
  }
}
