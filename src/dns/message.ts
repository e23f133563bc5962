/**
 * Minimal, allocation-light DNS message handling for the hot path (RFC 1035 §4.1).
 * Full decoding for tools uses `dns-packet`; servers only need the header, the single
 * question and the EDNS0 OPT record, so they parse those in place and build answers directly.
 */
import { parseIp, readU16, writeU16, writeU32 } from '../wire/addr.js';

export const HEADER_LEN = 12;

export const TYPE_A = 1;
export const TYPE_NS = 2;
export const TYPE_CNAME = 5;
export const TYPE_SOA = 6;
export const TYPE_PTR = 12;
export const TYPE_MX = 15;
export const TYPE_TXT = 16;
export const TYPE_AAAA = 28;
export const TYPE_SRV = 33;
export const TYPE_OPT = 41;
export const TYPE_ANY = 255;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;

export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

/** Flag bits of header word 2 (RFC 1035 §4.1.1). */
export const FLAG_QR = 0x8000;
export const FLAG_AA = 0x0400;
export const FLAG_TC = 0x0200;
export const FLAG_RD = 0x0100;
export const FLAG_RA = 0x0080;
export const FLAG_CD = 0x0010;

/** RFC 1035 §2.3.4 limits. */
const MAX_LABEL = 63;
const MAX_NAME = 255;

export const msgId = (b: Uint8Array): number => readU16(b, 0);
export const msgFlags = (b: Uint8Array): number => readU16(b, 2);
export const msgRcode = (b: Uint8Array): number => b[3]! & 0x0f;
export const msgOpcode = (b: Uint8Array): number => (b[2]! >> 3) & 0x0f;

/** Outcome of reading a name: the next offset, or -1 when malformed. Sets `lastName`. */
let lastName = '';
export function nameRead(): string {
  return lastName;
}

/**
 * Read a (possibly compressed) domain name at `off` (RFC 1035 §4.1.4). Returns the offset just
 * past the name in the original position, or -1 on a bad label type/length, overrun, name
 * longer than 255 octets, or a compression pointer that does not point strictly backwards
 * (which rules out loops). The dotted, lower-cased name (no trailing dot; '' for the root)
 * is left in `nameRead()` when `wantName`.
 */
export function readName(b: Uint8Array, off: number, end: number, wantName = true): number {
  let p = off;
  let next = -1;
  let wire = 0;
  let limit = p; // pointers must go strictly before the label that holds them
  let s = '';
  for (;;) {
    if (p >= end) return -1;
    const len = b[p]!;
    if (len === 0) {
      wire += 1;
      if (next < 0) next = p + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= end) return -1;
      const target = ((len & 0x3f) << 8) | b[p + 1]!;
      if (next < 0) next = p + 2;
      if (target >= limit) return -1;
      limit = target;
      p = target;
      continue;
    }
    if (kind !== 0) return -1; // 0x40 / 0x80: extended or reserved label types
    if (len > MAX_LABEL) return -1;
    if (p + 1 + len > end) return -1;
    wire += len + 1;
    if (wire + 1 > MAX_NAME) return -1;
    if (wantName) {
      if (s.length) s += '.';
      for (let i = p + 1; i <= p + len; i++) {
        let c = b[i]!;
        if (c >= 65 && c <= 90) c += 32; // ASCII lower-case (RFC 4343)
        s += String.fromCharCode(c);
      }
    }
    p += len + 1;
    if (next < 0) limit = p;
  }
  lastName = s;
  return next;
}

/** Skip a resource record at `off`; returns the next offset or -1. Sets rrType/rrClass. */
export let rrType = 0;
export let rrClass = 0;
export let rrRdOff = 0;
export let rrRdLen = 0;
export function skipRR(b: Uint8Array, off: number, end: number): number {
  const p = readName(b, off, end, false);
  if (p < 0 || p + 10 > end) return -1;
  rrType = readU16(b, p);
  rrClass = readU16(b, p + 2);
  rrRdLen = readU16(b, p + 8);
  rrRdOff = p + 10;
  const n = rrRdOff + rrRdLen;
  return n > end ? -1 : n;
}

/** A query's parsed parts (reused object on the server's hot path). */
export interface Question {
  id: number;
  flags: number;
  opcode: number;
  qname: string;
  qtype: number;
  qclass: number;
  /** Offset just past the question section. */
  qEnd: number;
  /** EDNS0 advertised UDP payload size (RFC 6891 §6.2.3), 0 if no OPT record. */
  udpSize: number;
}

export function newQuestion(): Question {
  return { id: 0, flags: 0, opcode: 0, qname: '', qtype: 0, qclass: 0, qEnd: 0, udpSize: 0 };
}

export const PARSE_DROP = -1;
export const PARSE_OK = 0;

/**
 * Parse a query. Returns PARSE_OK, PARSE_DROP (no readable header, or not a query: QR set),
 * or an rcode to answer with (FORMERR, NOTIMP). Acceptance rules follow what the Go `miekg/dns`
 * server under Docker's resolver does: QDCOUNT must be 1, at most one answer/authority record
 * and two additional records; opcode other than QUERY → NOTIMP.
 */
export function parseQuery(b: Uint8Array, len: number, q: Question): number {
  if (len < HEADER_LEN) return PARSE_DROP;
  q.id = readU16(b, 0);
  q.flags = readU16(b, 2);
  q.opcode = (q.flags >> 11) & 0x0f;
  if (q.flags & FLAG_QR) return PARSE_DROP;
  if (q.opcode !== 0 && q.opcode !== 4 /* NOTIFY */) return RCODE_NOTIMP;
  const qd = readU16(b, 4);
  const an = readU16(b, 6);
  const ns = readU16(b, 8);
  const ar = readU16(b, 10);
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) return RCODE_FORMERR;
  let p = readName(b, HEADER_LEN, len);
  if (p < 0 || p + 4 > len) return RCODE_FORMERR;
  // A pointer in the question can only point into the header, which holds no name (RFC 1035
  // §4.1.4) and changes in the reply: replies copy the question bytes, so reject it.
  for (let i = HEADER_LEN; i < p; i += b[i]! + 1) if (b[i]! & 0xc0) return RCODE_FORMERR;
  q.qname = lastName;
  q.qtype = readU16(b, p);
  q.qclass = readU16(b, p + 2);
  p += 4;
  q.qEnd = p;
  q.udpSize = 0;
  for (let i = 0; i < an + ns; i++) {
    p = skipRR(b, p, len);
    if (p < 0) return RCODE_FORMERR;
  }
  for (let i = 0; i < ar; i++) {
    p = skipRR(b, p, len);
    if (p < 0) return RCODE_FORMERR;
    if (rrType === TYPE_OPT) q.udpSize = rrClass;
  }
  return PARSE_OK;
}

/**
 * Start a reply in `out`: header copied from the query with QR set, opcode/RD/CD kept
 * (miekg SetReply), then the question bytes verbatim (so the name keeps the client's case).
 * Returns the offset where answers go.
 */
export function writeReplyHead(out: Uint8Array, query: Uint8Array, q: Question, rcode: number, extraFlags: number, withQuestion = true): number {
  writeU16(out, 0, q.id);
  const flags = FLAG_QR | (q.opcode << 11) | (q.flags & (FLAG_RD | FLAG_CD)) | extraFlags | (rcode & 0x0f);
  writeU16(out, 2, flags);
  writeU16(out, 4, withQuestion ? 1 : 0);
  writeU16(out, 6, 0);
  writeU16(out, 8, 0);
  writeU16(out, 10, 0);
  if (!withQuestion) return HEADER_LEN;
  out.set(query.subarray(HEADER_LEN, q.qEnd), HEADER_LEN);
  return q.qEnd;
}

/**
 * Header-only rejection (miekg server: SetRcodeFormatError on the request header): the
 * request's flag bits are kept except QR=1, AA=0, Z=0, opcode QUERY (kept for NOTIMP), rcode.
 */
export function writeRejectHead(out: Uint8Array, q: Question, rcode: number): void {
  writeU16(out, 0, q.id);
  const opcode = rcode === RCODE_NOTIMP ? q.opcode : 0;
  const keep = q.flags & (FLAG_TC | FLAG_RD | FLAG_RA | FLAG_CD | 0x0020 /* AD */);
  writeU16(out, 2, FLAG_QR | (opcode << 11) | keep | (rcode & 0x0f));
  for (let i = 4; i < HEADER_LEN; i++) out[i] = 0;
}

/** Append an RR whose owner is the question name (pointer to offset 12). Returns the new offset. */
export function writeRRHead(out: Uint8Array, o: number, type: number, ttl: number, rdlen: number): number {
  out[o] = 0xc0;
  out[o + 1] = HEADER_LEN;
  writeU16(out, o + 2, type);
  writeU16(out, o + 4, CLASS_IN);
  writeU32(out, o + 6, ttl);
  writeU16(out, o + 10, rdlen);
  return o + 12;
}

/** Wire form of a dotted name (RFC 1035 §3.1), uncompressed, root-terminated. */
export function encodeName(name: string): Uint8Array {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = n.length ? n.split('.') : [];
  let size = 1;
  for (const l of labels) size += 1 + Buffer.byteLength(l);
  const out = new Uint8Array(size);
  let o = 0;
  for (const l of labels) {
    const bytes = Buffer.from(l);
    out[o++] = Math.min(bytes.length, MAX_LABEL);
    out.set(bytes.subarray(0, MAX_LABEL), o);
    o += Math.min(bytes.length, MAX_LABEL);
  }
  out[o] = 0;
  return out;
}

/** '3.0.18.172.in-addr.arpa' → 172.18.0.3, or -1 if it is not an IPv4 reverse name. */
export function parseReverseName(name: string): number {
  const suffix = '.in-addr.arpa';
  if (!name.endsWith(suffix)) return -1;
  const parts = name.slice(0, -suffix.length).split('.');
  if (parts.length !== 4) return -1;
  return parseIp(parts.reverse().join('.'));
}

export function reverseName(ip: number): string {
  return `${ip & 255}.${(ip >>> 8) & 255}.${(ip >>> 16) & 255}.${ip >>> 24}.in-addr.arpa`;
}

/** Build a standard query (RD set) for `name`, with an optional EDNS0 OPT record. */
export function buildQuery(id: number, name: string, type: number, edns0 = 0): Uint8Array {
  const qn = encodeName(name);
  const size = HEADER_LEN + qn.length + 4 + (edns0 ? 11 : 0);
  const b = new Uint8Array(size);
  writeU16(b, 0, id);
  writeU16(b, 2, FLAG_RD);
  writeU16(b, 4, 1);
  writeU16(b, 10, edns0 ? 1 : 0);
  b.set(qn, HEADER_LEN);
  let o = HEADER_LEN + qn.length;
  writeU16(b, o, type);
  writeU16(b, o + 2, CLASS_IN);
  o += 4;
  if (edns0) {
    // RFC 6891 §6.1.2: root owner, TYPE OPT, CLASS = UDP payload size.
    b[o] = 0;
    writeU16(b, o + 1, TYPE_OPT);
    writeU16(b, o + 3, edns0);
  }
  return b;
}

/** A parsed response for stub resolvers and tools. */
export interface Answer {
  name: string;
  type: number;
  ttl: number;
  /** A: uint32 address; PTR/CNAME/NS: target name; otherwise undefined. */
  address?: number;
  target?: string;
}

export interface Response {
  id: number;
  flags: number;
  rcode: number;
  qname: string;
  qtype: number;
  answers: Answer[];
}

/** Decode a response (question + answer section). Returns null if malformed. */
export function parseResponse(b: Uint8Array, len = b.length): Response | null {
  if (len < HEADER_LEN) return null;
  const flags = readU16(b, 2);
  if (!(flags & FLAG_QR)) return null;
  const qd = readU16(b, 4);
  const an = readU16(b, 6);
  let p = HEADER_LEN;
  let qname = '';
  let qtype = 0;
  for (let i = 0; i < qd; i++) {
    p = readName(b, p, len);
    if (p < 0 || p + 4 > len) return null;
    if (i === 0) {
      qname = lastName;
      qtype = readU16(b, p);
    }
    p += 4;
  }
  const answers: Answer[] = [];
  for (let i = 0; i < an; i++) {
    const start = p;
    p = readName(b, start, len);
    if (p < 0 || p + 10 > len) return null;
    const name = lastName;
    const type = readU16(b, p);
    const ttl = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
    const rdlen = readU16(b, p + 8);
    const rd = p + 10;
    if (rd + rdlen > len) return null;
    const a: Answer = { name, type, ttl };
    if (type === TYPE_A && rdlen === 4) a.address = ((b[rd]! << 24) | (b[rd + 1]! << 16) | (b[rd + 2]! << 8) | b[rd + 3]!) >>> 0;
    else if (type === TYPE_PTR || type === TYPE_CNAME || type === TYPE_NS) {
      if (readName(b, rd, len) < 0) return null;
      a.target = lastName;
    }
    answers.push(a);
    p = rd + rdlen;
  }
  return { id: readU16(b, 0), flags, rcode: flags & 0x0f, qname, qtype, answers };
}
