/**
 * NewReno congestion control (RFC 5681 §3, RFC 6582): slow start, congestion avoidance with
 * byte counting (RFC 3465), multiplicative decrease on loss, loss window on RTO. The recovery
 * bookkeeping (which segments to resend) lives in the connection; this only sizes cwnd.
 */
export class NewReno {
  cwnd: number;
  ssthresh = 0x7fffffff;
  private acc = 0;

  constructor(public mss: number, initCwnd: number) {
    this.cwnd = initCwnd * mss;
  }

  /** New data acknowledged outside recovery. */
  onAck(acked: number): void {
    if (this.cwnd < this.ssthresh) {
      // Slow start (RFC 5681 §3.1, ABC with L = 2·SMSS as RFC 3465 allows).
      this.cwnd += Math.min(acked, 2 * this.mss);
    } else {
      // Congestion avoidance: +1 SMSS per cwnd of data acknowledged.
      this.acc += acked;
      if (this.acc >= this.cwnd) {
        this.acc -= this.cwnd;
        this.cwnd += this.mss;
      }
    }
  }

  /** Fast retransmit (RFC 5681 §3.2 step 2; eq. 4). */
  onFastRetransmit(flight: number): void {
    this.ssthresh = Math.max(flight >> 1, 2 * this.mss);
    this.cwnd = this.ssthresh;
    this.acc = 0;
  }

  /** Full acknowledgment ends recovery (RFC 6582 §3.2 step 3). */
  onRecoveryEnd(flight: number): void {
    this.cwnd = Math.min(this.ssthresh, Math.max(flight, 0) + this.mss);
  }

  /** Retransmission timeout (RFC 5681 §3.1 eq. 4 and LW = 1 SMSS). */
  onTimeout(flight: number, firstTimeout: boolean): void {
    if (firstTimeout) this.ssthresh = Math.max(flight >> 1, 2 * this.mss);
    this.cwnd = this.mss;
    this.acc = 0;
  }
}
