/**
 * What the TCP tools (telnet, nc, curl, wget, redis-cli) and servers (nginx, redis, …) share:
 * connecting through the namespace's `net` facade with a clock-based timeout, reading a socket
 * as a byte queue (lines, exact lengths, until EOF), and libc's strerror text for errno codes.
 */
import { Buffer } from 'node:buffer';
import type { Net, Socket } from '../node/net.js';
import type { Server } from '../node/net-server.js';
import { ipToString } from '../wire/addr.js';
import type { Proc } from './process.js';

export type { Socket, Server };

/** The namespace's node:net facade (installed by the engine as `services.net`). */
export function netOf(p: Proc): Net {
  const n = p.sys.services['net'] as Net | undefined;
  if (!n) throw new Error('no TCP in this namespace');
  return n;
}

/** glibc strerror() for the codes sockets fail with. */
const STRERROR: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ECONNRESET: 'Connection reset by peer',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EPIPE: 'Broken pipe',
  EPERM: 'Operation not permitted',
  EINVAL: 'Invalid argument',
};

export function strerror(code: string): string {
  return STRERROR[code] ?? code;
}

/** /etc/services names the tools accept for a port (`telnet host http`). */
const SERVICE_PORTS: Record<string, number> = { ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, www: 80, pop3: 110, https: 443, mysql: 3306, postgresql: 5432, redis: 6379 };

/** A port argument: a number 0–65535 or a service name; NaN if neither. */
export function parsePort(s: string): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n <= 65535 ? n : NaN;
  }
  return SERVICE_PORTS[s.toLowerCase()] ?? NaN;
}

export type ConnectResult =
  | { ok: true; sock: Socket; ms: number }
  /** code: errno name, 'TIMEOUT' (our own timer), or 'ABORT' (signal). */
  | { ok: false; code: string; ms: number };

/**
 * Open a TCP connection to ip:port. `timeoutMs` bounds the attempt with the clock (tools'
 * -w / --connect-timeout); without it the stack's SYN retries decide (ETIMEDOUT).
 */
export function tcpConnect(p: Proc, ip: number, port: number, timeoutMs?: number): Promise<ConnectResult> {
  const clock = p.sys.clock;
  const t0 = clock.now();
  const ms = (): number => clock.now() - t0;
  return new Promise((resolve) => {
    if (p.signal.aborted) return resolve({ ok: false, code: 'ABORT', ms: 0 });
    // Linux connects to INADDR_ANY as to the local host (curl 0.0.0.0:5000 reaches the host)
    const dst = ip === 0 ? 0x7f000001 : ip;
    const sock = netOf(p).connect({ port, host: ipToString(dst), allowHalfOpen: true });
    let settled = false;
    const timer = clock.timer(() => finish({ ok: false, code: 'TIMEOUT', ms: ms() }));
    const onAbort = (): void => finish({ ok: false, code: 'ABORT', ms: ms() });
    function finish(r: ConnectResult): void {
      if (settled) return;
      settled = true;
      timer.cancel();
      p.signal.removeEventListener('abort', onAbort);
      sock.removeListener('connect', onConnect);
      sock.removeListener('error', onError);
      if (!r.ok) {
        sock.on('error', () => {});
        sock.destroy();
      }
      resolve(r);
    }
    function onConnect(): void {
      finish({ ok: true, sock, ms: ms() });
    }
    function onError(e: NodeJS.ErrnoException): void {
      finish({ ok: false, code: e.code ?? 'EIO', ms: ms() });
    }
    sock.once('connect', onConnect);
    sock.once('error', onError);
    p.signal.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined && timeoutMs > 0) timer.arm(timeoutMs);
  });
}

/**
 * A socket's incoming bytes as a queue the program awaits: chunks, lines, exact lengths, or
 * everything until EOF. A reset or error ends the stream (`error` tells which).
 */
export class SockReader {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private waiter: (() => void) | null = null;
  error: NodeJS.ErrnoException | null = null;

  constructor(readonly sock: Socket) {
    sock.on('data', (c: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c;
      this.wake();
    });
    sock.on('end', () => this.finish());
    sock.on('close', () => this.finish());
    sock.on('error', (e: NodeJS.ErrnoException) => {
      this.error ??= e;
      this.finish();
    });
  }

  get eof(): boolean {
    return this.ended && this.buf.length === 0;
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Wait until more data, EOF, or abort. Returns false on abort. */
  private more(signal?: AbortSignal): Promise<boolean> {
    if (this.ended) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.waiter = null;
        resolve(false);
      };
      this.waiter = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Whatever is buffered (waiting for at least one byte), or null at EOF / abort. */
  async chunk(signal?: AbortSignal): Promise<Buffer | null> {
    while (this.buf.length === 0) {
      if (this.ended) return null;
      if (!(await this.more(signal))) return null;
    }
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return b;
  }

  /** Bytes up to and including `delim` (or the rest at EOF; null if nothing is left). */
  async until(delim: string, signal?: AbortSignal, max = 1 << 20): Promise<Buffer | null> {
    for (;;) {
      const i = this.buf.indexOf(delim);
      if (i >= 0) return this.take(i + delim.length);
      if (this.buf.length > max) return this.take(this.buf.length);
      if (this.ended) return this.buf.length ? this.take(this.buf.length) : null;
      if (!(await this.more(signal))) return null;
    }
  }

  /** A line without its CRLF/LF, or null at EOF. */
  async line(signal?: AbortSignal): Promise<string | null> {
    const b = await this.until('\n', signal);
    if (b === null) return null;
    return b.toString('latin1').replace(/\r?\n$/, '');
  }

  /** Exactly n bytes (fewer only at EOF; null on abort). */
  async exact(n: number, signal?: AbortSignal): Promise<Buffer | null> {
    while (this.buf.length < n) {
      if (this.ended) return this.take(this.buf.length);
      if (!(await this.more(signal))) return null;
    }
    return this.take(n);
  }

  /** Everything until EOF. */
  async rest(signal?: AbortSignal): Promise<Buffer> {
    while (!this.ended) if (!(await this.more(signal))) break;
    return this.take(this.buf.length);
  }

  private take(n: number): Buffer {
    const b = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return b;
  }
}

/** Wait for the abort signal (a daemon's main loop). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
}

/**
 * Run a TCP daemon: listen on 0.0.0.0:port, hand each connection to `onConn`, and stop
 * (closing the listener and every open connection) when the process is signalled.
 */
export async function serveTcp(p: Proc, port: number, onConn: (s: Socket) => void, onListening?: () => void, onBindError?: (code: string) => void): Promise<number> {
  const srv = netOf(p).createServer({ allowHalfOpen: true });
  const open = new Set<Socket>();
  srv.on('connection', (s: Socket) => {
    open.add(s);
    s.on('error', () => {});
    s.on('close', () => open.delete(s));
    onConn(s);
  });
  const ok = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    srv.once('listening', () => resolve(null));
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    srv.listen(port, '0.0.0.0');
  });
  if (ok) {
    if (onBindError) onBindError(ok.code ?? 'EIO');
    else p.stderr.write(`bind: ${strerror(ok.code ?? '')}\n`);
    return 1;
  }
  onListening?.();
  await untilAborted(p.signal);
  srv.close();
  for (const s of open) s.destroy();
  return 0;
}
