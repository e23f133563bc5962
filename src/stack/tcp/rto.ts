/**
 * Retransmission timeout estimator (RFC 6298 §2): SRTT/RTTVAR with α = 1/8, β = 1/4,
 * RTO = SRTT + max(G, 4·RTTVAR) clamped to [minRto, maxRto]. Karn's rule (§3) is applied by the
 * caller, which only samples segments that were not retransmitted.
 */
export class RtoEstimator {
  srtt = 0;
  rttvar = 0;
  rto: number;
  hasSample = false;
  /** Clock granularity G: the virtual clock is exact, so use 1 ms like a jiffy-less kernel. */
  private static readonly G = 1;

  constructor(initial: number, private readonly min: number, private readonly max: number) {
    this.rto = initial;
  }

  sample(r: number): void {
    if (r < 0) return;
    if (!this.hasSample) {
      this.srtt = r;
      this.rttvar = r / 2;
      this.hasSample = true;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    const v = this.srtt + Math.max(RtoEstimator.G, 4 * this.rttvar);
    this.rto = Math.min(this.max, Math.max(this.min, v));
  }

  /** RTO with exponential backoff (RFC 6298 §5.5) after `backoff` consecutive expiries. */
  backedOff(backoff: number): number {
    return Math.min(this.max, this.rto * 2 ** backoff);
  }
}
