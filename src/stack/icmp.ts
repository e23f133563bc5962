import { readU16 } from '../wire/addr.js';
import { checksum } from '../wire/checksum.js';
import {
  ICMP_DEST_UNREACH, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_HLEN, ICMP_TIME_EXCEEDED, buildEcho, writeIcmpHeader,
} from '../wire/icmp.js';
import { ipHlen, ipProto, ipTtl, PROTO_ICMP } from '../wire/ipv4.js';
import type { Namespace } from './namespace.js';

export interface EchoReply {
  from: number;
  seq: number;
  ttl: number;
  /** ICMP bytes (header + data), what ping prints as "64 bytes". */
  bytes: number;
  data: Uint8Array;
}

export interface EchoError {
  from: number;
  type: number;
  code: number;
  seq: number;
}

/**
 * A ping socket (like Linux's unprivileged ICMP datagram socket): sends echo requests with
 * its own identifier and receives the matching replies and errors.
 */
export class PingSocket {
  onReply: ((r: EchoReply) => void) | null = null;
  onError: ((e: EchoError) => void) | null = null;
  closed = false;
  constructor(private readonly icmp: Icmp, readonly id: number) {}

  /** Returns 0 or a negative errno (e.g. -ENETUNREACH). */
  send(dst: number, seq: number, data: Uint8Array, opts: { ttl?: number; src?: number } = {}): number {
    const msg = buildEcho(ICMP_ECHO_REQUEST, this.id, seq, data);
    this.icmp.ns.icmpStats.OutMsgs++;
    this.icmp.ns.icmpStats.OutEchos++;
    // ping sets DF only with -M do; Linux default pmtudisc "want" sets DF for ICMP sockets too,
    // but echo requests from ping appear with DF set on Linux; replies have DF clear.
    return this.icmp.ns.ipOutput(PROTO_ICMP, opts.src ?? 0, dst, msg, { ttl: opts.ttl, df: true });
  }

  close(): void {
    this.closed = true;
    this.icmp.sockets.delete(this.id);
  }
}

export class Icmp {
  readonly sockets = new Map<number, PingSocket>();
  /** Ignore echo requests to broadcast addresses (icmp_echo_ignore_broadcasts=1). */
  ignoreBroadcasts = true;

  constructor(readonly ns: Namespace) {}

  openPing(): PingSocket {
    let id = this.ns.prng.int(1, 0xffff);
    while (this.sockets.has(id)) id = (id % 0xffff) + 1;
    const s = new PingSocket(this, id);
    this.sockets.set(id, s);
    return s;
  }

  /** An ICMP message delivered locally. `b[ipOff..]` is the IP header. */
  input(b: Uint8Array, ipOff: number, l4Off: number, l4Len: number, src: number, dst: number, broadcast: boolean): void {
    const st = this.ns.icmpStats;
    st.InMsgs++;
    if (l4Len < ICMP_HLEN) {
      st.InErrors++;
      return;
    }
    if (checksum(b, l4Off, l4Len) !== 0) {
      st.InErrors++;
      st.InCsumErrors++;
      return;
    }
    const type = b[l4Off]!;
    switch (type) {
      case ICMP_ECHO_REQUEST: {
        st.InEchos++;
        if (broadcast && this.ignoreBroadcasts) return;
        // Echo reply: same id/seq/data, from the address that was pinged (RFC 1122 §3.2.2.6).
        const reply = b.slice(l4Off, l4Off + l4Len);
        writeIcmpHeader(reply, 0, reply.length, ICMP_ECHO_REPLY, 0, (readU16(b, l4Off + 4) << 16 | readU16(b, l4Off + 6)) >>> 0);
        st.OutMsgs++;
        st.OutEchoReps++;
        this.ns.ipOutput(PROTO_ICMP, broadcast ? 0 : dst, src, reply, { df: false });
        return;
      }
      case ICMP_ECHO_REPLY: {
        st.InEchoReps++;
        const s = this.sockets.get(readU16(b, l4Off + 4));
        s?.onReply?.({ from: src, seq: readU16(b, l4Off + 6), ttl: ipTtl(b, ipOff), bytes: l4Len, data: b.slice(l4Off + ICMP_HLEN, l4Off + l4Len) });
        return;
      }
      case ICMP_DEST_UNREACH:
      case ICMP_TIME_EXCEEDED: {
        if (type === ICMP_DEST_UNREACH) st.InDestUnreachs++;
        else st.InTimeExcds++;
        const q = l4Off + ICMP_HLEN;
        const qLen = l4Len - ICMP_HLEN;
        if (qLen < 20 || b[q]! >> 4 !== 4) {
          st.InErrors++;
          return;
        }
        const qhl = ipHlen(b, q);
        if (qLen < qhl + 8) {
          st.InErrors++;
          return;
        }
        const code = b[l4Off + 1]!;
        const qp = ipProto(b, q);
        if (qp === PROTO_ICMP) {
          if (b[q + qhl] === ICMP_ECHO_REQUEST) {
            const s = this.sockets.get(readU16(b, q + qhl + 4));
            s?.onError?.({ from: src, type, code, seq: readU16(b, q + qhl + 6) });
          }
          return;
        }
        this.ns.protocol(qp)?.icmpError?.(type, code, b, q, qLen, src);
        return;
      }
      default:
        return;
    }
  }

  dispose(): void {
    for (const s of this.sockets.values()) s.closed = true;
    this.sockets.clear();
  }
}
