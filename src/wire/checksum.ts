/**
 * The Internet checksum (RFC 1071). Sums 16-bit big-endian words; the accumulator is folded
 * only at the end, which is safe for any packet below ~128 KiB of 32-bit-safe additions.
 */
export function sum16(buf: Uint8Array, off: number, len: number, initial = 0): number {
  if (len >= 128 && LITTLE_ENDIAN && ((buf.byteOffset + off) & 1) === 0) return sumWide(buf, off, len, initial);
  let s = initial;
  const end = off + (len & ~1);
  let i = off;
  // 8 bytes per iteration: fewer loop branches.
  const end8 = off + (len & ~7);
  for (; i < end8; i += 8) {
    s += ((buf[i]! << 8) | buf[i + 1]!) + ((buf[i + 2]! << 8) | buf[i + 3]!) +
      ((buf[i + 4]! << 8) | buf[i + 5]!) + ((buf[i + 6]! << 8) | buf[i + 7]!);
  }
  for (; i < end; i += 2) s += (buf[i]! << 8) | buf[i + 1]!;
  if (len & 1) s += buf[end]! << 8;
  // Keep the partial sum bounded so callers can chain without overflowing 2^53.
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
let viewBuf: ArrayBufferLike | null = null;
let view: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/**
 * The same sum read 32 bits at a time through a Uint32Array over the buffer. RFC 1071 §2(B):
 * the one's complement sum is byte-order independent, so little-endian words are summed and
 * the folded result swapped once; and since 2^16 ≡ 1 (mod 2^16 − 1), whole 32-bit words can be
 * added and folded at the end. Needs an even start; a 2-mod-4 start takes one 16-bit word first.
 */
function sumWide(b: Uint8Array, o: number, len: number, initial: number): number {
  let s = initial;
  let i = o;
  if (((b.byteOffset + i) & 2) !== 0) {
    s += (b[i]! << 8) | b[i + 1]!;
    i += 2;
    len -= 2;
  }
  const ab = b.buffer;
  if (ab !== viewBuf) {
    viewBuf = ab;
    view = new Uint32Array(ab, 0, ab.byteLength >>> 2);
  }
  const u = view;
  let k = (b.byteOffset + i) >>> 2;
  const end = k + (len >>> 2);
  let a0 = 0;
  let a1 = 0;
  for (const end4 = end - 3; k < end4; k += 4) {
    a0 += u[k]! + u[k + 1]!;
    a1 += u[k + 2]! + u[k + 3]!;
  }
  for (; k < end; k++) a0 += u[k]!;
  let le = a0 + a1; // < 2^53 for any IPv4 datagram
  le = (le % 4294967296) + Math.floor(le / 4294967296);
  while (le > 0xffff) le = (le % 65536) + Math.floor(le / 65536);
  s += ((le & 0xff) << 8) | (le >>> 8);
  const rem = len & 3;
  if (rem !== 0) {
    const t = i + (len - rem);
    if (rem >= 2) s += (b[t]! << 8) | b[t + 1]!;
    if (rem & 1) s += b[t + rem - 1]! << 8;
  }
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

/** Fold and complement a partial sum into the 16-bit checksum field value. */
export function finish(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export function checksum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  return finish(sum16(buf, off, len, initial));
}

/** Partial sum of the IPv4 pseudo-header (RFC 793 §3.1 / RFC 768) for TCP/UDP. */
export function pseudoHeaderSum(src: number, dst: number, proto: number, l4len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + l4len;
}

/** RFC 1624 incremental update: the checksum after a 16-bit word changed from `oldW` to `newW`. */
export function adjust16(csum: number, oldW: number, newW: number): number {
  let s = (~csum & 0xffff) + (~oldW & 0xffff) + newW;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Incremental update for a 32-bit field (an IPv4 address). */
export function adjust32(csum: number, oldV: number, newV: number): number {
  return adjust16(adjust16(csum, oldV >>> 16, newV >>> 16), oldV & 0xffff, newV & 0xffff);
}
