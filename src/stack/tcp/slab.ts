/**
 * Bump allocator for segments and received payloads. `new Uint8Array(n)` costs a fresh
 * zeroed backing store per packet; carving views out of a shared slab costs only the view
 * (the same trick as Buffer.allocUnsafe's pool, with slabs big enough for whole windows).
 * Regions are never reused: a slab lives until the last view into it is collected, and every
 * byte of a carved region is written by its user before anyone else sees it.
 */
const SLAB = 256 * 1024;

export class Slab {
  private buf = new ArrayBuffer(SLAB);
  private off = 0;

  /** A Buffer view of `n` uninitialised bytes. */
  alloc(n: number): Buffer {
    if (n > SLAB >> 3) return Buffer.allocUnsafeSlow(n);
    if (this.off + n > SLAB) {
      this.buf = new ArrayBuffer(SLAB);
      this.off = 0;
    }
    const v = Buffer.from(this.buf, this.off, n);
    this.off = (this.off + n + 7) & ~7; // keep views 8-byte aligned
    return v;
  }
}
