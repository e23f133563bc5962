/**
 * HTTP clients: `curl` (curl 8.5.0 as in Ubuntu 24.04, 7.88.1 in Debian 12 and the images built
 * on it) and `wget` (busybox 1.36 wget in busybox/alpine; a GNU wget 1.21 rendering in GNU images).
 *
 * Reality check: the ubuntu and debian images ship neither curl nor wget, but the seeds run
 * `curl` inside Ubuntu/Debian-based images after installing it, so vnet's GNU images have curl
 * (and wget) preinstalled. Busybox/alpine have only busybox wget: `curl` there answers as the
 * shell would for a missing command (`sh: curl: not found`, 127; see BUSYBOX_LACKS in programs.ts).
 */
import { Buffer } from 'node:buffer';
import { ipToString, parseIp } from '../wire/addr.js';
import { getopt } from './getopt.js';
import { header, readBody, readHead, type HttpHead } from './http-wire.js';
import type { Proc } from './process.js';
import { resolveHost } from './resolve.js';
import { SockReader, strerror, tcpConnect, type Socket } from './sock.js';

interface Url {
  scheme: string;
  host: string;
  port: number;
  /** Path with query, starting with '/'. */
  path: string;
  /** Host header value (host, plus :port when not the default). */
  hostHeader: string;
}

function parseUrl(s: string): Url | null {
  let rest = s;
  let scheme = 'http';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  const slash = rest.search(/[/?#]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  let path = slash < 0 ? '/' : rest.slice(slash);
  path = path.replace(/#.*$/, '');
  if (path.startsWith('?')) path = '/' + path;
  const at = authority.lastIndexOf('@');
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;
  const colon = hostport.lastIndexOf(':');
  const defPort = scheme === 'https' ? 443 : 80;
  let host = hostport;
  let port = defPort;
  if (colon >= 0) {
    host = hostport.slice(0, colon);
    const ps = hostport.slice(colon + 1);
    if (ps !== '') {
      port = Number(ps);
      if (!/^\d+$/.test(ps) || port > 65535) return null;
    }
  }
  if (!host) return null;
  return { scheme, host, port, path: path || '/', hostHeader: port === defPort ? host : `${host}:${port}` };
}

interface Fetched {
  head: HttpHead;
  status: number;
  reason: string;
  version: string;
  body: Buffer;
  complete: boolean;
}

/** Send one request on a connected socket and read the response. */
async function exchange(p: Proc, sock: Socket, request: string, isHead: boolean, onHead?: (h: HttpHead) => void): Promise<Fetched | { error: 'empty' | 'reset' | 'abort' | 'http09'; first?: string }> {
  const reader = new SockReader(sock);
  sock.write(request);
  const head = await readHead(reader, p.signal);
  if (p.signal.aborted) return { error: 'abort' };
  if (head === null) return { error: reader.error ? 'reset' : 'empty' };
  // not a status line: an HTTP/0.9 answer (or another protocol, e.g. Redis' errors)
  if (!/^HTTP\/\d\.\d$/.test(head.start[0]) || !/^\d{3}$/.test(head.start[1])) return { error: 'http09', first: head.raw.toString('latin1').split(/\r?\n/)[0] };
  onHead?.(head);
  const status = Number(head.start[1]);
  const chunks: Buffer[] = [];
  let complete = true;
  const noBody = isHead || (status >= 100 && status < 200) || status === 204 || status === 304;
  if (!noBody) complete = await readBody(reader, head, true, (b) => chunks.push(b), p.signal);
  return { head, status, reason: head.start[2], version: head.start[0], body: Buffer.concat(chunks), complete };
}

// ------------------------------------------------------------------------------------- curl

/** curl's max5data(): a size in at most five characters. */
function max5(n: number): string {
  const K = 1024;
  const M = K * K;
  if (n < 100000) return String(Math.floor(n)).padStart(5);
  if (n < 10000 * K) return `${String(Math.floor(n / K)).padStart(4)}k`;
  if (n < 100 * M) return `${String(Math.floor(n / M)).padStart(2)}.${Math.floor((n % M) / (M / 10))}M`;
  return `${String(Math.floor(n / M)).padStart(4)}M`;
}

const METER_HEAD = '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n';

function meterLine(total: number, got: number, elapsedMs: number): string {
  const pct = total > 0 ? Math.floor((got * 100) / total) : 0;
  const speed = elapsedMs > 0 ? (got * 1000) / elapsedMs : got;
  return `${String(pct).padStart(3)} ${max5(total)}  ${String(pct).padStart(3)} ${max5(got)}    0     0  ${max5(speed)}      0 --:--:-- --:--:-- --:--:-- ${max5(speed)}`;
}

export async function curl(p: Proc): Promise<number> {
  const ubuntu = p.sys.image === 'ubuntu' || p.sys.image === 'host';
  const version = ubuntu ? '8.5.0' : '7.88.1';
  const longVal = ['--connect-timeout', '--max-time', '--output', '--request', '--header', '--data', '--user-agent', '--write-out'];
  const argv = p.argv.slice(1).map((a) => (a === '--silent' ? '-s' : a === '--show-error' ? '-S' : a === '--head' ? '-I' : a === '--include' ? '-i' : a === '--verbose' ? '-v' : a === '--fail' ? '-f' : a === '--location' ? '-L' : a === '--remote-name' ? '-O' : a));
  const o = getopt(argv, 'sSIivfLOo:X:H:d:m:A:w:k', longVal);
  if (o.error && /requires an argument/.test(o.error)) {
    p.stderr.write(`curl: option ${o.error.replace(/.*-- '(.)'$/, '-$1')}: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n`);
    return 2;
  }
  if (o.opts.has('--version') || o.opts.has('-V')) {
    p.stdout.write(`curl ${version} (x86_64-pc-linux-gnu) libcurl/${version}\nProtocols: http\nFeatures: IPv6 Largefile\n`);
    return 0;
  }
  const silent = o.opts.has('s');
  const showError = !silent || o.opts.has('S');
  const verbose = o.opts.has('v');
  const fail = o.opts.has('f');
  const headOnly = o.opts.has('I');
  const include = o.opts.has('i') || headOnly;
  const outFile = (o.opts.get('o') ?? o.opts.get('--output')) as string | undefined;
  const data = (o.opts.get('d') ?? o.opts.get('--data')) as string | undefined;
  const method = ((o.opts.get('X') ?? o.opts.get('--request')) as string | undefined) ?? (headOnly ? 'HEAD' : data !== undefined ? 'POST' : 'GET');
  const maxTime = Number(o.opts.get('m') ?? o.opts.get('--max-time') ?? 0) * 1000;
  const connectTimeout = Number(o.opts.get('--connect-timeout') ?? 0) * 1000;
  const userAgent = (o.opts.get('A') ?? o.opts.get('--user-agent') ?? `curl/${version}`) as string;
  const extra: string[] = [];
  const hv = o.opts.get('H') ?? o.opts.get('--header');
  if (typeof hv === 'string') extra.push(hv);
  const clock = p.sys.clock;
  const t0 = clock.now();
  // -w/--write-out: printed after the transfer, failed or not (http_code 000 without a response)
  const wfmt = (o.opts.get('w') ?? o.opts.get('--write-out')) as string | undefined;
  const wvars: Record<string, string> = { http_code: '000', response_code: '000', size_download: '0', size_header: '0', remote_ip: '', remote_port: '', local_ip: '', local_port: '', num_connects: '0', exitcode: '0', content_type: '', url: o.args[0] ?? '', time_total: '0.000000', time_connect: '0.000000' };
  const writeOut = (exit: number): void => {
    if (wfmt === undefined) return;
    wvars['exitcode'] = String(exit);
    wvars['time_total'] = ((p.sys.clock.now() - t0) / 1000).toFixed(6);
    const text = wfmt.replace(/%\{([a-z_]+)\}/g, (_m, k: string) => wvars[k] ?? '').replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t').replace(/%%/g, '%');
    p.stdout.write(text);
  };
  const errOut = (code: number, msg: string): number => {
    if (showError) p.stderr.write(`curl: (${code}) ${msg}\n`);
    writeOut(code);
    return code;
  };
  if (o.error) return errOut(2, o.error);
  if (o.args.length === 0) {
    p.stderr.write("curl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  const url = parseUrl(o.args[0]!);
  if (!url) return errOut(3, 'URL rejected: Malformed input to a URL function');
  if (url.scheme !== 'http') return errOut(1, `Protocol "${url.scheme}" not supported`);
  if (o.opts.has('O') && !outFile) {
    const base = url.path.split('?')[0]!.split('/').pop() ?? '';
    if (!base) return errOut(23, 'Remote file name has no length');
  }
  const toFile = outFile ?? (o.opts.has('O') ? url.path.split('?')[0]!.split('/').pop() : undefined);
  // The progress meter shows when the body does not go to the terminal.
  const meter = !silent && !verbose && (toFile !== undefined || !p.tty);
  if (meter) p.stderr.write(METER_HEAD + '\r' + meterLine(0, 0, 0));
  const endMeter = (): void => {
    if (meter) p.stderr.write('\n');
  };

  const res = await resolveHost(p.sys, url.host);
  if (!res.ok) {
    endMeter();
    return errOut(6, `Could not resolve host: ${url.host}`);
  }
  const ip = res.addresses[0]!;
  const ipS = ipToString(ip);
  if (verbose) p.stderr.write(`*   Trying ${ipS}:${url.port}...\n`);
  const timeout = [connectTimeout, maxTime].filter((x) => x > 0);
  const c = await tcpConnect(p, ip, url.port, timeout.length ? Math.min(...timeout) : undefined);
  if (!c.ok) {
    if (c.code === 'ABORT') return 130;
    endMeter();
    const ms = Math.floor(clock.now() - t0);
    if (c.code === 'TIMEOUT') return errOut(28, `Connection timed out after ${ms} milliseconds`);
    return errOut(c.code === 'ETIMEDOUT' ? 28 : 7, `Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Couldn't connect to server`);
  }
  const sock = c.sock;
  Object.assign(wvars, { remote_ip: ipS, remote_port: String(url.port), local_ip: sock.localAddress ?? '', local_port: String(sock.localPort ?? ''), num_connects: '1', time_connect: ((clock.now() - t0) / 1000).toFixed(6) });
  if (verbose) p.stderr.write(`* Connected to ${url.host} (${ipS}) port ${url.port}${ubuntu ? '' : ' (#0)'}\n`);
  const reqLines = [`${method} ${url.path} HTTP/1.1`, `Host: ${url.hostHeader}`, `User-Agent: ${userAgent}`, 'Accept: */*'];
  for (const h of extra) reqLines.push(h);
  if (data !== undefined) {
    reqLines.push(`Content-Length: ${Buffer.byteLength(data)}`, 'Content-Type: application/x-www-form-urlencoded');
  }
  if (verbose) p.stderr.write(reqLines.map((l) => `> ${l}\n`).join('') + '> \n');
  const request = reqLines.join('\r\n') + '\r\n\r\n' + (data ?? '');
  let timedOut = false;
  const mt = clock.timer(() => {
    timedOut = true;
    sock.destroy();
  });
  if (maxTime > 0) mt.arm(Math.max(0, maxTime - (clock.now() - t0)));
  const r = await exchange(p, sock, request, method === 'HEAD', (h) => {
    if (verbose) {
      const lines = h.raw.toString('latin1').split('\r\n');
      p.stderr.write(lines.slice(0, -2).map((l) => `< ${l}\n`).join('') + '< \n');
    }
  });
  mt.cancel();
  sock.destroy();
  if ('error' in r) {
    if (r.error === 'abort') return 130;
    endMeter();
    if (timedOut) return errOut(28, `Operation timed out after ${Math.floor(clock.now() - t0)} milliseconds with 0 bytes received`);
    if (r.error === 'http09') return errOut(1, 'Received HTTP/0.9 when not allowed');
    if (r.error === 'reset') return errOut(56, 'Recv failure: Connection reset by peer');
    return errOut(52, 'Empty reply from server');
  }
  Object.assign(wvars, { http_code: String(r.status).padStart(3, '0'), response_code: String(r.status), size_download: String(r.body.length), size_header: String(r.head.raw.length), content_type: header(r.head, 'content-type') ?? '' });
  if (fail && r.status >= 400) {
    endMeter();
    return errOut(22, `The requested URL returned error: ${r.status}`);
  }
  let out = Buffer.alloc(0);
  if (include) out = Buffer.concat([out, r.head.raw]);
  out = Buffer.concat([out, r.body]);
  if (toFile === '/dev/null') {
    // discarded
  } else if (toFile !== undefined) p.sys.files.write(toFile, out.toString('utf8'));
  else p.stdout.write(out);
  const total = Number(header(r.head, 'content-length') ?? r.body.length);
  if (meter) p.stderr.write('\r' + meterLine(total, r.body.length, clock.now() - t0));
  endMeter();
  if (verbose) p.stderr.write(`* Connection #0 to host ${url.host} left intact\n`);
  if (timedOut) return errOut(28, `Operation timed out after ${Math.floor(clock.now() - t0)} milliseconds with ${r.body.length} out of ${total} bytes received`);
  if (!r.complete) return errOut(18, `transfer closed with ${Math.max(0, total - r.body.length)} bytes remaining to read`);
  writeOut(0);
  return 0;
}

// ------------------------------------------------------------------------------------- wget

export async function wget(p: Proc): Promise<number> {
  return p.sys.flavour === 'gnu' ? gnuWget(p) : busyboxWget(p);
}

const BB_WGET_USAGE = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n';

async function busyboxWget(p: Proc): Promise<number> {
  const o = getopt(p.argv.slice(1), 'cqSsO:o:P:U:T:Y:t:n:', ['--header', '--post-data', '--user-agent']);
  if (o.error || o.args.length === 0) {
    if (o.error) p.stderr.write(`wget: ${o.error}\n`);
    p.stderr.write(BB_WGET_USAGE);
    return 1;
  }
  const quiet = o.opts.has('q');
  const spider = o.opts.has('--spider') || o.opts.has('s');
  const outName = o.opts.get('O') as string | undefined;
  const die = (msg: string): number => {
    p.stderr.write(`wget: ${msg}\n`);
    return 1;
  };
  const url = parseUrl(o.args[0]!);
  if (!url) return die(`bad address '${o.args[0]}'`);
  if (url.scheme !== 'http') return die(`not an http or ftp url: ${o.args[0]}`);
  const res = await resolveHost(p.sys, url.host);
  if (!res.ok) return die(`bad address '${url.host}'`);
  const ip = res.addresses[0]!;
  if (!quiet) p.stderr.write(`Connecting to ${url.host} (${ipToString(ip)}:${url.port})\n`);
  const timeoutSec = Number(o.opts.get('T') ?? 0);
  const c = await tcpConnect(p, ip, url.port, timeoutSec > 0 ? timeoutSec * 1000 : undefined);
  if (!c.ok) {
    if (c.code === 'ABORT') return 130;
    if (c.code === 'TIMEOUT') return die('download timed out');
    return die(`can't connect to remote host (${ipToString(ip)}): ${strerror(c.code)}`);
  }
  const ua = (o.opts.get('U') ?? o.opts.get('--user-agent') ?? 'Wget') as string;
  const lines = [`${spider ? 'HEAD' : 'GET'} ${url.path} HTTP/1.1`, `Host: ${url.hostHeader}`, `User-Agent: ${ua}`, 'Connection: close'];
  const hv = o.opts.get('--header');
  if (typeof hv === 'string') lines.push(hv);
  const r = await exchange(p, c.sock, lines.join('\r\n') + '\r\n\r\n', spider);
  c.sock.destroy();
  if ('error' in r) {
    if (r.error === 'abort') return 130;
    if (r.error === 'http09') return die(`server returned error: ${r.first ?? ''}`);
    return die(r.error === 'reset' ? 'error getting response: Connection reset by peer' : 'error getting response');
  }
  if (!(r.status >= 200 && r.status < 300)) return die(`server returned error: ${r.version} ${r.status} ${r.reason}`);
  if (spider) {
    if (!quiet) p.stderr.write('remote file exists\n');
    return 0;
  }
  const toStdout = outName === '-';
  let fname = outName ?? url.path.split('?')[0]!.split('/').pop() ?? '';
  if (!fname) fname = 'index.html';
  if (!toStdout && outName === undefined && p.sys.files.has(fname)) return die(`can't open '${fname}': File exists`);
  if (!quiet) p.stderr.write(toStdout ? 'writing to stdout\n' : `saving to '${fname}'\n`);
  if (toStdout) p.stdout.write(r.body);
  else p.sys.files.write(fname, r.body.toString('utf8'));
  if (!quiet) {
    // libbb progress meter, non-tty: one line per update; a quick download shows only the last
    const n = r.body.length;
    const total = Number(header(r.head, 'content-length') ?? n) || n;
    const curfile = toStdout ? '-' : fname.split('/').pop()!;
    const pct = total ? Math.floor((100 * n) / total) : 100;
    const stars = total ? Math.floor((32 * n) / total) : 32;
    p.stderr.write(`${curfile.slice(0, 20).padEnd(20)} ${String(pct).padStart(3)}% |${'*'.repeat(stars)}${' '.repeat(32 - stars)}| ${bbSize(n)}  0:00:00 ETA\n`);
    p.stderr.write(toStdout ? 'written to stdout\n' : `'${fname}' saved\n`);
  }
  if (!r.complete) return die('connection closed prematurely');
  return 0;
}

/** libbb smart_ulltoa5: five columns, scaled with k/M/G. */
function bbSize(n: number): string {
  const units = ' kMGTPEZY';
  let idx = 0;
  let v = n;
  let frac = -1;
  while (v >= 100000) {
    frac = Math.floor(((v % 1024) * 10) / 1024);
    v = Math.floor(v / 1024);
    idx++;
  }
  if (idx === 0) return String(n).padStart(5);
  if (v < 100 && frac >= 0) return `${String(v).padStart(2)}.${frac}${units[idx]}`;
  return `${String(v).padStart(4)}${units[idx]}`;
}

function wgetStamp(ms: number): string {
  const d = new Date(ms);
  const z = (x: number): string => String(x).padStart(2, '0');
  return `${d.getUTCFullYear()}-${z(d.getUTCMonth() + 1)}-${z(d.getUTCDate())} ${z(d.getUTCHours())}:${z(d.getUTCMinutes())}:${z(d.getUTCSeconds())}`;
}

/** wget's calc_rate/retr_rate: bytes per second scaled by 1024, 0–2 decimals. */
function wgetRate(bps: number): [string, string] {
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s'];
  let i = 0;
  let r = bps;
  while (r >= 1024 && i < units.length - 1) {
    r /= 1024;
    i++;
  }
  const digits = r >= 99.95 ? 0 : r >= 9.995 ? 1 : 2;
  return [r.toFixed(digits), units[i]!];
}

/** GNU wget 1.21 text (C locale: plain quotes). */
async function gnuWget(p: Proc): Promise<number> {
  const o = getopt(p.argv.slice(1), 'qO:T:t:SU:', ['--header', '--user-agent']);
  if (o.error || o.args.length === 0) {
    p.stderr.write(o.error ? `wget: ${o.error}\n` : 'wget: missing URL\n');
    p.stderr.write("Usage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n");
    return 1;
  }
  const quiet = o.opts.has('q');
  const say = (s: string): void => {
    if (!quiet) p.stderr.write(s);
  };
  const clock = p.sys.clock;
  const raw = o.args[0]!;
  const url = parseUrl(raw);
  if (!url) {
    p.stderr.write(`${raw}: Invalid URL.\n`);
    return 1;
  }
  const shown = `${url.scheme}://${url.hostHeader}${url.path}`;
  say(`--${wgetStamp(clock.epochMs())}--  ${shown}\n`);
  const literal = parseIp(url.host) >= 0;
  if (!literal) say(`Resolving ${url.host} (${url.host})... `);
  const res = await resolveHost(p.sys, url.host);
  if (!res.ok) {
    say('failed: ' + (res.error === 'EAI_AGAIN' ? 'Temporary failure in name resolution' : 'Name or service not known') + '.\n');
    p.stderr.write(`wget: unable to resolve host address '${url.host}'\n`);
    return 4;
  }
  const ip = res.addresses[0]!;
  const ipS = ipToString(ip);
  if (!literal) say(`${ipS}\n`);
  say(literal ? `Connecting to ${ipS}:${url.port}... ` : `Connecting to ${url.host} (${url.host})|${ipS}|:${url.port}... `);
  const timeoutSec = Number(o.opts.get('T') ?? 0);
  const c = await tcpConnect(p, ip, url.port, timeoutSec > 0 ? timeoutSec * 1000 : undefined);
  if (!c.ok) {
    if (c.code === 'ABORT') return 130;
    say(`failed: ${strerror(c.code === 'TIMEOUT' ? 'ETIMEDOUT' : c.code)}.\n`);
    return 4;
  }
  say('connected.\n');
  const lines = [`GET ${url.path} HTTP/1.1`, `Host: ${url.hostHeader}`, `User-Agent: Wget/1.21.4`, 'Accept: */*', 'Accept-Encoding: identity', 'Connection: Keep-Alive'];
  say('HTTP request sent, awaiting response... ');
  const tReq = clock.now();
  const r = await exchange(p, c.sock, lines.join('\r\n') + '\r\n\r\n', false);
  c.sock.destroy();
  if ('error' in r) {
    if (r.error === 'abort') return 130;
    if (r.error === 'http09') {
      say('200 No headers, assuming HTTP/0.9\n');
      return 0;
    }
    say(r.error === 'reset' ? 'Read error (Connection reset by peer) in headers.\n' : 'No data received.\n');
    return 4;
  }
  say(`${r.status} ${r.reason}\n`);
  if (r.status >= 400) {
    say(`${wgetStamp(clock.epochMs())} ERROR ${r.status}: ${r.reason}.\n\n`);
    return 8;
  }
  const outName = o.opts.get('O') as string | undefined;
  const toStdout = outName === '-';
  let fname = outName ?? (url.path.split('?')[0]!.split('/').pop() || 'index.html');
  if (outName === undefined) {
    // wget never overwrites: index.html.1, .2, …
    let n = 1;
    const base = fname;
    while (p.sys.files.has(fname)) fname = `${base}.${n++}`;
  }
  const len = r.body.length;
  const type = header(r.head, 'content-type');
  say(`Length: ${len}${type ? ` [${type.split(';')[0]}]` : ''}\n`);
  say(toStdout ? 'Saving to: \'STDOUT\'\n\n' : `Saving to: '${fname}'\n\n`);
  if (toStdout) p.stdout.write(r.body);
  else p.sys.files.write(fname, r.body.toString('utf8'));
  // dot progress (stderr is not a terminal): one row per 50K, dots per 1K in clusters of ten;
  // the last row is padded and ends with the percentage, the rate and the time
  const secs = Math.max(clock.now() - tReq, 0.001) / 1000;
  const rows: string[] = [];
  const fullRows = Math.floor(len / (50 * 1024));
  for (let r = 0; r <= fullRows; r++) {
    const inRow = r < fullRows ? 50 : Math.floor((len % (50 * 1024)) / 1024);
    let line = `${String(r * 50).padStart(6)}K`;
    for (let i = 0; i < 50; i++) line += (i % 10 === 0 ? ' ' : '') + (i < inRow ? '.' : ' ');
    rows.push(line + (r < fullRows ? `${String(Math.floor(((r + 1) * 50 * 1024 * 100) / len)).padStart(3)}%` : ''));
  }
  const [rate, unit] = wgetRate(len / secs);
  say(`${rows.join('\n')}100% ${rate}${unit[0] === 'B' ? ' ' : unit[0]}=${secs < 1 ? '0' : Math.round(secs)}s\n\n`);
  say(`${wgetStamp(clock.epochMs())} (${rate} ${unit}) - ${toStdout ? 'written to stdout' : `'${fname}' saved`} [${len}/${len}]\n\n`);
  return 0;
}
