/**
 * `redis-server` (the official image's command) speaking RESP2 on :6379 with a small in-memory
 * keyspace — PING, ECHO, GET, SET [EX|PX|NX|XX], GETSET, INCR/DECR/INCRBY/DECRBY, DEL, EXISTS,
 * KEYS, APPEND, STRLEN, EXPIRE/TTL, DBSIZE, FLUSHDB/FLUSHALL, SELECT, QUIT, CLIENT, COMMAND,
 * INFO (server) — and `redis-cli` as a client. Inline commands (`PING\r\n` typed into
 * telnet/nc) work as with real Redis.
 */
import { Buffer } from 'node:buffer';
import { MONTHS, p2 } from './http-wire.js';
import type { Proc } from './process.js';
import { resolveHost } from './resolve.js';
import { serveTcp, SockReader, strerror, tcpConnect, type Socket } from './sock.js';

const VERSION = '7.4.1';

type Reply =
  | { t: 'simple'; v: string }
  | { t: 'error'; v: string }
  | { t: 'int'; v: number }
  | { t: 'bulk'; v: Buffer | null }
  | { t: 'array'; v: Reply[] | null };

const ok: Reply = { t: 'simple', v: 'OK' };
const nil: Reply = { t: 'bulk', v: null };
const err = (v: string): Reply => ({ t: 'error', v });
const int = (v: number): Reply => ({ t: 'int', v });
const bulk = (v: Buffer | string): Reply => ({ t: 'bulk', v: typeof v === 'string' ? Buffer.from(v) : v });

export function encodeReply(r: Reply): Buffer {
  switch (r.t) {
    case 'simple':
      return Buffer.from(`+${r.v}\r\n`);
    case 'error':
      return Buffer.from(`-${r.v}\r\n`);
    case 'int':
      return Buffer.from(`:${r.v}\r\n`);
    case 'bulk':
      return r.v === null ? Buffer.from('$-1\r\n') : Buffer.concat([Buffer.from(`$${r.v.length}\r\n`), r.v, Buffer.from('\r\n')]);
    case 'array':
      return r.v === null ? Buffer.from('*-1\r\n') : Buffer.concat([Buffer.from(`*${r.v.length}\r\n`), ...r.v.map(encodeReply)]);
  }
}

export function encodeCommand(args: string[]): Buffer {
  return encodeReply({ t: 'array', v: args.map((a) => bulk(a)) });
}

/** One request: a RESP array of bulk strings, or an inline command line. null at EOF. */
async function readCommand(r: SockReader, signal: AbortSignal): Promise<Buffer[] | null> {
  for (;;) {
    const line = await r.line(signal);
    if (line === null) return null;
    if (line.startsWith('*')) {
      const n = Number(line.slice(1));
      const args: Buffer[] = [];
      for (let i = 0; i < n; i++) {
        const h = await r.line(signal);
        if (h === null || !h.startsWith('$')) return null;
        const b = await r.exact(Number(h.slice(1)), signal);
        if (b === null) return null;
        args.push(b);
        await r.line(signal);
      }
      if (args.length) return args;
      continue;
    }
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length) return words.map((w) => Buffer.from(w));
  }
}

/** A reply from the server (redis-cli side). */
async function readReply(r: SockReader, signal: AbortSignal): Promise<Reply | null> {
  const line = await r.line(signal);
  if (line === null) return null;
  const t = line[0];
  const rest = line.slice(1);
  switch (t) {
    case '+':
      return { t: 'simple', v: rest };
    case '-':
      return { t: 'error', v: rest };
    case ':':
      return int(Number(rest));
    case '$': {
      const n = Number(rest);
      if (n < 0) return nil;
      const b = await r.exact(n, signal);
      await r.line(signal);
      return b === null ? null : bulk(b);
    }
    case '*': {
      const n = Number(rest);
      if (n < 0) return { t: 'array', v: null };
      const v: Reply[] = [];
      for (let i = 0; i < n; i++) {
        const e = await readReply(r, signal);
        if (e === null) return null;
        v.push(e);
      }
      return { t: 'array', v };
    }
    default:
      return err(`ERR Protocol error: unexpected '${line}'`);
  }
}

/** The keyspace: values with optional expiry (virtual-clock milliseconds). */
class Store {
  private readonly m = new Map<string, { v: Buffer; exp: number }>();
  constructor(readonly now: () => number) {}
  get(k: string): Buffer | null {
    const e = this.m.get(k);
    if (!e) return null;
    if (e.exp && e.exp <= this.now()) {
      this.m.delete(k);
      return null;
    }
    return e.v;
  }
  set(k: string, v: Buffer, exp = 0): void {
    this.m.set(k, { v, exp });
  }
  del(k: string): boolean {
    const had = this.get(k) !== null;
    this.m.delete(k);
    return had;
  }
  ttlMs(k: string): number {
    const e = this.m.get(k);
    if (!e || this.get(k) === null) return -2;
    return e.exp ? e.exp - this.now() : -1;
  }
  expire(k: string, ms: number): boolean {
    const e = this.m.get(k);
    if (!e || this.get(k) === null) return false;
    e.exp = this.now() + ms;
    return true;
  }
  keys(): string[] {
    return [...this.m.keys()].filter((k) => this.get(k) !== null);
  }
  clear(): void {
    this.m.clear();
  }
}

const ARITY: Record<string, number> = {
  ping: -1, echo: 2, get: 2, set: -3, getset: 3, incr: 2, decr: 2, incrby: 3, decrby: 3, del: -2, exists: -2, keys: 2,
  append: 3, strlen: 2, expire: 3, ttl: 2, pttl: 2, dbsize: 1, flushdb: -1, flushall: -1, select: 2, quit: -1, client: -2, command: -1, info: -1, type: 2, mget: -2,
};

const isInt = (b: Buffer | null): boolean => b === null || /^-?\d+$/.test(b.toString());

function execute(store: Store, args: Buffer[]): Reply {
  const name = args[0]!.toString();
  const cmd = name.toLowerCase();
  const a = args.slice(1).map((b) => b.toString());
  const arity = ARITY[cmd];
  if (arity === undefined) {
    const shown = a.slice(0, 10).map((x) => `'${x}' `).join('');
    return err(`ERR unknown command '${name}', with args beginning with: ${shown}`);
  }
  if ((arity > 0 && args.length !== arity) || (arity < 0 && args.length < -arity)) return err(`ERR wrong number of arguments for '${cmd}' command`);
  const incrBy = (k: string, by: number): Reply => {
    const cur = store.get(k);
    if (!isInt(cur)) return err('ERR value is not an integer or out of range');
    const n = (cur === null ? 0 : Number(cur.toString())) + by;
    store.set(k, Buffer.from(String(n)));
    return int(n);
  };
  switch (cmd) {
    case 'ping':
      if (a.length > 1) return err("ERR wrong number of arguments for 'ping' command");
      return a.length ? bulk(args[1]!) : { t: 'simple', v: 'PONG' };
    case 'echo':
      return bulk(args[1]!);
    case 'get':
      return { t: 'bulk', v: store.get(a[0]!) };
    case 'mget':
      return { t: 'array', v: a.map((k) => ({ t: 'bulk', v: store.get(k) }) as Reply) };
    case 'set': {
      let exp = 0;
      let nx = false;
      let xx = false;
      let get = false;
      for (let i = 2; i < a.length; i++) {
        const o = a[i]!.toUpperCase();
        if ((o === 'EX' || o === 'PX') && i + 1 < a.length) {
          const n = Number(a[++i]);
          if (!Number.isInteger(n) || n <= 0) return err("ERR invalid expire time in 'set' command");
          exp = o === 'EX' ? n * 1000 : n;
        } else if (o === 'NX') nx = true;
        else if (o === 'XX') xx = true;
        else if (o === 'GET') get = true;
        else return err('ERR syntax error');
      }
      const old = store.get(a[0]!);
      if ((nx && old !== null) || (xx && old === null)) return get ? { t: 'bulk', v: old } : nil;
      store.set(a[0]!, args[2]!, exp ? exp + store.now() : 0);
      return get ? { t: 'bulk', v: old } : ok;
    }
    case 'getset': {
      const old = store.get(a[0]!);
      store.set(a[0]!, args[2]!);
      return { t: 'bulk', v: old };
    }
    case 'incr':
      return incrBy(a[0]!, 1);
    case 'decr':
      return incrBy(a[0]!, -1);
    case 'incrby':
    case 'decrby': {
      if (!/^-?\d+$/.test(a[1]!)) return err('ERR value is not an integer or out of range');
      return incrBy(a[0]!, (cmd === 'incrby' ? 1 : -1) * Number(a[1]));
    }
    case 'del':
      return int(a.filter((k) => store.del(k)).length);
    case 'exists':
      return int(a.filter((k) => store.get(k) !== null).length);
    case 'keys': {
      const re = new RegExp('^' + a[0]!.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
      return { t: 'array', v: store.keys().filter((k) => re.test(k)).sort().map((k) => bulk(k)) };
    }
    case 'append': {
      const v = Buffer.concat([store.get(a[0]!) ?? Buffer.alloc(0), args[2]!]);
      store.set(a[0]!, v);
      return int(v.length);
    }
    case 'strlen':
      return int(store.get(a[0]!)?.length ?? 0);
    case 'type':
      return { t: 'simple', v: store.get(a[0]!) === null ? 'none' : 'string' };
    case 'expire': {
      const n = Number(a[1]);
      if (!Number.isInteger(n)) return err('ERR value is not an integer or out of range');
      return int(store.expire(a[0]!, n * 1000) ? 1 : 0);
    }
    case 'ttl':
    case 'pttl': {
      const t = store.ttlMs(a[0]!);
      if (t < 0) return int(t);
      return int(cmd === 'ttl' ? Math.round(t / 1000) : Math.round(t));
    }
    case 'dbsize':
      return int(store.keys().length);
    case 'flushdb':
    case 'flushall':
      store.clear();
      return ok;
    case 'select':
      return a[0] === '0' ? ok : err('ERR DB index is out of range');
    case 'quit':
      return ok;
    case 'client':
    case 'command':
      return a.length ? ok : { t: 'array', v: [] };
    case 'info':
      return bulk(`# Server\r\nredis_version:${VERSION}\r\nredis_mode:standalone\r\ntcp_port:6379\r\n`);
  }
  return err(`ERR unknown command '${name}'`);
}

/** Redis log time: `22 Nov 2026 22:44:15.123`. */
function logTime(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

export async function redisServer(p: Proc): Promise<number> {
  const clock = p.sys.clock;
  if (p.argv.includes('--version') || p.argv.includes('-v')) {
    p.stdout.write(`Redis server v=${VERSION} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=d76e3b8b9b0c8e3b\n`);
    return 0;
  }
  const log = (role: string, mark: string, msg: string): void => p.stdout.write(`1:${role} ${logTime(clock.epochMs())} ${mark} ${msg}\n`);
  log('C', '*', 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  log('C', '*', `Redis version=${VERSION}, bits=64, commit=00000000, modified=0, pid=1, just started`);
  log('C', '#', 'Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf');
  const store = new Store(() => clock.now());
  const rc = await serveTcp(
    p,
    6379,
    (s) => void redisConnection(p, s, store),
    () => {
      log('M', '*', 'monotonic clock: POSIX clock_gettime');
      log('M', '*', 'Running mode=standalone, port=6379.');
      log('M', '*', 'Server initialized');
      log('M', '*', 'Ready to accept connections tcp');
    },
    (code) => {
      log('M', '#', `Warning: Could not create server TCP listening socket *:6379: bind: ${strerror(code)}`);
      log('M', '#', 'Failed listening on port 6379 (tcp), aborting.');
    },
  );
  if (rc !== 0) return rc;
  log('M', '#', 'Received SIGTERM scheduling shutdown...');
  log('M', '#', 'User requested shutdown...');
  log('M', '#', 'Redis is now ready to exit, bye bye...');
  return 0;
}

async function redisConnection(p: Proc, s: Socket, store: Store): Promise<void> {
  const r = new SockReader(s);
  for (;;) {
    const args = await readCommand(r, p.signal);
    if (args === null || s.destroyed) break;
    const first = args[0]!.toString().toLowerCase();
    if (first === 'post' || first === 'host:') {
      // Redis drops clients that speak HTTP at it (cross-protocol scripting guard)
      p.stdout.write(`1:M ${logTime(p.sys.clock.epochMs())} # Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.\n`);
      s.destroy();
      return;
    }
    const reply = execute(store, args);
    s.write(encodeReply(reply));
    if (args[0]!.toString().toLowerCase() === 'quit') break;
  }
  if (!s.destroyed) s.end();
}

/** How redis-cli prints a reply: tty (human) or raw (pipes, `docker exec` without -t). */
function formatReply(r: Reply, tty: boolean, indent = ''): string {
  if (!tty) {
    switch (r.t) {
      case 'simple':
      case 'error':
        return r.v;
      case 'int':
        return String(r.v);
      case 'bulk':
        return r.v === null ? '' : r.v.toString();
      case 'array':
        return (r.v ?? []).map((e) => formatReply(e, false)).join('\n');
    }
  }
  switch (r.t) {
    case 'simple':
      return r.v;
    case 'error':
      return `(error) ${r.v}`;
    case 'int':
      return `(integer) ${r.v}`;
    case 'bulk':
      return r.v === null ? '(nil)' : JSON.stringify(r.v.toString());
    case 'array':
      if (!r.v || r.v.length === 0) return '(empty array)';
      return r.v.map((e, i) => `${i === 0 ? '' : indent}${i + 1}) ${formatReply(e, true, indent + '   ')}`).join('\n');
  }
}

/** `redis-cli [-h HOST] [-p PORT] [CMD ARGS…]`; without a command, commands come from stdin. */
export async function redisCli(p: Proc): Promise<number> {
  let host = '127.0.0.1';
  let port = 6379;
  const cmd: string[] = [];
  const argv = p.argv.slice(1);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (cmd.length === 0 && a === '-h' && i + 1 < argv.length) host = argv[++i]!;
    else if (cmd.length === 0 && a === '-p' && i + 1 < argv.length) port = Number(argv[++i]);
    else if (cmd.length === 0 && (a === '--version' || a === '-v')) {
      p.stdout.write(`redis-cli ${VERSION}\n`);
      return 0;
    } else cmd.push(a);
  }
  const res = await resolveHost(p.sys, host);
  if (!res.ok) {
    p.stderr.write(`Could not connect to Redis at ${host}:${port}: ${res.error === 'EAI_AGAIN' ? 'Temporary failure in name resolution' : 'Name or service not known'}\n`);
    return 1;
  }
  const c = await tcpConnect(p, res.addresses[0]!, port);
  if (!c.ok) {
    if (c.code === 'ABORT') return 130;
    p.stderr.write(`Could not connect to Redis at ${host}:${port}: ${strerror(c.code)}\n`);
    return 1;
  }
  const sock = c.sock;
  const reader = new SockReader(sock);
  const run = async (args: string[]): Promise<boolean> => {
    sock.write(encodeCommand(args));
    const reply = await readReply(reader, p.signal);
    if (reply === null) {
      p.stderr.write('Error: Server closed the connection\n');
      return false;
    }
    p.stdout.write(formatReply(reply, p.tty) + '\n');
    return true;
  };
  let rc = 0;
  try {
    if (cmd.length) {
      if (!(await run(cmd))) rc = 1;
    } else if (p.tty) {
      // the REPL: a prompt per command, until EOF or quit/exit
      const prompt = `${host}:${port}> `;
      let buf = '';
      p.stdout.write(prompt);
      for (;;) {
        const c = await p.stdin.read();
        if (c === null) break;
        buf += Buffer.from(c).toString('utf8');
        let nl: number;
        let quit = false;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const words = buf.slice(0, nl).trim().split(/\s+/).filter(Boolean);
          buf = buf.slice(nl + 1);
          const w0 = words[0]?.toLowerCase();
          if (w0 === 'quit' || w0 === 'exit') {
            quit = true;
            break;
          }
          if (words.length && !(await run(words))) {
            rc = 1;
            quit = true;
            break;
          }
          p.stdout.write(prompt);
        }
        if (quit) break;
      }
    } else {
      // commands one per line from stdin (non-interactive redis-cli)
      const text = await p.stdin.readAll();
      for (const line of text.split('\n')) {
        const words = line.trim().split(/\s+/).filter(Boolean);
        if (!words.length) continue;
        if (!(await run(words))) {
          rc = 1;
          break;
        }
      }
    }
  } finally {
    sock.end();
    sock.destroy();
  }
  return rc;
}
