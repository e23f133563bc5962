import { readU16, readU32, writeU16, writeU32 } from './addr.js';
import { checksum } from './checksum.js';

/** IPv4 (RFC 791), parsed in place: accessors take the buffer and the header's offset. */
export const IPV4_MIN_HLEN = 20;
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

export const ipHlen = (b: Uint8Array, o: number): number => (b[o]! & 0x0f) << 2;
export const ipTos = (b: Uint8Array, o: number): number => b[o + 1]!;
export const ipTotalLen = (b: Uint8Array, o: number): number => readU16(b, o + 2);
export const ipId = (b: Uint8Array, o: number): number => readU16(b, o + 4);
export const ipDF = (b: Uint8Array, o: number): boolean => (b[o + 6]! & 0x40) !== 0;
export const ipMF = (b: Uint8Array, o: number): boolean => (b[o + 6]! & 0x20) !== 0;
/** Fragment offset in bytes. */
export const ipFragOffset = (b: Uint8Array, o: number): number => (readU16(b, o + 6) & 0x1fff) * 8;
export const ipTtl = (b: Uint8Array, o: number): number => b[o + 8]!;
export const ipProto = (b: Uint8Array, o: number): number => b[o + 9]!;
export const ipChecksum = (b: Uint8Array, o: number): number => readU16(b, o + 10);
export const ipSrc = (b: Uint8Array, o: number): number => readU32(b, o + 12);
export const ipDst = (b: Uint8Array, o: number): number => readU32(b, o + 16);

/** Why an IPv4 header was rejected (counted by the stack as Linux counts InHdrErrors etc.). */
export const enum IpError {
  Ok = 0,
  Truncated = -1,
  Version = -2,
  HeaderLength = -3,
  TotalLength = -4,
  Checksum = -5,
}

/**
 * Validate an IPv4 header at `o` within `len` available bytes (RFC 1122 §3.2.1.1–2).
 * Returns the header length (options included, so they are skipped correctly) or an IpError.
 */
export function validateIpv4(b: Uint8Array, o: number, len: number): number {
  if (len < IPV4_MIN_HLEN) return IpError.Truncated;
  if (b[o]! >> 4 !== 4) return IpError.Version;
  const hl = ipHlen(b, o);
  if (hl < IPV4_MIN_HLEN || hl > len) return IpError.HeaderLength;
  const tl = ipTotalLen(b, o);
  if (tl < hl || tl > len) return IpError.TotalLength;
  if (checksum(b, o, hl) !== 0) return IpError.Checksum;
  return hl;
}

export interface Ipv4HeaderFields {
  tos?: number;
  totalLen: number;
  id: number;
  df?: boolean;
  ttl: number;
  proto: number;
  src: number;
  dst: number;
}

/** Write a 20-byte header (no options) with a correct checksum. */
export function writeIpv4Header(b: Uint8Array, o: number, h: Ipv4HeaderFields): void {
  b[o] = 0x45;
  b[o + 1] = h.tos ?? 0;
  writeU16(b, o + 2, h.totalLen);
  writeU16(b, o + 4, h.id);
  b[o + 6] = h.df ? 0x40 : 0;
  b[o + 7] = 0;
  b[o + 8] = h.ttl;
  b[o + 9] = h.proto;
  b[o + 10] = 0;
  b[o + 11] = 0;
  writeU32(b, o + 12, h.src);
  writeU32(b, o + 16, h.dst);
  writeU16(b, o + 10, checksum(b, o, IPV4_MIN_HLEN));
}

/** Recompute the header checksum in place (after NAT or option edits). */
export function refreshIpChecksum(b: Uint8Array, o: number): void {
  b[o + 10] = 0;
  b[o + 11] = 0;
  writeU16(b, o + 10, checksum(b, o, ipHlen(b, o)));
}

/** A decoded header, for tests, logs and tools (not the hot path). */
export interface Ipv4Header {
  version: number;
  ihl: number;
  tos: number;
  totalLength: number;
  id: number;
  df: boolean;
  mf: boolean;
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: number;
  dst: number;
  options: Uint8Array;
  payload: Uint8Array;
}

export function decodeIpv4(b: Uint8Array, o = 0): Ipv4Header | null {
  const hl = validateIpv4(b, o, b.length - o);
  if (hl < 0) return null;
  const tl = ipTotalLen(b, o);
  return {
    version: 4,
    ihl: hl >> 2,
    tos: ipTos(b, o),
    totalLength: tl,
    id: ipId(b, o),
    df: ipDF(b, o),
    mf: ipMF(b, o),
    fragmentOffset: ipFragOffset(b, o),
    ttl: ipTtl(b, o),
    protocol: ipProto(b, o),
    checksum: ipChecksum(b, o),
    src: ipSrc(b, o),
    dst: ipDst(b, o),
    options: b.subarray(o + IPV4_MIN_HLEN, o + hl),
    payload: b.subarray(o + hl, o + tl),
  };
}

/** Encode a full packet (header options allowed, padded to 4 bytes) — tests and tools. */
export function encodeIpv4(h: Omit<Ipv4HeaderFields, 'totalLen'> & { mf?: boolean; fragmentOffset?: number; options?: Uint8Array; payload: Uint8Array }): Uint8Array {
  const optLen = h.options ? (h.options.length + 3) & ~3 : 0;
  const hl = IPV4_MIN_HLEN + optLen;
  const b = new Uint8Array(hl + h.payload.length);
  b[0] = 0x40 | (hl >> 2);
  b[1] = h.tos ?? 0;
  writeU16(b, 2, b.length);
  writeU16(b, 4, h.id);
  writeU16(b, 6, (h.df ? 0x4000 : 0) | (h.mf ? 0x2000 : 0) | (((h.fragmentOffset ?? 0) / 8) & 0x1fff));
  b[8] = h.ttl;
  b[9] = h.proto;
  writeU32(b, 12, h.src);
  writeU32(b, 16, h.dst);
  if (h.options) b.set(h.options, IPV4_MIN_HLEN);
  writeU16(b, 10, checksum(b, 0, hl));
  b.set(h.payload, hl);
  return b;
}
