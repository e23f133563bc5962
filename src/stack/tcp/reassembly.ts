import { seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';

/**
 * Out-of-order receive queue (RFC 9293 §3.10.7.4, "seventh, process the segment text"):
 * segments that arrived beyond RCV.NXT, kept sorted and non-overlapping (each byte stored
 * once), plus the SACK blocks describing them (RFC 2018 §4).
 */
export class Reassembly {
  private seqs: number[] = [];
  private data: Uint8Array[] = [];
  /** Bytes held. */
  bytes = 0;
  /** Sequence number of the most recently queued segment: its block is reported first. */
  private lastSeq = 0;

  get empty(): boolean {
    return this.seqs.length === 0;
  }

  /**
   * Queue `len` bytes of `b` at `off` with sequence `seq` (beyond RCV.NXT). Only the parts not
   * already held are copied. Returns the number of new bytes stored.
   */
  insert(seq: number, b: Uint8Array, off: number, len: number): number {
    const seqs = this.seqs;
    const end = (seq + len) >>> 0;
    let s = seq;
    let i = 0;
    let added = 0;
    // First segment that might overlap: the ones ending at or before s are irrelevant.
    while (i < seqs.length && seqLe((seqs[i]! + this.data[i]!.length) >>> 0, s)) i++;
    while (seqLt(s, end)) {
      if (i < seqs.length && seqLe(seqs[i]!, s)) {
        // s inside existing segment i: jump past it.
        s = (seqs[i]! + this.data[i]!.length) >>> 0;
        i++;
        continue;
      }
      const stop = i < seqs.length && seqLt(seqs[i]!, end) ? seqs[i]! : end;
      const n = seqDiff(stop, s);
      const from = off + seqDiff(s, seq);
      seqs.splice(i, 0, s);
      this.data.splice(i, 0, b.slice(from, from + n));
      added += n;
      i++;
      s = stop;
    }
    this.bytes += added;
    this.lastSeq = seq;
    return added;
  }

  /**
   * The next in-order piece at `rcvNxt`, removed from the queue (data already covered by
   * rcvNxt is discarded), or null when there is a gap.
   */
  shift(rcvNxt: number): Uint8Array | null {
    const seqs = this.seqs;
    while (seqs.length > 0) {
      const s = seqs[0]!;
      if (seqGt(s, rcvNxt)) return null;
      const d = this.data[0]!;
      seqs.shift();
      this.data.shift();
      this.bytes -= d.length;
      const skip = seqDiff(rcvNxt, s);
      if (skip < d.length) return skip === 0 ? d : d.subarray(skip);
    }
    return null;
  }

  /**
   * Fill `edges` with up to `max` SACK blocks (left, right): the block holding the most
   * recently received segment first, then the others from the highest down. Returns the count.
   */
  sackBlocks(edges: number[], max: number): number {
    const seqs = this.seqs;
    if (seqs.length === 0 || max === 0) return 0;
    // Merge adjacent pieces into blocks, walking from the top.
    let count = 0;
    // Locate the block containing lastSeq and emit it first.
    let j = seqs.length - 1;
    const blocks: number[] = [];
    while (j >= 0) {
      const right = (seqs[j]! + this.data[j]!.length) >>> 0;
      let left = seqs[j]!;
      while (j > 0 && ((seqs[j - 1]! + this.data[j - 1]!.length) >>> 0) === left) {
        j--;
        left = seqs[j]!;
      }
      blocks.push(left, right);
      j--;
    }
    for (let k = 0; k < blocks.length; k += 2) {
      if (seqGe(this.lastSeq, blocks[k]!) && seqLt(this.lastSeq, blocks[k + 1]!)) {
        edges[0] = blocks[k]!;
        edges[1] = blocks[k + 1]!;
        count = 1;
        blocks.splice(k, 2);
        break;
      }
    }
    for (let k = 0; k < blocks.length && count < max; k += 2) {
      edges[2 * count] = blocks[k]!;
      edges[2 * count + 1] = blocks[k + 1]!;
      count++;
    }
    return count;
  }

  clear(): void {
    this.seqs.length = 0;
    this.data.length = 0;
    this.bytes = 0;
  }
}
