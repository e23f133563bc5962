/** Connection states (RFC 9293 §3.3.2), numbered as Linux's /proc/net/tcp minus one where it matters not. */
export const TcpState = {
  CLOSED: 0,
  LISTEN: 1,
  SYN_SENT: 2,
  SYN_RECEIVED: 3,
  ESTABLISHED: 4,
  FIN_WAIT_1: 5,
  FIN_WAIT_2: 6,
  CLOSE_WAIT: 7,
  CLOSING: 8,
  LAST_ACK: 9,
  TIME_WAIT: 10,
} as const;
export type TcpStateValue = (typeof TcpState)[keyof typeof TcpState];

/** Names as `netstat`/`ss` print them. */
export const TCP_STATE_NAMES = [
  'CLOSE', 'LISTEN', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2',
  'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT',
] as const;

/** States in which both sequence spaces are synchronized (RFC 9293 §3.10.7.4). */
export function isSynchronized(s: number): boolean {
  return s >= TcpState.ESTABLISHED;
}
