/**
 * The Internet checksum (RFC 1071). Sums 16-bit big-endian words; the accumulator is folded
 * only at the end, which is safe for any packet below ~128 KiB of 32-bit-safe additions.
 */
export function sum16(buf: Uint8Array, off: number, len: number, initial = 0): number {
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
