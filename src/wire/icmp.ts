import { readU16, writeU16 } from './addr.js';
import { checksum } from './checksum.js';

/** ICMP (RFC 792). */
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;

/** Destination Unreachable codes. */
export const UNREACH_NET = 0;
export const UNREACH_HOST = 1;
export const UNREACH_PROTOCOL = 2;
export const UNREACH_PORT = 3;
export const UNREACH_FRAG_NEEDED = 4;
export const UNREACH_NET_PROHIBITED = 9;
export const UNREACH_HOST_PROHIBITED = 10;
export const UNREACH_ADMIN_PROHIBITED = 13;

export const ICMP_HLEN = 8;

export const icmpType = (b: Uint8Array, o: number): number => b[o]!;
export const icmpCode = (b: Uint8Array, o: number): number => b[o + 1]!;
export const icmpEchoId = (b: Uint8Array, o: number): number => readU16(b, o + 4);
export const icmpEchoSeq = (b: Uint8Array, o: number): number => readU16(b, o + 6);

/** Write an ICMP header at `o` over a message of `len` bytes already in place, then checksum it. */
export function writeIcmpHeader(b: Uint8Array, o: number, len: number, type: number, code: number, rest: number): void {
  b[o] = type;
  b[o + 1] = code;
  b[o + 2] = 0;
  b[o + 3] = 0;
  b[o + 4] = rest >>> 24;
  b[o + 5] = rest >>> 16;
  b[o + 6] = rest >>> 8;
  b[o + 7] = rest;
  writeU16(b, o + 2, checksum(b, o, len));
}

/** Build an echo request/reply message (ICMP header + data). */
export function buildEcho(type: number, id: number, seq: number, data: Uint8Array): Uint8Array {
  const m = new Uint8Array(ICMP_HLEN + data.length);
  m.set(data, ICMP_HLEN);
  writeIcmpHeader(m, 0, m.length, type, 0, ((id & 0xffff) << 16 | (seq & 0xffff)) >>> 0);
  return m;
}

/**
 * Build an error message quoting the offending datagram: its IP header plus the first 8 bytes
 * of its payload (RFC 792; Linux quotes more, up to 576 total, but 8 is what every stack needs).
 */
export function buildIcmpError(type: number, code: number, orig: Uint8Array, origOff: number, origHlen: number, origTotal: number, rest = 0): Uint8Array {
  const quoteLen = Math.min(origTotal, origHlen + 8);
  const m = new Uint8Array(ICMP_HLEN + quoteLen);
  m.set(orig.subarray(origOff, origOff + quoteLen), ICMP_HLEN);
  writeIcmpHeader(m, 0, m.length, type, code, rest);
  return m;
}

export function icmpChecksumOk(b: Uint8Array, o: number, len: number): boolean {
  return checksum(b, o, len) === 0;
}

export const icmpRest = (b: Uint8Array, o: number): number => readU16(b, o + 4) * 65536 + readU16(b, o + 6);
