import { seqDiff, seqGt, seqLe, seqLt, seqMax, seqMin } from './seq.js';

/**
 * The sender's SACK scoreboard (RFC 2018 §5, used as RFC 6675 describes): the ranges above
 * SND.UNA the receiver reported holding, sorted and merged.
 */
export class Scoreboard {
  private lefts: number[] = [];
  private rights: number[] = [];
  /** Bytes covered by the scoreboard. */
  sackedBytes = 0;
  /** End of the hole found by nextHole(). */
  holeEnd = 0;

  get empty(): boolean {
    return this.lefts.length === 0;
  }

  /** Highest sequence number SACKed (RFC 6675 "HighSACK" + 1), or `una` when none. */
  highSacked(una: number): number {
    const n = this.rights.length;
    return n === 0 ? una : this.rights[n - 1]!;
  }

  /**
   * Merge the blocks of an incoming ACK (`edges` as left,right pairs). Blocks outside
   * (una, nxt] or inverted are ignored (RFC 2018 §4 receivers never send them; a D-SACK below
   * una carries no scoreboard information). Returns the number of newly SACKed bytes.
   */
  update(edges: ArrayLike<number>, count: number, una: number, nxt: number): number {
    const before = this.sackedBytes;
    for (let k = 0; k < count; k++) {
      let l = edges[2 * k]!;
      const r = edges[2 * k + 1]!;
      if (!seqGt(r, l) || seqLe(r, una) || seqGt(r, nxt)) continue;
      if (seqLt(l, una)) l = una;
      this.add(l, r);
    }
    return this.sackedBytes - before;
  }

  private add(l: number, r: number): void {
    const L = this.lefts, R = this.rights;
    // Find first range whose right edge >= l (could merge).
    let i = 0;
    while (i < L.length && seqLt(R[i]!, l)) i++;
    let j = i;
    let nl = l, nr = r;
    let removed = 0;
    while (j < L.length && seqLe(L[j]!, r)) {
      nl = seqMin(nl, L[j]!);
      nr = seqMax(nr, R[j]!);
      removed += seqDiff(R[j]!, L[j]!);
      j++;
    }
    L.splice(i, j - i, nl);
    R.splice(i, j - i, nr);
    this.sackedBytes += seqDiff(nr, nl) - removed;
  }

  /** SND.UNA advanced: forget what it covers. */
  ackTo(una: number): void {
    const L = this.lefts, R = this.rights;
    let n = 0;
    while (n < L.length && seqLe(R[n]!, una)) {
      this.sackedBytes -= seqDiff(R[n]!, L[n]!);
      n++;
    }
    if (n > 0) {
      L.splice(0, n);
      R.splice(0, n);
    }
    if (L.length > 0 && seqLt(L[0]!, una)) {
      this.sackedBytes -= seqDiff(una, L[0]!);
      L[0] = una;
    }
  }

  isSacked(seq: number): boolean {
    const L = this.lefts, R = this.rights;
    for (let i = 0; i < L.length; i++) {
      if (seqLt(seq, L[i]!)) return false;
      if (seqLt(seq, R[i]!)) return true;
    }
    return false;
  }

  /**
   * First un-SACKed sequence number in [from, limit), or -1. Sets holeEnd to where that hole
   * ends (the next SACKed range or limit).
   */
  nextHole(from: number, limit: number): number {
    const L = this.lefts, R = this.rights;
    let s = from;
    for (let i = 0; i < L.length; i++) {
      if (seqLe(R[i]!, s)) continue;
      if (seqGt(L[i]!, s)) {
        if (!seqLt(s, limit)) return -1;
        this.holeEnd = seqMin(L[i]!, limit);
        return s;
      }
      s = R[i]!; // s inside range i
    }
    if (!seqLt(s, limit)) return -1;
    this.holeEnd = limit;
    return s;
  }

  /** Bytes in [a, b) not covered by the scoreboard. */
  unsackedBetween(a: number, b: number): number {
    if (!seqGt(b, a)) return 0;
    let n = seqDiff(b, a);
    const L = this.lefts, R = this.rights;
    for (let i = 0; i < L.length; i++) {
      const l = seqMax(L[i]!, a), r = seqMin(R[i]!, b);
      if (seqGt(r, l)) n -= seqDiff(r, l);
    }
    return n;
  }

  clear(): void {
    this.lefts.length = 0;
    this.rights.length = 0;
    this.sackedBytes = 0;
  }
}

