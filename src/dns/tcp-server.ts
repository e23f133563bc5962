import type { Tcp } from '../stack/tcp/tcp.js';
import type { TcpConnection } from '../stack/tcp/connection.js';
import type { TcpHandler } from '../stack/tcp/handler.js';
import type { TcpListener } from '../stack/tcp/listener.js';
import type { EmbeddedDnsServer } from './server.js';

/**
 * DNS over TCP for the embedded server (RFC 1035 §4.2.2; RFC 7766): each message is preceded by
 * a two-byte length; a connection may carry several queries, answered as they complete.
 * Replies are not truncated. A length-0 message or a framing error closes the connection.
 */
export function serveDnsOverTcp(tcp: Tcp, server: EmbeddedDnsServer, address: number, port = 53): TcpListener | number {
  const l = tcp.listen(port, address, 128);
  if (typeof l === 'number') return l;
  l.onConnection = (c: TcpConnection) => c.setHandler(new DnsTcpConnection(server));
  return l;
}

const MAX_PENDING = 65535 + 2;

class DnsTcpConnection implements TcpHandler {
  private buf: Buffer = Buffer.alloc(0);
  private closed = false;
  constructor(private readonly server: EmbeddedDnsServer) {}

  onTcpConnect(): void {}
  onTcpWritable(): void {}

  onTcpData(c: TcpConnection, data: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    while (this.buf.length >= 2) {
      const n = this.buf.readUInt16BE(0);
      if (n === 0) {
        c.close();
        return;
      }
      if (this.buf.length < 2 + n) break;
      const msg = this.buf.subarray(2, 2 + n);
      this.buf = this.buf.subarray(2 + n);
      this.server.handleStream(msg, (resp) => {
        if (this.closed) return;
        const framed = Buffer.allocUnsafe(2 + resp.length);
        framed.writeUInt16BE(resp.length, 0);
        framed.set(resp, 2);
        c.write(framed);
      });
    }
    if (this.buf.length > MAX_PENDING) c.abort();
  }

  onTcpEnd(c: TcpConnection): void {
    c.close();
  }

  onTcpClose(): void {
    this.closed = true;
  }
}
