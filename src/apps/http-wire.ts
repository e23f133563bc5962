/**
 * HTTP/1.1 on the emulated sockets (RFC 9112), enough for the tools and daemons vnet ships:
 * request/response heads, Content-Length / chunked / close-delimited bodies, keep-alive.
 * Dates come from the namespace's clock.
 */
import { Buffer } from 'node:buffer';
import type { Proc } from './process.js';
import { serveTcp, SockReader, type Socket } from './sock.js';

export interface HttpHead {
  /** Request: method, target, version. Response: version, status, reason. */
  start: [string, string, string];
  headers: Array<[string, string]>;
  /** The head as received (curl -i / -I print it verbatim). */
  raw: Buffer;
}

export function header(h: HttpHead | { headers: Array<[string, string]> }, name: string): string | undefined {
  const n = name.toLowerCase();
  return h.headers.find(([k]) => k.toLowerCase() === n)?.[1];
}

/** Read a message head (start line + fields up to the empty line); null at EOF. */
export async function readHead(r: SockReader, signal?: AbortSignal): Promise<HttpHead | null> {
  const raw = await r.until('\r\n\r\n', signal, 64 * 1024);
  if (raw === null || raw.length === 0) return null;
  const text = raw.toString('latin1');
  const lines = text.split(/\r?\n/);
  const first = lines.shift()!;
  const sp1 = first.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : first.indexOf(' ', sp1 + 1);
  const start: [string, string, string] = sp1 < 0 ? [first, '', ''] : sp2 < 0 ? [first.slice(0, sp1), first.slice(sp1 + 1), ''] : [first.slice(0, sp1), first.slice(sp1 + 1, sp2), first.slice(sp2 + 1)];
  const headers: Array<[string, string]> = [];
  for (const l of lines) {
    if (l === '') continue;
    const c = l.indexOf(':');
    if (c <= 0) continue;
    headers.push([l.slice(0, c).trim(), l.slice(c + 1).trim()]);
  }
  return { start, headers, raw };
}

/**
 * Read a body framed as the head says (RFC 9112 §6.3): chunked, Content-Length, or until close.
 * `onData` sees the bytes as they arrive; resolves with whether the body ended cleanly.
 */
export async function readBody(r: SockReader, h: HttpHead, isResponse: boolean, onData: (b: Buffer) => void, signal?: AbortSignal): Promise<boolean> {
  const te = header(h, 'transfer-encoding');
  if (te && /chunked/i.test(te)) {
    for (;;) {
      const line = await r.line(signal);
      if (line === null) return false;
      const size = parseInt(line.split(';')[0]!.trim(), 16);
      if (Number.isNaN(size)) return false;
      if (size === 0) {
        // trailers up to the empty line
        for (;;) {
          const t = await r.line(signal);
          if (t === null || t === '') return true;
        }
      }
      const b = await r.exact(size, signal);
      if (b === null) return false;
      if (b.length) onData(b);
      if (b.length < size) return false;
      await r.line(signal);
    }
  }
  const cl = header(h, 'content-length');
  if (cl !== undefined) {
    let left = Number(cl);
    while (left > 0) {
      const b = await r.chunk(signal);
      if (b === null) return false;
      const take = b.subarray(0, left);
      onData(take);
      left -= take.length;
    }
    return true;
  }
  if (!isResponse) return true;
  for (;;) {
    const b = await r.chunk(signal);
    if (b === null) return r.error === null;
    onData(b);
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function httpDate(epochMs: number): string {
  const d = new Date(epochMs);
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} GMT`;
}

/** nginx $time_local (UTC in containers): `22/Nov/2026:22:44:15 +0000`. */
export function clfDate(epochMs: number): string {
  const d = new Date(epochMs);
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

export { MONTHS, p2 };

export interface HttpRequest {
  method: string;
  target: string;
  version: string;
  headers: Array<[string, string]>;
  body: Buffer;
  remoteAddress: string;
  remotePort: number;
}

export interface HttpResponse {
  status: number;
  reason: string;
  /** Fields in order, as the server sends them (Content-Length included by the handler). */
  headers: Array<[string, string]>;
  body: string | Buffer;
  /** HTTP/1.0 responses (werkzeug) close after each response. */
  version?: string;
  close?: boolean;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

/** An HTTP/1.1 server on 0.0.0.0:port until the process is signalled. */
export function serveHttp(p: Proc, port: number, handler: HttpHandler, onListening?: () => void, onBindError?: (code: string) => void): Promise<number> {
  return serveTcp(p, port, (s) => void httpConnection(p, s, handler), onListening, onBindError);
}

async function httpConnection(p: Proc, s: Socket, handler: HttpHandler): Promise<void> {
  const r = new SockReader(s);
  try {
    for (;;) {
      const h = await readHead(r, p.signal);
      if (h === null) break;
      const [method, target, version] = h.start;
      const chunks: Buffer[] = [];
      await readBody(r, h, false, (b) => chunks.push(b), p.signal);
      const req: HttpRequest = { method, target, version, headers: h.headers, body: Buffer.concat(chunks), remoteAddress: s.remoteAddress ?? '', remotePort: s.remotePort ?? 0 };
      let res: HttpResponse;
      try {
        res = await handler(req);
      } catch {
        res = { status: 500, reason: 'Internal Server Error', headers: [['Content-Length', '0'], ['Connection', 'close']], body: '', close: true };
      }
      const body = typeof res.body === 'string' ? Buffer.from(res.body, 'utf8') : res.body;
      const connHdr = (header(h, 'connection') ?? '').toLowerCase();
      const close = res.close === true || connHdr === 'close' || (version === 'HTTP/1.0' && connHdr !== 'keep-alive') || !/^HTTP\/1\.[01]$/.test(version);
      const lines = [`${res.version ?? 'HTTP/1.1'} ${res.status} ${res.reason}`];
      for (const [k, v] of res.headers) {
        if (k.toLowerCase() === 'connection') lines.push(`${k}: ${close ? 'close' : v}`);
        else lines.push(`${k}: ${v}`);
      }
      const headBytes = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
      if (s.destroyed) return;
      s.write(method === 'HEAD' ? headBytes : Buffer.concat([headBytes, body]));
      if (close) break;
    }
  } finally {
    if (!s.destroyed) s.end();
  }
}
