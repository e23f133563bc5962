import { describe, expect, it } from 'vitest';
import { adjust16, adjust32, checksum } from '../../src/wire/checksum.js';
import { Prng } from '../../src/sim/prng.js';

/** RFC 1071 straight from the definition, as an oracle. */
function naive(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

describe('Internet checksum', () => {
  it('matches the RFC 1071 definition for random lengths (odd too)', () => {
    const p = new Prng(7);
    for (let n = 0; n < 300; n++) {
      const b = new Uint8Array(p.int(0, 1600));
      for (let i = 0; i < b.length; i++) b[i] = p.int(0, 255);
      expect(checksum(b, 0, b.length)).toBe(naive(b));
    }
  });
  it('a buffer including its checksum sums to zero', () => {
    const b = new Uint8Array([0x45, 0, 0, 0x54, 0x12, 0x34, 0x40, 0, 0x40, 1, 0, 0, 172, 17, 0, 2, 172, 17, 0, 3]);
    const c = checksum(b, 0, 20);
    b[10] = c >> 8;
    b[11] = c & 255;
    expect(checksum(b, 0, 20)).toBe(0);
  });
  it('incremental updates (RFC 1624) equal recomputation', () => {
    const p = new Prng(3);
    for (let n = 0; n < 200; n++) {
      const b = new Uint8Array(40);
      for (let i = 0; i < 40; i++) b[i] = p.int(0, 255);
      const before = checksum(b, 0, 40);
      const o = 2 * p.int(0, 9);
      const oldV = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
      const newV = p.u32();
      b[o] = newV >>> 24; b[o + 1] = newV >>> 16; b[o + 2] = newV >>> 8; b[o + 3] = newV;
      const inc = adjust32(before, oldV, newV);
      // both are valid encodings of the same one's-complement sum
      const full = checksum(b, 0, 40);
      expect(inc === full || (inc === 0xffff && full === 0) || (inc === 0 && full === 0xffff)).toBe(true);
      expect(adjust16(before, 0, 0)).toBe(before);
    }
  });
});

describe('Internet checksum, 32-bit fast path', () => {
  it('equals the definition at every alignment and length, inside a larger shared buffer', () => {
    const p = new Prng(99);
    const big = new Uint8Array(70_000);
    for (let i = 0; i < big.length; i++) big[i] = p.int(0, 255);
    for (let n = 0; n < 400; n++) {
      const off = p.int(0, 40);
      const len = p.int(60, n < 20 ? 65_535 : 3000);
      const view = new Uint8Array(big.buffer, p.int(0, 3), big.length - 8);
      expect(checksum(view, off, len)).toBe(naive(view.slice(off, off + len)));
    }
  });
});
