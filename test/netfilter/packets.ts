/** Test helpers: real IPv4 packets (with correct checksums) and a fake NetfilterHost. */
import { encodeIpv4, PROTO_ICMP, PROTO_TCP, PROTO_UDP, ipHlen, ipTotalLen, ipProto, ipSrc, ipDst } from '../../src/wire/ipv4.js';
import { buildUdp } from '../../src/wire/udp.js';
import { buildEcho, buildIcmpError } from '../../src/wire/icmp.js';
import { checksum, pseudoHeaderSum } from '../../src/wire/checksum.js';
import { parseIp, readU16, writeU16, writeU32 } from '../../src/wire/addr.js';
import type { NetfilterHost, NfPacket, RejectKind } from '../../src/netfilter/hook.js';

export const ip = (s: string): number => {
  const v = parseIp(s);
  if (v < 0) throw new Error(`bad ip ${s}`);
  return v;
};

export const SYN = 0x02;
export const ACK = 0x10;
export const FIN = 0x01;
export const RST = 0x04;
export const PSH = 0x08;

export function tcpSegment(src: number, dst: number, sport: number, dport: number, flags: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const t = new Uint8Array(20 + payload.length);
  writeU16(t, 0, sport);
  writeU16(t, 2, dport);
  writeU32(t, 4, 1000);
  writeU32(t, 8, flags & ACK ? 2000 : 0);
  t[12] = 5 << 4;
  t[13] = flags;
  writeU16(t, 14, 65535);
  t.set(payload, 20);
  writeU16(t, 16, checksum(t, 0, t.length, pseudoHeaderSum(src, dst, PROTO_TCP, t.length)));
  return t;
}

export function tcp(src: string, dst: string, sport: number, dport: number, flags: number, payload?: Uint8Array): Uint8Array {
  const s = ip(src);
  const d = ip(dst);
  return encodeIpv4({ id: 1, ttl: 64, proto: PROTO_TCP, src: s, dst: d, payload: tcpSegment(s, d, sport, dport, flags, payload) });
}

export function udp(src: string, dst: string, sport: number, dport: number, payload: Uint8Array = new Uint8Array([1, 2, 3, 4, 5])): Uint8Array {
  const s = ip(src);
  const d = ip(dst);
  return encodeIpv4({ id: 2, ttl: 64, proto: PROTO_UDP, src: s, dst: d, payload: buildUdp(s, d, sport, dport, payload) });
}

/** UDP with checksum 0 ("not computed"). */
export function udpNoChecksum(src: string, dst: string, sport: number, dport: number): Uint8Array {
  const s = ip(src);
  const d = ip(dst);
  const u = buildUdp(s, d, sport, dport, new Uint8Array([9, 9]));
  u[6] = 0;
  u[7] = 0;
  return encodeIpv4({ id: 3, ttl: 64, proto: PROTO_UDP, src: s, dst: d, payload: u });
}

export function echo(src: string, dst: string, type: 8 | 0, id: number, seq = 1): Uint8Array {
  return encodeIpv4({ id: 4, ttl: 64, proto: PROTO_ICMP, src: ip(src), dst: ip(dst), payload: buildEcho(type, id, seq, new Uint8Array(16)) });
}

/** An ICMP error from `from` to `to` quoting `orig`. */
export function icmpError(from: string, to: string, type: number, code: number, orig: Uint8Array): Uint8Array {
  const m = buildIcmpError(type, code, orig, 0, ipHlen(orig, 0), ipTotalLen(orig, 0));
  return encodeIpv4({ id: 5, ttl: 64, proto: PROTO_ICMP, src: ip(from), dst: ip(to), payload: m });
}

export function pkt(buf: Uint8Array, inIf: string | null = null, outIf: string | null = null): NfPacket {
  return { buf, off: 0, inIf, outIf, ct: null };
}

export interface FakeHost extends NetfilterHost {
  time: number;
  rejects: { kind: RejectKind; buf: Uint8Array }[];
  local: Set<number>;
  ifaddr: Map<string, number>;
}

export function fakeHost(local: string[] = [], ifaddr: Record<string, string> = {}): FakeHost {
  const h: FakeHost = {
    time: 0,
    rejects: [],
    local: new Set(local.map(ip)),
    ifaddr: new Map(Object.entries(ifaddr).map(([k, v]) => [k, ip(v)])),
    now: () => h.time,
    isLocalAddress: (a) => h.local.has(a) || a >>> 24 === 127,
    interfaceAddress: (n) => h.ifaddr.get(n) ?? -1,
    reject: (p, kind) => {
      h.rejects.push({ kind, buf: p.buf });
    },
  };
  return h;
}

/** Are the IP header checksum and the L4 checksum (TCP/UDP/ICMP) correct? */
export function checksumsOk(b: Uint8Array, o = 0): boolean {
  const hl = ipHlen(b, o);
  if (checksum(b, o, hl) !== 0) return false;
  const len = ipTotalLen(b, o) - hl;
  const l4 = o + hl;
  const proto = ipProto(b, o);
  if (proto === PROTO_TCP) return checksum(b, l4, len, pseudoHeaderSum(ipSrc(b, o), ipDst(b, o), proto, len)) === 0;
  if (proto === PROTO_UDP) return readU16(b, l4 + 6) === 0 || checksum(b, l4, len, pseudoHeaderSum(ipSrc(b, o), ipDst(b, o), proto, len)) === 0;
  if (proto === PROTO_ICMP) return checksum(b, l4, len) === 0;
  return true;
}

export const srcOf = (b: Uint8Array): number => ipSrc(b, 0);
export const dstOf = (b: Uint8Array): number => ipDst(b, 0);
export const sportOf = (b: Uint8Array): number => readU16(b, ipHlen(b, 0));
export const dportOf = (b: Uint8Array): number => readU16(b, ipHlen(b, 0) + 2);
