/**
 * node:net-compatible Server over a namespace's TCP listener: listen(port[, host][, backlog][, cb])
 * or listen({ port, host, backlog }), 'listening' / 'connection' / 'error' / 'close' events,
 * address(), close(), getConnections(), maxConnections, EADDRINUSE shaped like Node's.
 */
import { EventEmitter } from 'node:events';
import type { TcpConnection } from '../stack/tcp/connection.js';
import type { TcpListener } from '../stack/tcp/listener.js';
import { ipToString, parseIp } from '../wire/addr.js';
import { codeError, netError } from './net-errors.js';
import type { AddressInfo, Net, Socket as SocketT } from './net.js';

export interface ServerOptions {
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

export interface ListenOptions {
  port?: number | string;
  host?: string;
  backlog?: number;
}

const nextTick = (fn: () => void): void => process.nextTick(fn);

export class Server extends EventEmitter {
  private listener: TcpListener | null = null;
  private readonly sockets = new Set<SocketT>();
  private closing = false;
  private closeCbs: Array<(err?: Error) => void> = [];
  maxConnections: number | undefined = undefined;

  constructor(readonly net: Net, readonly options: ServerOptions = {}) {
    super();
  }

  get listening(): boolean {
    return this.listener !== null;
  }

  listen(port?: number | string, host?: string, backlog?: number, cb?: () => void): this;
  listen(port: number | string, host: string, cb?: () => void): this;
  listen(port: number | string, cb?: () => void): this;
  listen(options: ListenOptions, cb?: () => void): this;
  listen(...args: unknown[]): this {
    let cb: (() => void) | undefined;
    if (typeof args[args.length - 1] === 'function') cb = args.pop() as () => void;
    let o: ListenOptions;
    if (typeof args[0] === 'object' && args[0] !== null) o = args[0] as ListenOptions;
    else o = { port: args[0] as number | undefined, host: typeof args[1] === 'string' ? args[1] : undefined, backlog: typeof args[1] === 'number' ? args[1] : (args[2] as number | undefined) };
    const port = o.port === undefined ? 0 : Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw codeError('ERR_SOCKET_BAD_PORT', `options.port should be >= 0 and < 65536. Received ${String(o.port)}.`, RangeError);
    }
    if (this.listener) throw codeError('ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
    if (cb) this.once('listening', cb);
    const host = o.host;
    const bind = (addr: number): void => {
      const r = this.net.tcp.listen(port, addr, o.backlog ?? 511);
      if (typeof r === 'number') {
        nextTick(() => this.emit('error', netError(-r, 'listen', ipToString(addr), port, true)));
        return;
      }
      this.listener = r;
      this.closing = false;
      r.onConnection = (c) => this.accept(c);
      nextTick(() => this.emit('listening'));
    };
    if (host === undefined || host === '' || host === '::' || host === '0.0.0.0') bind(0);
    else if (parseIp(host) >= 0) bind(parseIp(host));
    else {
      this.net.resolve(host).then(bind, (err: Error) => nextTick(() => this.emit('error', err)));
    }
    return this;
  }

  private accept(c: TcpConnection): void {
    if (this.maxConnections !== undefined && this.sockets.size >= this.maxConnections) {
      c.abort();
      this.emit('drop', { localAddress: ipToString(c.localAddr), localPort: c.localPort, remoteAddress: ipToString(c.remoteAddr), remotePort: c.remotePort, remoteFamily: 'IPv4' });
      return;
    }
    // Socket is imported lazily through the facade to keep the module graph acyclic at load.
    const s = this.net.socket({ allowHalfOpen: this.options.allowHalfOpen });
    s.server = this;
    this.sockets.add(s);
    if (this.options.pauseOnConnect) s.pause();
    s.attach(c);
    if (this.options.noDelay) s.setNoDelay(true);
    if (this.options.keepAlive) s.setKeepAlive(true, this.options.keepAliveInitialDelay ?? 0);
    this.emit('connection', s);
  }

  /** @internal */
  connectionClosed(s: SocketT): void {
    if (this.sockets.delete(s)) this.maybeClosed();
  }

  address(): AddressInfo | null {
    const l = this.listener;
    if (!l) return null;
    return { address: ipToString(l.addr), family: 'IPv4', port: l.port };
  }

  /** Stop accepting; 'close' once every accepted connection has closed (as node:net). */
  close(cb?: (err?: Error) => void): this {
    if (!this.listener) {
      if (cb) nextTick(() => cb(codeError('ERR_SERVER_NOT_RUNNING', 'Server is not running.')));
      return this;
    }
    if (cb) this.closeCbs.push(cb);
    this.listener.close();
    this.listener = null;
    this.closing = true;
    this.maybeClosed();
    return this;
  }

  private maybeClosed(): void {
    if (!this.closing || this.sockets.size > 0) return;
    this.closing = false;
    const cbs = this.closeCbs.splice(0);
    nextTick(() => {
      for (const cb of cbs) cb();
      this.emit('close');
    });
  }

  getConnections(cb: (err: Error | null, n: number) => void): this {
    const n = this.sockets.size;
    nextTick(() => cb(null, n));
    return this;
  }

  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await new Promise<void>((r) => this.close(() => r()));
  }
}
