import { readU16, readU32, writeU16, writeU32 } from './addr.js';
import { finish, pseudoHeaderSum, sum16 } from './checksum.js';
import { PROTO_TCP } from './ipv4.js';

/**
 * TCP header codec (RFC 9293 §3.1), parsed in place: accessors take the buffer and the offset of
 * the TCP header. Options per RFC 9293 §3.2 (MSS), RFC 7323 (WS, TS), RFC 2018 (SACK).
 */
export const TCP_HLEN = 20;
export const TCP_MAX_HLEN = 60;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export const OPT_EOL = 0;
export const OPT_NOP = 1;
export const OPT_MSS = 2;
export const OPT_WS = 3;
export const OPT_SACK_PERM = 4;
export const OPT_SACK = 5;
export const OPT_TS = 8;

export const tcpSrcPort = (b: Uint8Array, o: number): number => readU16(b, o);
export const tcpDstPort = (b: Uint8Array, o: number): number => readU16(b, o + 2);
export const tcpSeq = (b: Uint8Array, o: number): number => readU32(b, o + 4);
export const tcpAck = (b: Uint8Array, o: number): number => readU32(b, o + 8);
/** Header length in bytes (data offset × 4). */
export const tcpHlen = (b: Uint8Array, o: number): number => (b[o + 12]! >> 4) << 2;
export const tcpFlags = (b: Uint8Array, o: number): number => b[o + 13]!;
export const tcpWindow = (b: Uint8Array, o: number): number => readU16(b, o + 14);
export const tcpChecksum = (b: Uint8Array, o: number): number => readU16(b, o + 16);
export const tcpUrgent = (b: Uint8Array, o: number): number => readU16(b, o + 18);

/** Write the fixed 20-byte header (checksum zeroed; fill it with setTcpChecksum). */
export function writeTcpHeader(
  b: Uint8Array, o: number, sport: number, dport: number, seq: number, ack: number,
  hlen: number, flags: number, window: number, urg = 0,
): void {
  writeU16(b, o, sport);
  writeU16(b, o + 2, dport);
  writeU32(b, o + 4, seq);
  writeU32(b, o + 8, ack);
  b[o + 12] = (hlen >> 2) << 4;
  b[o + 13] = flags;
  writeU16(b, o + 14, window);
  b[o + 16] = 0;
  b[o + 17] = 0;
  writeU16(b, o + 18, urg);
}

/** Compute and store the checksum over the IPv4 pseudo-header + segment (RFC 9293 §3.1). */
export function setTcpChecksum(b: Uint8Array, o: number, len: number, src: number, dst: number): void {
  b[o + 16] = 0;
  b[o + 17] = 0;
  writeU16(b, o + 16, finish(sum16(b, o, len) + pseudoHeaderSum(src, dst, PROTO_TCP, len)));
}

export function tcpChecksumOk(b: Uint8Array, o: number, len: number, src: number, dst: number): boolean {
  return finish(sum16(b, o, len) + pseudoHeaderSum(src, dst, PROTO_TCP, len)) === 0;
}



/**
 * Parsed options. One instance is reused by the receive path (call reset() or let
 * parseTcpOptions do it), so parsing allocates nothing. -1 / false mean "absent".
 */
export class TcpOptions {
  mss = -1;
  wscale = -1;
  sackPerm = false;
  hasTs = false;
  tsVal = 0;
  tsEcr = 0;
  /** Number of SACK blocks; edges in sack[0..2*sackCount) as (left, right) pairs. */
  sackCount = 0;
  readonly sack: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  reset(): void {
    this.mss = -1;
    this.wscale = -1;
    this.sackPerm = false;
    this.hasTs = false;
    this.tsVal = 0;
    this.tsEcr = 0;
    this.sackCount = 0;
  }
}

/**
 * Parse the options of the header at `o` (header length `hlen`) into `out`. Returns false when
 * the option list is malformed (bad length byte, option running past the header); what was
 * parsed before the fault is kept, like Linux's tcp_parse_options, which stops at the fault.
 * Options with a wrong fixed length are ignored (RFC 9293 §3.2: MUST NOT crash on them).
 */
export function parseTcpOptions(b: Uint8Array, o: number, hlen: number, out: TcpOptions): boolean {
  out.reset();
  let i = o + TCP_HLEN;
  const end = o + hlen;
  if (end > b.length) return false;
  while (i < end) {
    const kind = b[i]!;
    if (kind === OPT_EOL) return true;
    if (kind === OPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return false;
    const len = b[i + 1]!;
    if (len < 2 || i + len > end) return false;
    switch (kind) {
      case OPT_MSS:
        if (len === 4) out.mss = readU16(b, i + 2);
        break;
      case OPT_WS:
        // RFC 7323 §2.3: a shift above 14 is treated as 14.
        if (len === 3) out.wscale = Math.min(b[i + 2]!, 14);
        break;
      case OPT_SACK_PERM:
        if (len === 2) out.sackPerm = true;
        break;
      case OPT_TS:
        if (len === 10) {
          out.hasTs = true;
          out.tsVal = readU32(b, i + 2);
          out.tsEcr = readU32(b, i + 6);
        }
        break;
      case OPT_SACK:
        if (len >= 10 && (len - 2) % 8 === 0) {
          const n = Math.min((len - 2) >> 3, 4);
          for (let k = 0; k < n; k++) {
            out.sack[2 * k] = readU32(b, i + 2 + 8 * k);
            out.sack[2 * k + 1] = readU32(b, i + 6 + 8 * k);
          }
          out.sackCount = n;
        }
        break;
      default:
        break; // unknown options are skipped by their length
    }
    i += len;
  }
  return true;
}

/** What a SYN or SYN/ACK carries. */
export interface SynOptions {
  mss: number;
  sackPerm: boolean;
  /** Include a timestamp option. */
  ts: boolean;
  tsVal: number;
  tsEcr: number;
  /** Window scale shift, or -1 for none. */
  wscale: number;
}

/** Length of the SYN options written by writeSynOptions. */
export function synOptionsLength(s: SynOptions): number {
  let n = 4;
  if (s.ts) n += 12;
  else if (s.sackPerm) n += 4;
  if (s.wscale >= 0) n += 4;
  return n;
}

/**
 * Write SYN options in Linux's order and padding (tcp_options_write):
 * MSS, then SACK_PERM folded in front of TS (or NOP NOP SACK_PERM), then NOP WS. With all of
 * them this is `02 04 05 b4 04 02 08 0a <tsval> <tsecr> 01 03 03 07`. Returns bytes written.
 */
export function writeSynOptions(b: Uint8Array, o: number, s: SynOptions): number {
  let i = o;
  b[i] = OPT_MSS; b[i + 1] = 4; writeU16(b, i + 2, s.mss); i += 4;
  if (s.ts) {
    if (s.sackPerm) { b[i] = OPT_SACK_PERM; b[i + 1] = 2; } else { b[i] = OPT_NOP; b[i + 1] = OPT_NOP; }
    i = writeTsBody(b, i + 2, s.tsVal, s.tsEcr);
  } else if (s.sackPerm) {
    b[i] = OPT_NOP; b[i + 1] = OPT_NOP; b[i + 2] = OPT_SACK_PERM; b[i + 3] = 2; i += 4;
  }
  if (s.wscale >= 0) {
    b[i] = OPT_NOP; b[i + 1] = OPT_WS; b[i + 2] = 3; b[i + 3] = s.wscale; i += 4;
  }
  return i - o;
}

function writeTsBody(b: Uint8Array, i: number, tsVal: number, tsEcr: number): number {
  b[i] = OPT_TS;
  b[i + 1] = 10;
  writeU32(b, i + 2, tsVal);
  writeU32(b, i + 6, tsEcr);
  return i + 10;
}

/** NOP NOP TS (12 bytes), the layout of every non-SYN Linux segment with timestamps. */
export function writeTsOption(b: Uint8Array, o: number, tsVal: number, tsEcr: number): number {
  b[o] = OPT_NOP;
  b[o + 1] = OPT_NOP;
  writeTsBody(b, o + 2, tsVal, tsEcr);
  return 12;
}

/** NOP NOP SACK with `count` blocks from `edges` (left,right pairs). Returns bytes written. */
export function writeSackOption(b: Uint8Array, o: number, edges: ArrayLike<number>, count: number): number {
  b[o] = OPT_NOP;
  b[o + 1] = OPT_NOP;
  b[o + 2] = OPT_SACK;
  b[o + 3] = 2 + 8 * count;
  for (let k = 0; k < count; k++) {
    writeU32(b, o + 4 + 8 * k, edges[2 * k]!);
    writeU32(b, o + 8 + 8 * k, edges[2 * k + 1]!);
  }
  return 4 + 8 * count;
}

/** A decoded header, for tests and tools (tcpdump); the stack uses the accessors instead. */
export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  urg?: number;
  /** Raw option bytes (padded to a multiple of 4 by encodeTcp). */
  options?: Uint8Array;
  payload?: Uint8Array;
}

/** Build a whole segment with its checksum (not on the stack's hot path). */
export function encodeTcp(src: number, dst: number, s: TcpSegment): Uint8Array {
  const optLen = s.options ? (s.options.length + 3) & ~3 : 0;
  const hlen = TCP_HLEN + optLen;
  if (hlen > TCP_MAX_HLEN) throw new RangeError('TCP options exceed 40 bytes');
  const plen = s.payload ? s.payload.length : 0;
  const b = new Uint8Array(hlen + plen);
  writeTcpHeader(b, 0, s.srcPort, s.dstPort, s.seq >>> 0, s.ack >>> 0, hlen, s.flags, s.window, s.urg ?? 0);
  if (s.options) b.set(s.options, TCP_HLEN);
  if (s.payload) b.set(s.payload, hlen);
  setTcpChecksum(b, 0, b.length, src, dst);
  return b;
}

/** Decode a segment of `len` bytes at `o`; null when the header itself is impossible. */
export function decodeTcp(b: Uint8Array, o: number, len: number): (TcpSegment & { hlen: number; checksum: number }) | null {
  if (len < TCP_HLEN || o + len > b.length) return null;
  const hlen = tcpHlen(b, o);
  if (hlen < TCP_HLEN || hlen > len) return null;
  return {
    srcPort: tcpSrcPort(b, o),
    dstPort: tcpDstPort(b, o),
    seq: tcpSeq(b, o),
    ack: tcpAck(b, o),
    flags: tcpFlags(b, o),
    window: tcpWindow(b, o),
    urg: tcpUrgent(b, o),
    checksum: tcpChecksum(b, o),
    hlen,
    options: b.slice(o + TCP_HLEN, o + hlen),
    payload: b.slice(o + hlen, o + len),
  };
}

/** tcpdump-style flag letters: S, F, R, P, ., U, E, W. */
export function tcpFlagString(f: number): string {
  let s = '';
  if (f & TCP_SYN) s += 'S';
  if (f & TCP_FIN) s += 'F';
  if (f & TCP_RST) s += 'R';
  if (f & TCP_PSH) s += 'P';
  if (f & TCP_URG) s += 'U';
  if (f & TCP_ECE) s += 'E';
  if (f & TCP_CWR) s += 'W';
  if (f & TCP_ACK) s += '.';
  return s || 'none';
}
