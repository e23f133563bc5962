/**
 * Counters shaped like Linux's `netstat -s` (the Tcp: group of /proc/net/snmp and the TcpExt:
 * names they come from, in camelCase). One object per namespace TCP instance.
 */
export class TcpStats {
  /** Tcp: ActiveOpens — connect() calls that sent a SYN. */
  activeOpens = 0;
  /** Tcp: PassiveOpens — SYNs accepted by a listener. */
  passiveOpens = 0;
  /** Tcp: AttemptFails — SYN_SENT/SYN_RECV → CLOSED (refused, timed out, reset). */
  attemptFails = 0;
  /** Tcp: EstabResets — ESTABLISHED/CLOSE_WAIT → CLOSED by a reset. */
  estabResets = 0;
  /** Tcp: CurrEstab — connections now in ESTABLISHED or CLOSE_WAIT. */
  currEstab = 0;
  inSegs = 0;
  outSegs = 0;
  retransSegs = 0;
  /** Tcp: InErrs — bad checksum, truncated or impossible headers. */
  inErrs = 0;
  /** Tcp: InCsumErrors. */
  inCsumErrors = 0;
  outRsts = 0;
  /** TcpExt: TCPChallengeACK (RFC 5961). */
  challengeAcks = 0;
  /** TcpExt: ListenOverflows — handshake completions dropped because the accept queue was full. */
  listenOverflows = 0;
  /** TcpExt: ListenDrops — SYNs dropped at a listener (SYN queue full, overflow). */
  listenDrops = 0;
  /** TcpExt: TCPTimeouts — retransmission timer expiries. */
  timeouts = 0;
  /** TcpExt: TCPFastRetrans. */
  fastRetrans = 0;
  /** TcpExt: TCPSackRecovery / TCPRenoRecovery — fast-recovery episodes. */
  sackRecovery = 0;
  renoRecovery = 0;
  /** TcpExt: DelayedACKs — delayed-ACK timer expiries that sent an ACK. */
  delayedAcks = 0;
  /** TcpExt: TCPOFOQueue — segments queued out of order. */
  ofoQueue = 0;
  /** TcpExt: TCPPAWSEstab — segments dropped by PAWS (RFC 7323 §5). */
  pawsDrops = 0;
  /** TcpExt: TCPWinProbe — zero-window probes sent. */
  winProbes = 0;
  /** TcpExt: TCPKeepAlive — keepalive probes sent. */
  keepaliveProbes = 0;
  /** TcpExt: TCPAbortOnData / OnClose / OnTimeout / OnLinger. */
  abortOnData = 0;
  abortOnClose = 0;
  abortOnTimeout = 0;
  abortOnLinger = 0;
  /** Segments dropped as not acceptable (out of window), each answered by an ACK. */
  outOfWindow = 0;
  /** Duplicate ACKs received. */
  dupAcks = 0;
  /** TcpExt: TCPSACKReneging and friends are not modelled. */
}
