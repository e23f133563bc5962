/**
 * Seed 000's `a-python-app`: in reality a Python 3.4/Flask app (debug mode, Werkzeug dev
 * server on :5000) whose `/` does `redis.Redis(host='redis', port=6379).incr('hits')` and
 * returns `Visit count: N`. vnet runs the same behaviour natively: each GET / resolves `redis`
 * through the container's resolver (musl, python:3.4-alpine), sends INCR over TCP and answers
 * with redis-py's error text as a 500 when that fails, e.g.
 * `Error -2 connecting to redis:6379. Name does not resolve.` on the default bridge.
 */
import { Buffer } from 'node:buffer';
import { httpDate, MONTHS, p2, serveHttp, type HttpRequest, type HttpResponse } from './http-wire.js';
import type { Proc } from './process.js';
import { encodeCommand } from './redis.js';
import { resolveHost } from './resolve.js';
import { SockReader, tcpConnect } from './sock.js';

const SERVER = 'Werkzeug/0.14.1 Python/3.4.10';

/** redis-py's ConnectionError text for a failed connect (errno, musl strerror/gai_strerror). */
const CONNECT_ERRORS: Record<string, string> = {
  ENOTFOUND: 'Error -2 connecting to {}. Name does not resolve.',
  EAI_AGAIN: 'Error -3 connecting to {}. Try again.',
  ECONNREFUSED: 'Error 111 connecting to {}. Connection refused.',
  ETIMEDOUT: 'Error 110 connecting to {}. Operation timed out.',
  EHOSTUNREACH: 'Error 113 connecting to {}. Host is unreachable.',
  ENETUNREACH: 'Error 101 connecting to {}. Network unreachable.',
};

/** INCR hits on redis:6379; the count, or redis-py's exception text. */
async function incrHits(p: Proc, host: string, port: number): Promise<{ n: number } | { error: string }> {
  const where = `${host}:${port}`;
  const text = (code: string): string => (CONNECT_ERRORS[code] ?? `Error connecting to {}. ${code}.`).replace('{}', where);
  const res = await resolveHost(p.sys, host);
  if (!res.ok) return { error: text(res.error) };
  const c = await tcpConnect(p, res.addresses[0]!, port);
  if (!c.ok) return { error: text(c.code) };
  const r = new SockReader(c.sock);
  c.sock.write(encodeCommand(['INCR', 'hits']));
  const line = await r.line(p.signal);
  c.sock.end();
  c.sock.destroy();
  if (line === null) return { error: 'Connection closed by server.' };
  if (line.startsWith(':')) return { n: Number(line.slice(1)) };
  return { error: line.slice(1) };
}

/** Werkzeug's access log time: `22/Nov/2026 22:44:15`. */
function logTime(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

export async function hitCounter(p: Proc): Promise<number> {
  const clock = p.sys.clock;
  const redisHost = p.env['REDIS_HOST'] ?? 'redis';
  const pin = `${p.sys.prng.int(100, 999)}-${p.sys.prng.int(100, 999)}-${p.sys.prng.int(100, 999)}`;
  const handle = async (req: HttpRequest): Promise<HttpResponse> => {
    const path = req.target.split('?')[0]!;
    let status: number;
    let reason: string;
    let body: string;
    if (path !== '/') {
      status = 404;
      reason = 'NOT FOUND';
      body = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server.  If you entered the URL manually please check your spelling and try again.</p>\n';
    } else {
      const r = await incrHits(p, redisHost, 6379);
      if ('n' in r) {
        status = 200;
        reason = 'OK';
        body = `Visit count: ${r.n}`;
      } else {
        status = 500;
        reason = 'INTERNAL SERVER ERROR';
        const exc = `redis.exceptions.ConnectionError: ${r.error}`;
        // the debug-mode error page (Werkzeug debugger), trimmed to what a reader sees
        body = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"\n  "http://www.w3.org/TR/html4/loose.dtd">\n<html>\n  <head>\n    <title>${exc} // Werkzeug Debugger</title>\n  </head>\n  <body>\n    <div class="debugger">\n<h1>redis.exceptions.ConnectionError</h1>\n<div class="detail">\n  <p class="errormsg">${exc}</p>\n</div>\n    </div>\n  </body>\n</html>\n`;
        p.stderr.write(`Traceback (most recent call last):\n  File "/code/app.py", line 9, in get_hit_count\n    return cache.incr('hits')\n${exc}\n`);
      }
    }
    p.stderr.write(`${req.remoteAddress} - - [${logTime(clock.epochMs())}] "${req.method} ${req.target} ${req.version}" ${status} -\n`);
    const b = Buffer.from(body, 'utf8');
    return {
      version: 'HTTP/1.0',
      status,
      reason,
      headers: [['Content-Type', 'text/html; charset=utf-8'], ['Content-Length', String(b.length)], ['Server', SERVER], ['Date', httpDate(clock.epochMs())]],
      body: b,
      close: true,
    };
  };
  return serveHttp(p, 5000, handle, () => {
    p.stdout.write(` * Serving Flask app "app" (lazy loading)\n * Environment: production\n   WARNING: Do not use the development server in a production environment.\n   Use a production WSGI server instead.\n * Debug mode: on\n`);
    p.stderr.write(` * Running on http://0.0.0.0:5000/ (Press CTRL+C to quit)\n * Restarting with stat\n * Debugger is active!\n * Debugger PIN: ${pin}\n`);
  });
}
