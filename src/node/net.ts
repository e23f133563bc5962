/**
 * node:net-compatible TCP sockets over a namespace's userspace TCP (IPv4 only).
 *
 * `Socket` is a stream.Duplex behaving like net.Socket: events 'lookup', 'connect', 'ready',
 * 'data', 'end', 'drain', 'timeout', 'error', 'close' (with hadError); Node-shaped errors
 * (`connect ECONNREFUSED 172.17.0.2:80`, errno -111, syscall 'connect', address, port).
 * Backpressure is end to end: write() callbacks wait while the TCP send buffer is full, and a
 * reader that stops consuming closes the TCP receive window.
 *
 * Using these sockets with node:http (no real handles involved):
 *   - server side: `const srv = http.createServer(handler); netServer.on('connection', (s) =>
 *     srv.emit('connection', s));` — http reads through 'data' events because `_handle` is null.
 *   - client side: `http.request({ createConnection: () => net.connect(80, '172.17.0.2'), ... })`
 *     (no agent: http then calls createConnection itself and writes once 'connect' fired).
 */
import { Duplex } from 'node:stream';
import { Buffer } from 'node:buffer';
import type { Timer } from '../sim/clock.js';
import type { Tcp } from '../stack/tcp/tcp.js';
import type { TcpConnection } from '../stack/tcp/connection.js';
import type { TcpHandler } from '../stack/tcp/handler.js';
import { TcpState } from '../stack/tcp/state.js';
import { ipToString, parseIp } from '../wire/addr.js';
import { EPIPE, codeError, lookupError, netError } from './net-errors.js';
import { Server, type ServerOptions } from './net-server.js';

/** Resolve a host name to an IPv4 address (uint32; a dotted string is accepted too). */
export type LookupFn = (host: string) => Promise<number | string>;

export interface NetOptions {
  /** The namespace's resolver (the DNS layer plugs in here). Default: IP literals and 'localhost'. */
  lookup?: LookupFn;
}

export interface SocketConnectOptions {
  port: number | string;
  host?: string;
  localAddress?: string;
  localPort?: number;
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

export interface SocketOptions {
  allowHalfOpen?: boolean;
}

export interface AddressInfo {
  address: string;
  family: 'IPv4';
  port: number;
}

const nextTick = (fn: () => void): void => process.nextTick(fn);

/** The facade a namespace exposes as `.net`: createServer / connect like node:net. */
export class Net {
  readonly lookup: LookupFn | undefined;
  /** `new net.Socket([options])`, bound to this namespace. */
  readonly Socket: new (opts?: SocketOptions) => Socket;
  /** `new net.Server([options][, listener])`, bound to this namespace. */
  readonly Server: new (opts?: ServerOptions, listener?: (s: Socket) => void) => Server;

  constructor(readonly tcp: Tcp, opts: NetOptions = {}) {
    this.lookup = opts.lookup;
    const self = this;
    this.Socket = class extends Socket {
      constructor(o?: SocketOptions) {
        super(self, o);
      }
    };
    this.Server = class extends Server {
      constructor(o?: ServerOptions, listener?: (s: Socket) => void) {
        super(self, o);
        if (listener) this.on('connection', listener);
      }
    };
  }

  createServer(listener?: (s: Socket) => void): Server;
  createServer(options: ServerOptions, listener?: (s: Socket) => void): Server;
  createServer(a?: ServerOptions | ((s: Socket) => void), b?: (s: Socket) => void): Server {
    const opts = typeof a === 'object' && a !== null ? a : {};
    const listener = typeof a === 'function' ? a : b;
    const s = new Server(this, opts);
    if (listener) s.on('connection', listener);
    return s;
  }

  connect(port: number | string, host?: string, cb?: () => void): Socket;
  connect(options: SocketConnectOptions & SocketOptions, cb?: () => void): Socket;
  connect(a: number | string | (SocketConnectOptions & SocketOptions), b?: string | (() => void), c?: () => void): Socket {
    const opts: SocketConnectOptions & SocketOptions = typeof a === 'object' ? a : { port: a, host: typeof b === 'string' ? b : undefined };
    const cb = typeof b === 'function' ? b : c;
    const s = new Socket(this, { allowHalfOpen: opts.allowHalfOpen });
    if (opts.timeout) s.setTimeout(opts.timeout);
    return s.connect(opts, cb);
  }

  createConnection(port: number | string, host?: string, cb?: () => void): Socket;
  createConnection(options: SocketConnectOptions & SocketOptions, cb?: () => void): Socket;
  createConnection(a: never, b?: never, c?: never): Socket {
    return this.connect(a, b, c);
  }

  /** A new unconnected socket (`new net.Socket()`), to connect() later. */
  socket(opts: SocketOptions = {}): Socket {
    return new Socket(this, opts);
  }

  isIP(s: string): number {
    return this.isIPv4(s) ? 4 : 0;
  }
  isIPv4(s: string): boolean {
    return parseIp(s) >= 0;
  }
  isIPv6(_s: string): boolean {
    return false;
  }

  /** @internal Resolve a host for connect/listen. */
  async resolve(host: string): Promise<number> {
    const lit = parseIp(host);
    if (lit >= 0) return lit;
    if (host === 'localhost') return 0x7f000001;
    if (!this.lookup) throw lookupError(host);
    const r = await this.lookup(host);
    const ip = typeof r === 'string' ? parseIp(r) : r;
    if (ip < 0) throw lookupError(host);
    return ip >>> 0;
  }
}

/** Events the TCP connection reports are handled by the socket itself (one object, no closures per segment). */
export class Socket extends Duplex implements TcpHandler {
  /** @internal */
  _conn: TcpConnection | null = null;
  connecting = false;
  bytesRead = 0;
  private _bytesWritten = 0;
  remoteAddress: string | undefined = undefined;
  remotePort: number | undefined = undefined;
  remoteFamily: 'IPv4' | undefined = undefined;
  localAddress: string | undefined = undefined;
  localPort: number | undefined = undefined;
  timeout: number | undefined = undefined;
  /** Always null: node:http falls back to 'data' events, which is what we want. */
  readonly _handle = null;
  /** @internal the Server that accepted this socket. */
  server: Server | null = null;
  private pendingWrite: { chunks: Uint8Array[]; cb: (e?: Error | null) => void } | null = null;
  private pendingFinal: ((e?: Error | null) => void) | null = null;
  private writeCb: ((e?: Error | null) => void) | null = null;
  private idleTimer: Timer | null = null;
  private noDelay = false;
  private keepAlive: [boolean, number] | null = null;
  private resetOnDestroy = false;
  private hadError = false;

  constructor(readonly net: Net, opts: SocketOptions = {}) {
    super({ allowHalfOpen: opts.allowHalfOpen ?? false, emitClose: false, decodeStrings: true, autoDestroy: true });
  }

  get bytesWritten(): number {
    return this._bytesWritten;
  }
  get pending(): boolean {
    return this._conn === null || this.connecting;
  }
  get readyState(): string {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }
  /** Bytes queued and not yet acknowledged (deprecated in Node, still used by some code). */
  get bufferSize(): number {
    return this.writableLength + (this._conn?.bufferedAmount ?? 0);
  }

  address(): AddressInfo | Record<string, never> {
    if (this.localAddress === undefined) return {};
    return { address: this.localAddress, family: 'IPv4', port: this.localPort! };
  }

  connect(port: number | string, host?: string, cb?: () => void): this;
  connect(options: SocketConnectOptions, cb?: () => void): this;
  connect(a: number | string | SocketConnectOptions, b?: string | (() => void), c?: () => void): this {
    const opts: SocketConnectOptions = typeof a === 'object' ? a : { port: a, host: typeof b === 'string' ? b : undefined };
    const cb = typeof b === 'function' ? b : c;
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw codeError('ERR_SOCKET_BAD_PORT', `Port should be >= 0 and < 65536. Received ${String(opts.port)}.`, RangeError);
    }
    const host = opts.host ?? 'localhost';
    if (cb) this.once('connect', cb);
    if (opts.noDelay) this.noDelay = true;
    if (opts.keepAlive) this.keepAlive = [true, opts.keepAliveInitialDelay ?? 0];
    this.connecting = true;
    const net = this.net;
    const literal = parseIp(host) >= 0 || host === 'localhost';
    const go = (ip: number): void => {
      if (this.destroyed) return;
      if (!literal) this.emit('lookup', null, ipToString(ip), 4, host);
      this.remoteAddress = ipToString(ip);
      this.remotePort = port;
      this.remoteFamily = 'IPv4';
      const local = opts.localAddress ? parseIp(opts.localAddress) : 0;
      const r = net.tcp.connect(ip, port, this, { localAddress: local > 0 ? local : undefined, localPort: opts.localPort });
      if (typeof r === 'number') {
        this.failConnect(netError(-r, 'connect', ipToString(ip), port));
        return;
      }
      this._conn = r;
      this.localAddress = ipToString(r.localAddr);
      this.localPort = r.localPort;
      if (this.noDelay) r.setNoDelay(true);
      if (this.keepAlive) r.setKeepAlive(this.keepAlive[0], this.keepAlive[1]);
    };
    net.resolve(host).then(
      (ip) => nextTick(() => go(ip)),
      (err: Error) => {
        if (!literal) this.emit('lookup', err, undefined, undefined, host);
        nextTick(() => this.failConnect(err));
      },
    );
    return this;
  }

  private failConnect(err: Error): void {
    this.connecting = false;
    this.destroy(err);
  }

  /** @internal wrap an accepted connection. */
  attach(c: TcpConnection): void {
    this._conn = c;
    this.remoteAddress = ipToString(c.remoteAddr);
    this.remotePort = c.remotePort;
    this.remoteFamily = 'IPv4';
    this.localAddress = ipToString(c.localAddr);
    this.localPort = c.localPort;
    c.setHandler(this);
  }

  setNoDelay(noDelay = true): this {
    this.noDelay = noDelay;
    this._conn?.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    this.keepAlive = [enable, initialDelay];
    this._conn?.setKeepAlive(enable, initialDelay);
    return this;
  }

  /** Idle timeout: 'timeout' after `ms` without activity (the socket stays open, as in Node). */
  setTimeout(ms: number, cb?: () => void): this {
    this.timeout = ms;
    if (cb) {
      if (ms === 0) this.removeListener('timeout', cb);
      else this.once('timeout', cb);
    }
    if (ms === 0) {
      this.idleTimer?.cancel();
      return this;
    }
    this.idleTimer ??= this.net.tcp.host.clock.timer(() => this.emit('timeout'));
    this.idleTimer.arm(ms);
    return this;
  }

  private active(): void {
    if (this.timeout && this.idleTimer) this.idleTimer.arm(this.timeout);
  }

  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  /** Close with RST (SO_LINGER 0), like Node's socket.resetAndDestroy(). */
  resetAndDestroy(): this {
    this.resetOnDestroy = true;
    return this.destroy();
  }

  /** End, then destroy once everything is written (used by node:http). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  // ---------------------------------------------------------------- TcpHandler

  onTcpConnect(c: TcpConnection): void {
    this._conn = c;
    this.connecting = false;
    this.localAddress = ipToString(c.localAddr);
    this.localPort = c.localPort;
    this.active();
    const pw = this.pendingWrite;
    if (pw) {
      this.pendingWrite = null;
      this.writeChunks(pw.chunks, pw.cb);
    }
    const pf = this.pendingFinal;
    if (pf) {
      this.pendingFinal = null;
      this._final(pf);
    }
    this.emit('connect');
    this.emit('ready');
  }

  onTcpData(c: TcpConnection, data: Buffer): void {
    this.bytesRead += data.length;
    this.active();
    if (!this.push(data)) c.setReadPaused(true);
  }

  onTcpEnd(): void {
    this.push(null);
  }

  onTcpWritable(): void {
    const cb = this.writeCb;
    if (cb) {
      this.writeCb = null;
      cb();
    }
  }

  onTcpClose(_c: TcpConnection, errno: number): void {
    if (errno === 0) {
      const cb = this.writeCb;
      if (cb) {
        this.writeCb = null;
        cb(netError(EPIPE, 'write'));
      }
      return;
    }
    const wasConnecting = this.connecting;
    this.connecting = false;
    const err = wasConnecting
      ? netError(errno, 'connect', this.remoteAddress, this.remotePort)
      : netError(errno, 'read');
    this._conn = null;
    this.destroy(err);
  }

  // ---------------------------------------------------------------- Duplex

  override _read(): void {
    this._conn?.setReadPaused(false);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.writeChunks([chunk], cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (e?: Error | null) => void): void {
    this.writeChunks(chunks.map((c) => c.chunk), cb);
  }

  private writeChunks(chunks: Uint8Array[], cb: (e?: Error | null) => void): void {
    const c = this._conn;
    if (this.connecting || c === null) {
      if (this.connecting) {
        this.pendingWrite = { chunks, cb };
        return;
      }
      cb(netError(EPIPE, 'write'));
      return;
    }
    if (c.finQueued || c.state === TcpState.CLOSED || c.state === TcpState.TIME_WAIT) {
      cb(netError(EPIPE, 'write'));
      return;
    }
    let ok = true;
    for (const ch of chunks) {
      this._bytesWritten += ch.length;
      ok = c.write(ch);
    }
    this.active();
    if (ok) cb();
    else this.writeCb = cb;
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (this.connecting) {
      this.pendingFinal = cb;
      return;
    }
    this._conn?.shutdown();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.idleTimer?.cancel();
    this.connecting = false;
    const c = this._conn;
    if (c !== null) {
      if (this.resetOnDestroy) c.abort();
      else c.close();
    }
    this.hadError = err !== null;
    this.server?.connectionClosed(this);
    cb(err);
    nextTick(() => this.emit('close', this.hadError));
  }
}

export { Server, type ServerOptions };
