/**
 * busybox 1.36 `nslookup` (networking/nslookup.c, the musl-compatible "big" version that
 * Docker's busybox/alpine images ship): A+AAAA (or PTR for an address) sent together over one
 * connected UDP socket per server, 5 s total with a resend every 2.5 s, replies printed in
 * arrival order.
 */
import { Buffer } from 'node:buffer';
import * as packet from 'dns-packet';
import type { Udp } from '../stack/udp.js';
import type { Clock } from '../sim/clock.js';
import type { Proc } from './process.js';
import { ipToString, parseIp } from '../wire/addr.js';
import {
  RCODE_NAMES, RCODE_SERVFAIL, TYPE_A, TYPE_AAAA, TYPE_ANY, TYPE_CNAME, TYPE_MX, TYPE_NS, TYPE_PTR, TYPE_SOA, TYPE_TXT,
  buildQuery, msgId, msgRcode, reverseName,
} from '../dns/message.js';

export interface NslookupEnv {
  udp: Udp;
  readFile: (path: string) => string | undefined;
}

export interface NslookupResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const QTYPES: Record<string, number> = { SOA: TYPE_SOA, NS: TYPE_NS, A: TYPE_A, AAAA: TYPE_AAAA, CNAME: TYPE_CNAME, MX: TYPE_MX, TXT: TYPE_TXT, PTR: TYPE_PTR, ANY: TYPE_ANY };

const USAGE =
  'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n';

interface Query {
  name: string;
  type: number;
  bytes: Uint8Array;
  answered: boolean;
}

/** Text for one reply (busybox parse_reply + the rcode line), without the trailing blank line. */
export function formatReply(name: string, reply: Uint8Array): string {
  const rcode = msgRcode(reply);
  if (rcode !== 0) return `** server can't find ${name}: ${RCODE_NAMES[rcode] ?? String(rcode)}\n`;
  let d: packet.DecodedPacket;
  try {
    d = packet.decode(Buffer.from(reply));
  } catch {
    return `*** Can't find ${name}: Parse error\n`;
  }
  let s = '';
  if (!(d.flags! & packet.AUTHORITATIVE_ANSWER)) s += 'Non-authoritative answer:\n';
  let n = 0;
  for (const a of d.answers ?? []) {
    n++;
    switch (a.type) {
      case 'A':
      case 'AAAA':
        s += `Name:\t${a.name}\nAddress: ${a.data}\n`;
        break;
      case 'NS':
        s += `${a.name}\tnameserver = ${a.data}\n`;
        break;
      case 'CNAME':
        s += `${a.name}\tcanonical name = ${a.data}\n`;
        break;
      case 'PTR':
        s += `${a.name}\tname = ${a.data}\n`;
        break;
      case 'MX':
        s += `${a.name}\tmail exchanger = ${a.data.preference} ${a.data.exchange}\n`;
        break;
      case 'TXT': {
        const first = Array.isArray(a.data) ? a.data[0] : a.data;
        if (first && first.length) s += `${a.name}\ttext = "${first.toString()}"\n`;
        break;
      }
      case 'SOA':
        s += `${a.name}\n\torigin = ${a.data.mname}\n\tmail addr = ${a.data.rname}\n\tserial = ${a.data.serial}\n\trefresh = ${a.data.refresh}\n\tretry = ${a.data.retry}\n\texpire = ${a.data.expire}\n\tminimum = ${a.data.minimum}\n`;
        break;
    }
  }
  if (n === 0) s += `*** Can't find ${name}: No answer\n`;
  return s;
}

/** `nslookup [-type=T] [-port=P] [-retry=N] [-timeout=S] [-debug] HOST [SERVER]`. */
export async function runNslookup(env: NslookupEnv, args: string[]): Promise<NslookupResult> {
  let out = '';
  let err = '';
  let port = 53;
  let retry = 2;
  let timeout = 5;
  const types: number[] = [];
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const a = args[i]!.slice(1);
    const eq = a.indexOf('=');
    const key = eq < 0 ? a : a.slice(0, eq);
    const val = eq < 0 ? '' : a.slice(eq + 1);
    if (key === 'type' || key === 'querytype') {
      const t = QTYPES[val.toUpperCase()];
      if (t === undefined) return { stdout: '', stderr: `nslookup: invalid query type "${val}"\n`, exitCode: 1 };
      if (!types.includes(t)) types.push(t);
    } else if (key === 'port') port = Number(val) || 53;
    else if (key === 'retry') retry = Math.max(1, Number(val) || 1);
    else if (key === 't' || key === 'timeout') timeout = Math.max(1, Number(val) || 1);
    else if (key !== 'debug') return { stdout: '', stderr: USAGE, exitCode: 1 };
  }
  const host = args[i];
  const serverArg = args[i + 1];
  if (!host || args.length > i + 2) return { stdout: '', stderr: USAGE, exitCode: 1 };

  const ids = env.udp.host.prng;
  const queries: Query[] = [];
  const add = (name: string, type: number): void => {
    queries.push({ name, type, bytes: buildQuery(ids.int(0, 0xffff), name, type), answered: false });
  };
  const lit = parseIp(host);
  if (types.length === 0) {
    if (lit >= 0) add(reverseName(lit), TYPE_PTR);
    else {
      add(host, TYPE_A);
      add(host, TYPE_AAAA);
    }
  } else {
    // busybox adds them in its table order
    for (const t of Object.values(QTYPES)) if (types.includes(t)) add(host, t);
  }

  const servers: Array<{ name: string; addr: number }> = [];
  if (serverArg) {
    const a = parseIp(serverArg);
    if (a < 0) return { stdout: '', stderr: `nslookup: bad address '${serverArg}'\n`, exitCode: 1 };
    servers.push({ name: serverArg, addr: a });
  } else {
    for (const line of (env.readFile('/etc/resolv.conf') ?? '').split('\n')) {
      const f = line.trim().split(/[ \t]+/);
      if (f[0] !== 'nameserver' || !f[1]) continue;
      const a = parseIp(f[1]);
      if (a >= 0) servers.push({ name: f[1], addr: a });
    }
    if (servers.length === 0) servers.push({ name: '127.0.0.1', addr: 0x7f000001 });
  }

  const clock = env.udp.host.clock;
  for (let si = 0; ; ) {
    const r = await sendQueries(env.udp, clock, servers[si]!, port, queries, timeout * 1000, retry);
    out += r.out;
    err += r.err;
    if (r.replies > 0) break;
    si++;
    if (si >= servers.length) {
      out += ';; connection timed out; no servers could be reached\n\n';
      return { stdout: out, stderr: err, exitCode: 1 };
    }
  }
  let missing = false;
  for (const q of queries) {
    if (!q.answered) {
      out += `*** Can't find ${q.name}: No answer\n`;
      missing = true;
    }
  }
  if (missing) out += '\n';
  return { stdout: out, stderr: err, exitCode: 0 };
}

async function sendQueries(
  udp: Udp,
  clock: Clock,
  ns: { name: string; addr: number },
  port: number,
  queries: Query[],
  timeoutMs: number,
  retry: number,
): Promise<{ out: string; err: string; replies: number }> {
  let out = '';
  let err = '';
  let replies = 0;
  let nsReplies = 0;
  const sock = udp.socket();
  const inbox: Uint8Array[] = [];
  let wake: (() => void) | null = null;
  sock.onMessage = (d) => {
    inbox.push(d);
    wake?.();
  };
  sock.onError = (e) => {
    err += `nslookup: read: ${e === 111 ? 'Connection refused' : 'No route to host'}\n`;
    wake?.();
  };
  if (sock.connect(ns.addr, port) < 0) {
    sock.close();
    return { out, err: err + `nslookup: write to '${ns.name}': Network is unreachable\n`, replies: -1 };
  }
  const retryInterval = timeoutMs / retry;
  const tstart = clock.now();
  let tsent = tstart;
  let servfailRetry = 0;
  const sendAll = (): void => {
    for (const q of queries) if (!q.answered) sock.send(q.bytes);
    tsent = clock.now();
    servfailRetry = 2 * queries.length;
  };
  sendAll();
  try {
    while (clock.now() - tstart < timeoutMs) {
      if (clock.now() - tsent >= retryInterval) sendAll();
      if (inbox.length === 0) {
        const wait = Math.max(0, Math.min(retryInterval - (clock.now() - tsent), timeoutMs - (clock.now() - tstart)));
        await new Promise<void>((res) => {
          const t = clock.after(wait, () => {
            wake = null;
            res();
          });
          wake = () => {
            t.cancel();
            wake = null;
            res();
          };
        });
        continue;
      }
      const reply = inbox.shift()!;
      if (nsReplies++ === 0) out += `Server:\t\t${ns.name}\nAddress:\t${ipToString(ns.addr)}:${port}\n\n`;
      if (reply.length < 4) continue;
      const id = msgId(reply);
      const q = queries.find((x) => msgId(x.bytes) === id);
      if (!q || q.answered) continue;
      if (msgRcode(reply) === RCODE_SERVFAIL && servfailRetry > 0) {
        servfailRetry--;
        sock.send(q.bytes);
        continue;
      }
      q.answered = true;
      out += formatReply(q.name, reply) + '\n';
      replies++;
      if (replies >= queries.length) break;
    }
  } finally {
    sock.close();
  }
  return { out, err, replies };
}

/** The program, for the app registry: needs `sys.services.udp` (the namespace's Udp). */
export async function nslookup(p: Proc): Promise<number> {
  const udp = p.sys.services['udp'] as Udp | undefined;
  if (!udp) {
    p.stderr.write('nslookup: socket: Address family not supported by protocol\n');
    return 1;
  }
  const r = await runNslookup({ udp, readFile: (f) => p.sys.files.read(f) }, p.argv.slice(1));
  if (r.stdout) p.stdout.write(r.stdout);
  if (r.stderr) p.stderr.write(r.stderr);
  return r.exitCode;
}
