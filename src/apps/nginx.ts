/**
 * `nginx -g 'daemon off;'` as the official image runs it: the docker-entrypoint lines, nginx's
 * startup notices, then the default server on :80 — the welcome page at / (and /index.html),
 * nginx's own 404/405 pages otherwise — with an access log line per request in the image's
 * `main` log_format. Stops on SIGTERM/SIGQUIT (docker stop).
 */
import { Buffer } from 'node:buffer';
import { clfDate, header, httpDate, p2, serveHttp, type HttpRequest, type HttpResponse } from './http-wire.js';
import type { Proc } from './process.js';
import { strerror } from './sock.js';

const VERSION = 'nginx/1.27.3';

export const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

/** /usr/share/nginx/html/index.html's mtime in the 1.27.3 image (ETag is mtime-size in hex). */
const INDEX_MTIME = 1732636500;

/** The entrypoint's lines, as seed 002 shows them. */
const ENTRYPOINT = `/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
/docker-entrypoint.sh: Configuration complete; ready for start up
`;

/** nginx's built-in error page (ngx_http_special_response.c), CRLF line ends. */
function errorPage(code: number, reason: string): string {
  return `<html>\r\n<head><title>${code} ${reason}</title></head>\r\n<body>\r\n<center><h1>${code} ${reason}</h1></center>\r\n<hr><center>${VERSION}</center>\r\n</body>\r\n</html>\r\n`;
}

/** Error log timestamp: `2026/11/22 22:44:15`. */
function logTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

export async function nginx(p: Proc): Promise<number> {
  const args = p.argv.slice(1);
  if (args.includes('-v') || args.includes('-V')) {
    p.stderr.write(`nginx version: ${VERSION}\n`);
    return 0;
  }
  if (args.includes('-t')) {
    p.stderr.write('nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n');
    return 0;
  }
  const clock = p.sys.clock;
  // The entrypoint only talks when it is the container's command (pid 1 runs nginx -g …).
  if (args.includes('-g')) p.stdout.write(ENTRYPOINT);
  const notice = (msg: string): void => p.stderr.write(`${logTime(clock.epochMs())} [notice] 1#1: ${msg}\n`);
  const index = Buffer.from(NGINX_WELCOME, 'utf8');
  const etag = `"${INDEX_MTIME.toString(16)}-${index.length.toString(16)}"`;

  let reqNo = 0;
  const handle = (req: HttpRequest): HttpResponse => {
    reqNo++;
    const path = req.target.split('?')[0]!;
    const now = clock.epochMs();
    let res: HttpResponse;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const body = errorPage(405, 'Not Allowed');
      res = { status: 405, reason: 'Not Allowed', headers: [['Server', VERSION], ['Date', httpDate(now)], ['Content-Type', 'text/html'], ['Content-Length', String(body.length)], ['Connection', 'keep-alive']], body };
    } else if (path === '/' || path === '/index.html') {
      res = {
        status: 200,
        reason: 'OK',
        headers: [['Server', VERSION], ['Date', httpDate(now)], ['Content-Type', 'text/html'], ['Content-Length', String(index.length)], ['Last-Modified', httpDate(INDEX_MTIME * 1000)], ['Connection', 'keep-alive'], ['ETag', etag], ['Accept-Ranges', 'bytes']],
        body: index,
      };
    } else {
      const body = errorPage(404, 'Not Found');
      res = { status: 404, reason: 'Not Found', headers: [['Server', VERSION], ['Date', httpDate(now)], ['Content-Type', 'text/html'], ['Content-Length', String(body.length)], ['Connection', 'keep-alive']], body };
      p.stderr.write(`${logTime(now)} [error] 29#29: *${reqNo} open() "/usr/share/nginx/html${path}" failed (2: No such file or directory), client: ${req.remoteAddress}, server: localhost, request: "${req.method} ${req.target} ${req.version}", host: "${header(req, 'host') ?? ''}"\n`);
    }
    const sent = req.method === 'HEAD' ? 0 : Buffer.byteLength(res.body);
    const q = (v: string | undefined): string => (v === undefined || v === '' ? '-' : v);
    p.stdout.write(`${req.remoteAddress} - - [${clfDate(now)}] "${req.method} ${req.target} ${req.version}" ${res.status} ${sent} "${q(header(req, 'referer'))}" "${q(header(req, 'user-agent'))}" "${q(header(req, 'x-forwarded-for'))}"\n`);
    return res;
  };

  const rc = await serveHttp(p, 80, handle, () => {
    notice('using the "epoll" event method');
    notice(VERSION);
    notice('built by gcc 12.2.0 (Debian 12.2.0-14) ');
    notice('OS: Linux 6.8.0-49-generic');
    notice('getrlimit(RLIMIT_NOFILE): 1048576:1048576');
    notice('start worker processes');
    notice('start worker process 29');
  }, (code) => {
    // nginx retries the bind five times, half a second apart, then gives up
    const errno = code === 'EADDRINUSE' ? 98 : code === 'EADDRNOTAVAIL' ? 99 : 13;
    for (let i = 0; i < 5; i++) p.stderr.write(`${logTime(clock.epochMs())} [emerg] 1#1: bind() to 0.0.0.0:80 failed (${errno}: ${strerror(code)})\nnginx: [emerg] bind() to 0.0.0.0:80 failed (${errno}: ${strerror(code)})\n`);
    p.stderr.write(`${logTime(clock.epochMs())} [emerg] 1#1: still could not bind()\nnginx: [emerg] still could not bind()\n`);
  });
  if (rc !== 0) return rc;
  // docker stop sends the image's STOPSIGNAL, SIGQUIT: a graceful shutdown
  const w = (pid: number, msg: string): void => p.stderr.write(`${logTime(clock.epochMs())} [notice] ${pid}#${pid}: ${msg}\n`);
  w(1, 'signal 3 (SIGQUIT) received, shutting down');
  w(29, 'gracefully shutting down');
  w(29, 'exiting');
  w(29, 'exit');
  w(1, 'signal 17 (SIGCHLD) received from 29');
  w(1, 'worker process 29 exited with code 0');
  w(1, 'exit');
  return 0;
}
