/**
 * The send queue: bytes written by the application and not yet acknowledged, held as the
 * caller's chunks (no copy on write; the segment builder copies once into the segment).
 * Offsets are relative to the first unacknowledged byte.
 */
export class SendBuffer {
  private chunks: Uint8Array[] = [];
  /** Bytes of chunks[0] already acknowledged. */
  private headOff = 0;
  /** Total unacknowledged bytes (sent or not). */
  length = 0;
  /** Read cursor cache: chunk index and the relative offset at which that chunk starts. */
  private curIdx = 0;
  private curStart = 0;

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.length += data.length;
  }

  /** Copy `len` bytes starting `rel` bytes past the first unacknowledged one into dst. */
  copyOut(rel: number, len: number, dst: Uint8Array, dstOff: number): void {
    const chunks = this.chunks;
    let idx: number;
    let start: number;
    if (rel >= this.curStart && this.curIdx < chunks.length) {
      idx = this.curIdx;
      start = this.curStart;
    } else {
      idx = 0;
      start = -this.headOff;
    }
    // Skip to the chunk holding `rel`.
    while (idx < chunks.length && start + chunks[idx]!.length <= rel) {
      start += chunks[idx]!.length;
      idx++;
    }
    this.curIdx = idx;
    this.curStart = start;
    while (len > 0 && idx < chunks.length) {
      const c = chunks[idx]!;
      const from = rel - start;
      const n = Math.min(len, c.length - from);
      dst.set(n === c.length ? c : c.subarray(from, from + n), dstOff);
      dstOff += n;
      rel += n;
      len -= n;
      if (from + n === c.length) {
        start += c.length;
        idx++;
      }
    }
  }

  /** Drop `n` acknowledged bytes from the front. */
  ack(n: number): void {
    if (n <= 0) return;
    if (n > this.length) n = this.length;
    this.length -= n;
    let dropped = 0;
    let off = this.headOff + n;
    const chunks = this.chunks;
    while (dropped < chunks.length && off >= chunks[dropped]!.length) {
      off -= chunks[dropped]!.length;
      dropped++;
    }
    if (dropped > 0) {
      chunks.splice(0, dropped);
      this.curIdx -= dropped;
    }
    this.headOff = off;
    // Keep the cursor meaningful (relative to the new head) or reset it.
    this.curStart -= n;
    if (this.curIdx < 0 || this.curStart < -this.headOff) {
      this.curIdx = 0;
      this.curStart = -this.headOff;
    }
  }

  clear(): void {
    this.chunks.length = 0;
    this.headOff = 0;
    this.length = 0;
    this.curIdx = 0;
    this.curStart = 0;
  }
}
