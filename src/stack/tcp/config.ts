/**
 * Tunables, defaulting to a stock Linux host (sysctl net.ipv4.tcp_* names in comments).
 * Times are milliseconds.
 */
export interface TcpConfig {
  /** tcp_syn_retries: SYN retransmissions before connect fails with ETIMEDOUT (6 → ~127 s). */
  synRetries: number;
  /** tcp_synack_retries. */
  synAckRetries: number;
  /** tcp_retries2: data retransmissions before the connection is aborted. */
  retries2: number;
  /** Initial RTO (RFC 6298 §2.1: 1 s). */
  initialRto: number;
  /** Minimum RTO (Linux TCP_RTO_MIN 200 ms; RFC 6298 says 1 s). */
  minRto: number;
  /** Maximum RTO (Linux TCP_RTO_MAX 120 s). */
  maxRto: number;
  /** Maximum segment lifetime; TIME_WAIT lasts 2×MSL (Linux: 60 s total). */
  msl: number;
  /** tcp_fin_timeout: how long an orphaned connection may sit in FIN_WAIT_2. */
  finTimeout: number;
  /** Delayed-ACK timeout (Linux TCP_DELACK_MIN 40 ms). */
  delAckMs: number;
  /** tcp_keepalive_time / _intvl / _probes. */
  keepaliveTime: number;
  keepaliveIntvl: number;
  keepaliveProbes: number;
  /** tcp_timestamps, tcp_sack, tcp_window_scaling. */
  timestamps: boolean;
  sack: boolean;
  windowScaling: boolean;
  /** Receive buffer (bytes the peer may have in flight to us) and send buffer. */
  rcvBuf: number;
  sndBuf: number;
  /** Initial congestion window in segments (RFC 6928; Linux TCP_INIT_CWND). */
  initCwnd: number;
  /** Ephemeral port range (ip_local_port_range). */
  portLow: number;
  portHigh: number;
  /**
   * Largest segment handed to IP, like Linux GSO/TSO on veth (gso_max_size): 0 sends MSS-sized
   * segments only. When set, bulk data leaves in multiples of the MSS up to this many bytes,
   * which the link layer must carry as one oversized "GSO" packet (tcpdump on a veth shows
   * these too). Cuts per-packet work ~40× for bulk transfers.
   */
  gsoMaxSize: number;
  /** tcp_challenge_ack_limit: challenge ACKs per second (RFC 5961 §7). */
  challengeAckLimit: number;
  /** Maximum embryonic (SYN_RECV) connections per listener (tcp_max_syn_backlog). */
  maxSynBacklog: number;
}

export const DEFAULT_TCP_CONFIG: TcpConfig = {
  synRetries: 6,
  synAckRetries: 5,
  retries2: 15,
  initialRto: 1000,
  minRto: 200,
  maxRto: 120_000,
  msl: 30_000,
  finTimeout: 60_000,
  delAckMs: 40,
  keepaliveTime: 7_200_000,
  keepaliveIntvl: 75_000,
  keepaliveProbes: 9,
  timestamps: true,
  sack: true,
  windowScaling: true,
  rcvBuf: 4 * 1024 * 1024,
  sndBuf: 4 * 1024 * 1024,
  initCwnd: 10,
  portLow: 32768,
  portHigh: 60999,
  maxSynBacklog: 4096,
  gsoMaxSize: 0,
  challengeAckLimit: 1000,
};

/** SYN window values Linux puts on the wire (unscaled, RFC 7323 §2.2). */
export const SYN_WINDOW = 64240;
export const SYNACK_WINDOW = 65160;
/** Our window-scale shift (Linux with default rmem: 7). */
export const OUR_WSCALE = 7;
/** RFC 9293 §3.7.1: MSS assumed when the peer sends none. */
export const DEFAULT_PEER_MSS = 536;
