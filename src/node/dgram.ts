/**
 * node:dgram-compatible sockets over a namespace's UDP (udp4 only).
 * Event and error shapes follow Node 20: 'listening', 'message', 'connect', 'error', 'close';
 * errors carry code/errno/syscall/address/port like libuv's.
 */
import { EventEmitter } from 'node:events';
import { Buffer } from 'node:buffer';
import type { Udp, UdpSocket } from '../stack/udp.js';
import { ipToString, parseIp } from '../wire/addr.js';

export interface RemoteInfo {
  address: string;
  family: 'IPv4';
  port: number;
  size: number;
}

export interface DgramOptions {
  /** Resolve a hostname to a dotted-quad (the namespace's resolver); default: IP literals only. */
  lookup?: (host: string) => Promise<string>;
}

export interface SocketOptions {
  type: 'udp4' | 'udp6';
  reuseAddr?: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
}

type Msg = string | Uint8Array | ReadonlyArray<string | Uint8Array>;
type SendCb = (err: Error | null, bytes?: number) => void;

const nextTick = (fn: () => void): void => queueMicrotask(fn);

function codeError(code: string, message: string): Error {
  const e = new Error(message) as NodeJS.ErrnoException;
  e.code = code;
  e.name = 'Error';
  return e;
}

export class Socket extends EventEmitter {
  private sock: UdpSocket;
  private state: 'unbound' | 'binding' | 'bound' | 'closed' = 'unbound';
  private connectState: 'none' | 'connecting' | 'connected' = 'none';
  private pendingSends: Array<() => void> = [];

  constructor(
    udp: Udp,
    readonly type: 'udp4' | 'udp6',
    private readonly opts: DgramOptions,
    so?: SocketOptions,
  ) {
    super();
    this.sock = udp.socket();
    if (so?.recvBufferSize) this.sock.rcvbuf = so.recvBufferSize;
    this.sock.onMessage = (data, address, port) => {
      const b = Buffer.from(data.buffer, data.byteOffset, data.length);
      const rinfo: RemoteInfo = { address: ipToString(address), family: 'IPv4', port, size: data.length };
      this.emit('message', b, rinfo);
    };
    this.sock.onError = (errno) => {
      this.emit('error', errnoException(errno, 'recvmsg'));
    };
  }

  bind(port?: number | { port?: number; address?: string; exclusive?: boolean } | (() => void), address?: string | (() => void), cb?: () => void): this {
    let p = 0;
    let addr: string | undefined;
    if (typeof port === 'function') {
      cb = port;
    } else if (port && typeof port === 'object') {
      p = port.port ?? 0;
      addr = port.address;
      if (typeof address === 'function') cb = address;
    } else {
      p = port ?? 0;
      if (typeof address === 'function') cb = address;
      else addr = address;
    }
    if (this.state !== 'unbound') throw codeError('ERR_SOCKET_ALREADY_BOUND', 'Socket is already bound');
    this.state = 'binding';
    if (cb) this.once('listening', cb);
    const finish = (ip: number): void => {
      if (this.state === 'closed') return;
      const r = this.sock.bind(ip, p);
      if (r < 0) {
        this.state = 'unbound';
        this.emit('error', errnoException(-r, 'bind', addr ?? '0.0.0.0', p));
        return;
      }
      this.state = 'bound';
      this.emit('listening');
      if (this.connectState !== 'connecting') this.flush();
    };
    const host = addr ?? '0.0.0.0';
    const ip = parseIp(host);
    if (ip >= 0) nextTick(() => finish(ip));
    else
      this.resolve(host).then(finish, (err: Error) => {
        this.state = 'unbound';
        this.emit('error', err);
      });
    return this;
  }

  connect(port: number, address?: string | (() => void), cb?: () => void): void {
    if (typeof address === 'function') {
      cb = address;
      address = undefined;
    }
    if (this.connectState !== 'none') throw codeError('ERR_SOCKET_DGRAM_IS_CONNECTED', 'Already connected');
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw codeError('ERR_SOCKET_BAD_PORT', `Port should be > 0 and < 65536. Received ${port}.`);
    }
    this.connectState = 'connecting';
    if (cb) this.once('connect', cb);
    const host = address ?? '127.0.0.1';
    const doConnect = (ip: number): void => {
      if (this.state === 'closed') return;
      // connect(2) binds an unbound socket to an ephemeral port.
      const r = this.sock.connect(ip, port);
      if (r < 0) {
        this.connectState = 'none';
        this.emit('error', errnoException(-r, 'connect', host, port));
        return;
      }
      this.connectState = 'connected';
      if (this.state === 'unbound') {
        this.state = 'bound';
        this.emit('listening');
      }
      this.emit('connect');
      this.flush();
    };
    const start = (ip: number): void => {
      // A bind() in progress finishes first.
      if (this.state === 'binding') this.once('listening', () => doConnect(ip));
      else doConnect(ip);
    };
    this.resolve(host).then(
      start,
      (err: Error) => {
        this.connectState = 'none';
        this.emit('error', err);
      },
    );
  }

  private flush(): void {
    const q = this.pendingSends;
    this.pendingSends = [];
    for (const f of q) f();
  }

  disconnect(): void {
    if (this.connectState !== 'connected') throw codeError('ERR_SOCKET_DGRAM_NOT_CONNECTED', 'Not connected');
    this.sock.disconnect();
    this.connectState = 'none';
  }

  send(msg: Msg, port?: number, address?: string, cb?: SendCb): void;
  send(msg: Msg, port: number, cb: SendCb): void;
  send(msg: Msg, cb: SendCb): void;
  send(msg: Msg, offset: number, length: number, port?: number, address?: string, cb?: SendCb): void;
  send(msg: Msg, offset: number, length: number, cb: SendCb): void;
  send(msg: Msg, ...args: unknown[]): void {
    let offset: number | undefined;
    let length: number | undefined;
    let port: number | undefined;
    let address: string | undefined;
    let cb: SendCb | undefined;
    const a = [...args];
    if (typeof a[a.length - 1] === 'function') cb = a.pop() as SendCb;
    if (a.length >= 3 && typeof a[0] === 'number' && typeof a[1] === 'number' && typeof a[2] === 'number') {
      [offset, length, port, address] = a as [number, number, number, string | undefined];
    } else if (a.length >= 2 && typeof a[0] === 'number' && typeof a[1] === 'number' && this.connectState === 'connected') {
      [offset, length] = a as [number, number];
    } else {
      [port, address] = a as [number | undefined, string | undefined];
    }
    let data = toBytes(msg);
    if (offset !== undefined && length !== undefined) data = data.subarray(offset, offset + length);
    if (this.state === 'closed') throw codeError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
    if (this.connectState === 'connected' && port !== undefined) {
      throw codeError('ERR_SOCKET_DGRAM_IS_CONNECTED', 'Already connected');
    }
    if (this.connectState !== 'connected' && (port === undefined || !Number.isInteger(port) || port <= 0 || port > 65535)) {
      throw codeError('ERR_SOCKET_BAD_PORT', `Port should be > 0 and < 65536. Received ${port}.`);
    }
    const fail = (err: Error): void => {
      if (cb) cb(err);
      else this.emit('error', err);
    };
    const doSend = (ip?: number): void => {
      if (this.state === 'closed') return;
      const r = ip === undefined ? this.sock.send(data) : this.sock.send(data, ip, port!);
      if (r < 0) {
        const host = ip === undefined ? ipToString(this.sock.remoteAddress) : address ?? '127.0.0.1';
        fail(errnoException(-r, 'send', host, ip === undefined ? this.sock.remotePort : port));
        return;
      }
      if (cb) cb(null, r);
    };
    const go = (): void => {
      if (this.connectState === 'connected') return nextTick(() => doSend());
      // Node's default destination for udp4 is localhost.
      this.resolve(address ?? '127.0.0.1').then(doSend, fail);
    };
    if (this.state === 'unbound' && this.connectState === 'none') {
      // Implicit bind to 0.0.0.0:0, like Node before the first send.
      this.bind();
      this.pendingSends.push(go);
    } else if (this.state === 'binding' || this.connectState === 'connecting') this.pendingSends.push(go);
    else go();
  }

  close(cb?: () => void): this {
    if (this.state === 'closed') throw codeError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
    if (cb) this.once('close', cb);
    this.state = 'closed';
    this.sock.close();
    nextTick(() => this.emit('close'));
    return this;
  }

  address(): { address: string; family: 'IPv4'; port: number } {
    if (this.state !== 'bound') throw codeError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
    return { address: ipToString(this.sock.localAddress), family: 'IPv4', port: this.sock.localPort };
  }

  remoteAddress(): { address: string; family: 'IPv4'; port: number } {
    if (this.connectState !== 'connected') throw codeError('ERR_SOCKET_DGRAM_NOT_CONNECTED', 'Not connected');
    return { address: ipToString(this.sock.remoteAddress), family: 'IPv4', port: this.sock.remotePort };
  }

  setBroadcast(flag: boolean): void {
    if (this.state === 'closed') throw codeError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
    this.sock.broadcast = flag;
  }
  setTTL(ttl: number): number {
    this.sock.ttl = ttl;
    return ttl;
  }
  getRecvBufferSize(): number {
    return this.sock.rcvbuf;
  }
  setRecvBufferSize(n: number): void {
    this.sock.rcvbuf = n;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  /** The stack socket underneath (for tools such as ss/netstat). */
  get handle(): UdpSocket {
    return this.sock;
  }

  private resolve(host: string): Promise<number> {
    if (host === 'localhost') return Promise.resolve(0x7f000001);
    const ip = parseIp(host);
    if (ip >= 0) return Promise.resolve(ip);
    if (!this.opts.lookup) return Promise.reject(notFound(host));
    return this.opts.lookup(host).then((s) => {
      const v = parseIp(s);
      if (v < 0) throw notFound(host);
      return v;
    });
  }
}

function notFound(host: string): Error {
  const e = new Error(`getaddrinfo ENOTFOUND ${host}`) as NodeJS.ErrnoException & { hostname?: string };
  e.code = 'ENOTFOUND';
  e.errno = -3008;
  e.syscall = 'getaddrinfo';
  e.hostname = host;
  return e;
}

function toBytes(msg: Msg): Uint8Array {
  if (typeof msg === 'string') return Buffer.from(msg);
  if (msg instanceof Uint8Array) return msg;
  return Buffer.concat((msg as ReadonlyArray<string | Uint8Array>).map((m) => (typeof m === 'string' ? Buffer.from(m) : m)));
}

/** The `dgram` module object for one namespace. */
export interface DgramModule {
  createSocket(type: 'udp4' | SocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void): Socket;
  Socket: typeof Socket;
}

export function createDgram(udp: Udp, opts: DgramOptions = {}): DgramModule {
  return {
    createSocket(type, listener) {
      const so: SocketOptions = typeof type === 'string' ? { type } : type;
      if (so.type !== 'udp4') throw codeError('ERR_SOCKET_BAD_TYPE', 'Bad socket type specified. Valid types are: udp4, udp6');
      const s = new Socket(udp, so.type, opts, so);
      if (listener) s.on('message', listener);
      return s;
    },
    Socket,
  };
}

const ERRNO_NAMES: Record<number, string> = {
  9: 'EBADF', 13: 'EACCES', 22: 'EINVAL', 89: 'EDESTADDRREQ', 90: 'EMSGSIZE', 92: 'ENOPROTOOPT',
  98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 101: 'ENETUNREACH', 104: 'ECONNRESET', 106: 'EISCONN',
  110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 113: 'EHOSTUNREACH',
};

/** Linux errno number → symbolic name ('EADDRINUSE'). */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

/**
 * An Error shaped like Node's (libuv) socket errors: message `syscall CODE addr:port`,
 * `errno` negative, `code`, `syscall`, `address`, `port`.
 */
export function errnoException(errno: number, syscall: string, address?: string, port?: number): NodeJS.ErrnoException & { address?: string; port?: number } {
  const code = errnoName(errno);
  let msg = `${syscall} ${code}`;
  if (address !== undefined) msg += port ? ` ${address}:${port}` : ` ${address}`;
  const e = new Error(msg) as NodeJS.ErrnoException & { address?: string; port?: number };
  e.errno = -errno;
  e.code = code;
  e.syscall = syscall;
  if (address !== undefined) e.address = address;
  if (port) e.port = port;
  return e;
}
