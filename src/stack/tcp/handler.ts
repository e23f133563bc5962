import type { TcpConnection } from './connection.js';

/**
 * What a connection tells its owner (the node:net facade, or a test). Called synchronously
 * from the stack; implementations may call back into the connection (write, close, pause).
 */
export interface TcpHandler {
  /** The three-way handshake completed (active open). */
  onTcpConnect(c: TcpConnection): void;
  /** In-order payload. The buffer is the handler's to keep (copied once out of the packet). */
  onTcpData(c: TcpConnection, data: Buffer): void;
  /** The peer's FIN arrived, after all its data was delivered. */
  onTcpEnd(c: TcpConnection): void;
  /** The send queue drained below its limit after write() returned false. */
  onTcpWritable(c: TcpConnection): void;
  /**
   * The connection is finished for the application: errno 0 after an orderly close (both FINs
   * exchanged), otherwise ECONNREFUSED, ECONNRESET, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH...
   * No more calls follow.
   */
  onTcpClose(c: TcpConnection, errno: number): void;
}

/** A parsed incoming segment, reused by the receive path (no per-segment allocation). */
export class SegmentView {
  b: Uint8Array = new Uint8Array(0);
  /** Offset of the TCP header and segment length (header + payload). */
  off = 0;
  len = 0;
  hlen = 0;
  seq = 0;
  ack = 0;
  wnd = 0;
  flags = 0;
  /** Payload bytes and where they start. */
  dataOff = 0;
  dlen = 0;
}
