import type { Tcp } from './tcp.js';
import type { TcpConnection } from './connection.js';
import { TcpState } from './state.js';

/**
 * A listening socket (RFC 9293 LISTEN) with Linux's two queues: embryonic connections
 * (SYN_RECV, bounded by the SYN backlog) and established ones waiting for accept (bounded by
 * `backlog`).
 */
export class TcpListener {
  /** Connections in SYN_RECEIVED. */
  synCount = 0;
  readonly acceptQueue: TcpConnection[] = [];
  /** Called for each established connection; when unset, connections wait in acceptQueue. */
  onConnection: ((c: TcpConnection) => void) | null = null;
  closed = false;
  /** Next listener on the same port (different address). */
  next: TcpListener | null = null;
  readonly embryos = new Set<TcpConnection>();

  constructor(readonly tcp: Tcp, readonly addr: number, readonly port: number, public backlog: number) {}

  /** Room for another completed handshake. */
  canAccept(): boolean {
    return this.onConnection !== null || this.acceptQueue.length < this.backlog;
  }

  /** Room for another SYN (Linux drops SYNs when either queue is full). */
  canTakeSyn(): boolean {
    const maxSyn = Math.min(this.tcp.config.maxSynBacklog, Math.max(this.backlog, 8));
    return this.synCount < maxSyn && this.acceptQueue.length < this.backlog + (this.onConnection ? Infinity : 0);
  }

  /** @internal a child finished its handshake. */
  established(c: TcpConnection): void {
    this.embryos.delete(c);
    this.synCount--;
    if (this.onConnection !== null) this.onConnection(c);
    else this.acceptQueue.push(c);
  }

  /** @internal a child in SYN_RECEIVED died. */
  embryoGone(c: TcpConnection): void {
    if (this.embryos.delete(c)) this.synCount--;
  }

  /** Take the next established connection (accept(2)), or null. */
  accept(): TcpConnection | null {
    for (;;) {
      const c = this.acceptQueue.shift();
      if (!c) return null;
      if (c.state !== TcpState.CLOSED) return c;
    }
  }

  /** Stop listening: embryos vanish, unaccepted connections are reset (like Linux). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.tcp.unlisten(this);
    for (const c of [...this.embryos]) c.abort();
    this.embryos.clear();
    for (const c of this.acceptQueue.splice(0)) c.abort();
    this.onConnection = null;
  }
}
