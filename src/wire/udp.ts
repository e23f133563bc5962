import { readU16, writeU16 } from './addr.js';
import { checksum, pseudoHeaderSum } from './checksum.js';
import { PROTO_UDP } from './ipv4.js';

/** UDP (RFC 768). */
export const UDP_HLEN = 8;
export const udpSrcPort = (b: Uint8Array, o: number): number => readU16(b, o);
export const udpDstPort = (b: Uint8Array, o: number): number => readU16(b, o + 2);
export const udpLength = (b: Uint8Array, o: number): number => readU16(b, o + 4);
export const udpChecksum = (b: Uint8Array, o: number): number => readU16(b, o + 6);

/** Build a UDP datagram (header + payload) with its checksum over the pseudo-header. */
export function buildUdp(src: number, dst: number, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const len = UDP_HLEN + payload.length;
  const d = new Uint8Array(len);
  writeU16(d, 0, sport);
  writeU16(d, 2, dport);
  writeU16(d, 4, len);
  d.set(payload, UDP_HLEN);
  let c = checksum(d, 0, len, pseudoHeaderSum(src, dst, PROTO_UDP, len));
  if (c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
  writeU16(d, 6, c);
  return d;
}

/** Verify a received datagram's checksum (zero means "not computed", accepted per RFC 768). */
export function udpChecksumOk(src: number, dst: number, b: Uint8Array, o: number, len: number): boolean {
  if (udpChecksum(b, o) === 0) return true;
  return checksum(b, o, len, pseudoHeaderSum(src, dst, PROTO_UDP, len)) === 0;
}
