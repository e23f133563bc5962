/**
 * `nc` — busybox nc_bloaty (the docker busybox image: NC_110_COMPAT) or netcat-openbsd (Debian,
 * Ubuntu) by flavour: TCP, UDP with -u, and busybox's -e PROG.
 *
 * busybox: silent unless -v; refused connects exit 1 with no message (-vv prints it); the
 * relay loop ends when both stdin and the network reached EOF (stdin EOF half-closes the
 * socket); -w N bounds the connect/accept and ends an idle relay after two quiet N-second polls.
 * openbsd: -v prints `Connection to H P port [tcp/SVC] succeeded!` / `Listening on 0.0.0.0 P`;
 * a client runs until both stdin and the network reached EOF, a listener until the network
 * side closes; stdin EOF only half-closes with -N, and `-q N` quits N seconds after stdin EOF;
 * -w N is the connect timeout and idle timeout.
 */
import { Buffer } from 'node:buffer';
import { ipToString, parseIp } from '../wire/addr.js';
import { getopt } from './getopt.js';
import { Pipe } from './pipe.js';
import type { Proc } from './process.js';
import { resolveHost, resolverOf } from './resolve.js';
import type { DgramModule, RemoteInfo } from '../node/dgram.js';
import { netOf, parsePort, SockReader, strerror, tcpConnect, type Socket } from './sock.js';

const SERVICES: Record<number, string> = { 21: 'ftp', 22: 'ssh', 23: 'telnet', 25: 'smtp', 53: 'domain', 80: 'http', 110: 'pop3', 443: 'https', 3306: 'mysql', 5432: 'postgresql', 6379: 'redis' };

const BB_USAGE = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n';
const GNU_USAGE = 'usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]\n';

interface RelayOpts {
  /** -w seconds (0 = none): idle timeout of the relay. */
  wait: number;
  /** busybox counts two quiet polls before giving up (netretry); openbsd one. */
  idleRounds: number;
  /** openbsd -q: seconds after stdin EOF (-1 = never). */
  quit: number;
  /** Half-close the socket on stdin EOF (busybox always; openbsd with -N). */
  shutdownOnEof: boolean;
  /** openbsd listener: done when the network side is; otherwise when both inputs are. */
  endOnNetEof: boolean;
}

interface RelayResult {
  code: number;
  sent: number;
  rcvd: number;
}

/**
 * Shovel stdin → socket and socket → stdout until the flavour's end condition (nc_bloaty's
 * readwrite(): both fds done; netcat-openbsd's readwrite(): both inputs gone, or for a
 * listener the network input gone).
 */
function relay(p: Proc, sock: Socket, o: RelayOpts): Promise<RelayResult> {
  const clock = p.sys.clock;
  const reader = new SockReader(sock);
  let sent = 0;
  let rcvd = 0;
  return new Promise<RelayResult>((resolve) => {
    let done = false;
    let stdinOpen = true;
    let netOpen = true;
    const idle = clock.timer(() => onIdle());
    const quitTimer = clock.timer(() => finish(0));
    let idleLeft = o.idleRounds;
    const touch = (): void => {
      if (o.wait > 0) idle.arm(o.wait * 1000);
    };
    const onIdle = (): void => {
      if (--idleLeft <= 0) return finish(0);
      idle.arm(o.wait * 1000);
    };
    const onAbort = (): void => {
      // busybox nc catches SIGINT/SIGTERM and says so
      if (o.idleRounds > 1) p.stderr.write('punt!\n');
      finish(130);
    };
    function finish(code: number): void {
      if (done) return;
      done = true;
      idle.cancel();
      quitTimer.cancel();
      p.signal.removeEventListener('abort', onAbort);
      sock.end();
      sock.destroy();
      resolve({ code, sent, rcvd });
    }
    function check(): void {
      if (o.endOnNetEof ? !netOpen : !stdinOpen && !netOpen) finish(0);
    }
    p.signal.addEventListener('abort', onAbort, { once: true });
    touch();
    void (async () => {
      for (;;) {
        const b = await reader.chunk(p.signal);
        if (done) return;
        if (b === null) {
          netOpen = false;
          return check();
        }
        touch();
        rcvd += b.length;
        p.stdout.write(b);
      }
    })();
    void (async () => {
      for (;;) {
        const b = await p.stdin.read();
        if (done) return;
        if (b === null) {
          stdinOpen = false;
          if (o.shutdownOnEof) sock.end();
          if (o.quit === 0) return finish(0);
          if (o.quit > 0) quitTimer.arm(o.quit * 1000);
          return check();
        }
        touch();
        if (netOpen || o.endOnNetEof) {
          sent += b.length;
          sock.write(Buffer.from(b));
        }
      }
    })();
  });
}

/**
 * -u: a UDP "connection". The client sends each stdin chunk as a datagram to host:port; a
 * listener binds the port and talks to whoever sent the first datagram. There is no EOF on
 * the network side, so it runs until -w idles out, -q fires after stdin EOF, an ICMP error
 * (port unreachable → ECONNREFUSED) arrives, or the process is signalled.
 */
function udpRelay(p: Proc, o: { listenPort?: number; peer?: { ip: string; port: number }; wait: number; quit: number; onPeer?: (ip: string, port: number) => void }): Promise<number> {
  const dgram = p.sys.services['dgram'] as DgramModule | undefined;
  if (!dgram) {
    p.stderr.write('nc: UDP is not available\n');
    return Promise.resolve(1);
  }
  const clock = p.sys.clock;
  const sock = dgram.createSocket('udp4');
  let peer = o.peer;
  const pending: Buffer[] = [];
  return new Promise<number>((resolve) => {
    let done = false;
    const idle = clock.timer(() => finish(0));
    const quitTimer = clock.timer(() => finish(0));
    const touch = (): void => {
      if (o.wait > 0) idle.arm(o.wait * 1000);
    };
    const onAbort = (): void => finish(130);
    function finish(code: number): void {
      if (done) return;
      done = true;
      idle.cancel();
      quitTimer.cancel();
      p.signal.removeEventListener('abort', onAbort);
      sock.close();
      resolve(code);
    }
    // a client's socket is connected (ICMP errors come back to it); a listener's is not
    const connected = o.listenPort === undefined;
    const send = (b: Buffer): void => {
      if (!peer) pending.push(b);
      else if (connected) sock.send(b);
      else sock.send(b, peer.port, peer.ip);
    };
    p.signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', () => finish(1));
    sock.on('message', (b: Buffer, rinfo: RemoteInfo) => {
      if (!peer) {
        peer = { ip: rinfo.address, port: rinfo.port };
        o.onPeer?.(peer.ip, peer.port);
        for (const x of pending.splice(0)) send(x);
      } else if (rinfo.address !== peer.ip || rinfo.port !== peer.port) return;
      touch();
      p.stdout.write(b);
    });
    if (o.listenPort !== undefined) sock.bind(o.listenPort);
    else if (peer) sock.connect(peer.port, peer.ip);
    touch();
    void (async () => {
      for (;;) {
        const b = await p.stdin.read();
        if (done) return;
        if (b === null) {
          if (o.quit === 0) return finish(0);
          if (o.quit > 0) quitTimer.arm(o.quit * 1000);
          return;
        }
        touch();
        send(Buffer.from(b));
      }
    })();
  });
}

/**
 * -e PROG: run PROG with the connection as its stdin and stdout (nc_bloaty's doexec); the
 * program's stderr stays nc's. nc ends with the program.
 */
async function execOn(p: Proc, sock: Socket, prog: string, extra: string[]): Promise<number> {
  // programs.ts imports nc.ts: look the registry up at run time
  const { findProgram } = await import('./programs.js');
  const argv = [prog, ...extra];
  const run = findProgram(prog, p.sys.flavour);
  if (!run) {
    p.stderr.write(`nc: can't execute '${prog}': No such file or directory\n`);
    sock.destroy();
    return 1;
  }
  const input = new Pipe();
  const reader = new SockReader(sock);
  void (async () => {
    for (;;) {
      const b = await reader.chunk(p.signal);
      if (b === null) return input.end();
      input.write(b);
    }
  })();
  const out = { write: (c: Uint8Array | string): void => void (sock.destroyed || sock.write(c)), end: (): void => {} };
  const code = await run({ ...p, argv, stdin: input, stdout: out, tty: false });
  sock.end();
  return code;
}

/** Accept one connection on 0.0.0.0:port (or fail / time out / abort). */
function acceptOne(p: Proc, port: number, timeoutMs: number): Promise<{ sock: Socket } | { error: string }> {
  return new Promise((resolve) => {
    const srv = netOf(p).createServer({ allowHalfOpen: true });
    let settled = false;
    const timer = p.sys.clock.timer(() => finish({ error: 'timeout' }));
    const onAbort = (): void => finish({ error: 'ABORT' });
    function finish(r: { sock: Socket } | { error: string }): void {
      if (settled) {
        if ('sock' in r) r.sock.destroy();
        return;
      }
      settled = true;
      timer.cancel();
      p.signal.removeEventListener('abort', onAbort);
      srv.close();
      resolve(r);
    }
    srv.on('connection', (s: Socket) => finish({ sock: s }));
    srv.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code ?? 'EIO' }));
    p.signal.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs > 0) timer.arm(timeoutMs);
    srv.listen(port, '0.0.0.0');
  });
}

export async function nc(p: Proc): Promise<number> {
  return p.sys.flavour === 'gnu' ? ncOpenbsd(p) : ncBusybox(p);
}

async function ncBusybox(p: Proc): Promise<number> {
  const o = getopt(p.argv.slice(1), 'np:s:ubvw:lki:o:ze:');
  if (o.error || o.args.length > 2) {
    if (o.error) p.stderr.write(`nc: ${o.error}\n`);
    p.stderr.write(BB_USAGE);
    return 1;
  }
  const verbose = o.counts.get('v') ?? 0;
  const wait = Number(o.opts.get('w') ?? 0) || 0;
  const listen = o.opts.has('l');
  const zero = o.opts.has('z');
  const lport = o.opts.has('p') ? parsePort(String(o.opts.get('p'))) : 0;
  if (Number.isNaN(lport)) {
    p.stderr.write(`nc: bad port '${String(o.opts.get('p'))}'\n`);
    return 1;
  }
  const relayOpts: RelayOpts = { wait, idleRounds: 2, quit: -1, shutdownOnEof: true, endOnNetEof: false };
  const summary = (r: RelayResult): number => {
    if (verbose > 1) p.stderr.write(`sent ${r.sent}, rcvd ${r.rcvd}\n`);
    return r.code;
  };

  if (listen && o.opts.has('u')) {
    if (!lport) {
      p.stderr.write('nc: UDP listen needs nonzero -p port\n');
      return 1;
    }
    if (verbose) p.stderr.write(`listening on [::]:${lport} ...\n`);
    return udpRelay(p, { listenPort: lport, wait, quit: -1, onPeer: (ip, port) => verbose && p.stderr.write(`connect to [::ffff:${ipToString(p.sys.ns.routeSource(ipOf(ip)))}]:${lport} from [::ffff:${ip}]:${port} ([::ffff:${ip}]:${port})\n`) });
  }
  if (listen) {
    const r = await acceptOne(p, lport, wait * 1000);
    if ('error' in r) {
      if (r.error === 'ABORT') return 130;
      if (r.error === 'timeout') p.stderr.write('nc: timeout\n');
      else p.stderr.write(`nc: bind: ${strerror(r.error)}\n`);
      return 1;
    }
    // busybox listens on an IPv6 dual-stack socket, so addresses print v4-mapped.
    if (verbose) {
      p.stderr.write(`listening on [::]:${lport} ...\n`);
      const s = r.sock;
      const rem = `[::ffff:${s.remoteAddress}]:${s.remotePort}`;
      const name = o.opts.has('n') ? null : await resolverOf(p.sys).reverse(ipOf(s.remoteAddress));
      p.stderr.write(`connect to [::ffff:${s.localAddress}]:${s.localPort} from ${name ?? rem} (${rem})\n`);
    }
    if (o.opts.has('e')) return execOn(p, r.sock, String(o.opts.get('e')), o.args);
    return summary(await relay(p, r.sock, relayOpts));
  }

  if (o.args.length < 2) {
    p.stderr.write(BB_USAGE);
    return 1;
  }
  const [host, portArg] = o.args as [string, string];
  const port = parsePort(portArg);
  if (Number.isNaN(port)) {
    p.stderr.write(`nc: bad port '${portArg}'\n`);
    return 1;
  }
  const res = await resolveHost(p.sys, host);
  if (!res.ok) {
    p.stderr.write(`nc: bad address '${host}'\n`);
    return 1;
  }
  const ip = res.addresses[0]!;
  const dotted = `${ipToString(ip)}:${port}`;
  if (o.opts.has('u')) {
    if (verbose) p.stderr.write(`${host} (${dotted}) open\n`);
    return udpRelay(p, { peer: { ip: ipToString(ip), port }, wait, quit: -1 });
  }
  const c = await tcpConnect(p, ip, port, wait > 0 ? wait * 1000 : undefined);
  if (!c.ok) {
    if (c.code === 'ABORT') return 130;
    const code = c.code === 'TIMEOUT' ? 'ETIMEDOUT' : c.code;
    if (verbose > 1 || (verbose && code !== 'ECONNREFUSED')) p.stderr.write(`nc: ${host} (${dotted}): ${strerror(code)}\n`);
    return summary({ code: 1, sent: 0, rcvd: 0 });
  }
  if (verbose) p.stderr.write(`${host} (${dotted}) open\n`);
  if (o.opts.has('e')) return execOn(p, c.sock, String(o.opts.get('e')), o.args.slice(2));
  if (zero) {
    c.sock.destroy();
    return summary({ code: 0, sent: 0, rcvd: 0 });
  }
  return summary(await relay(p, c.sock, relayOpts));
}

function ipOf(s: string | undefined): number {
  return parseIp(s ?? '0.0.0.0') >>> 0;
}

async function ncOpenbsd(p: Proc): Promise<number> {
  const o = getopt(p.argv.slice(1), '46CDdFhklNnrStUuvZzI:i:M:m:O:P:p:q:s:T:V:W:w:X:x:');
  if (o.error) {
    p.stderr.write(`nc: ${o.error}\n${GNU_USAGE}`);
    return 1;
  }
  const verbose = o.opts.has('v');
  const listen = o.opts.has('l');
  const zero = o.opts.has('z');
  const wait = Number(o.opts.get('w') ?? 0) || 0;
  const quit = o.opts.has('q') ? Number(o.opts.get('q')) : -1;
  const relayOpts: RelayOpts = { wait, idleRounds: 1, quit: Number.isFinite(quit) ? quit : -1, shutdownOnEof: o.opts.has('N'), endOnNetEof: listen };

  if (listen) {
    // netcat-openbsd (Debian) takes the port as -p or as the argument
    const portArg = (o.opts.get('p') as string | undefined) ?? o.args[o.args.length - 1];
    if (portArg === undefined) {
      p.stderr.write(GNU_USAGE);
      return 1;
    }
    const port = parsePort(portArg);
    if (Number.isNaN(port)) {
      p.stderr.write(`nc: port number invalid: ${portArg}\n`);
      return 1;
    }
    if (o.opts.has('u')) {
      if (verbose) p.stderr.write(`Bound on 0.0.0.0 ${port}\n`);
      return udpRelay(p, { listenPort: port, wait, quit: relayOpts.quit, onPeer: (ip, rport) => verbose && p.stderr.write(`Connection received on ${ip} ${rport}\n`) });
    }
    // -k: accept the next connection when one ends (the listener stays up)
    for (;;) {
      if (verbose) p.stderr.write(`Listening on 0.0.0.0 ${port}\n`);
      const r = await acceptOne(p, port, 0);
      if ('error' in r) {
        if (r.error === 'ABORT') return 130;
        p.stderr.write(`nc: ${strerror(r.error)}\n`);
        return 1;
      }
      if (verbose) p.stderr.write(`Connection received on ${r.sock.remoteAddress} ${r.sock.remotePort}\n`);
      const code = (await relay(p, r.sock, relayOpts)).code;
      if (!o.opts.has('k') || p.signal.aborted) return code;
    }
  }

  if (o.args.length < 2) {
    p.stderr.write(GNU_USAGE);
    return 1;
  }
  const [host, portArg] = o.args as [string, string];
  const port = parsePort(portArg);
  if (Number.isNaN(port) || port < 1) {
    p.stderr.write(`nc: port number invalid: ${portArg}\n`);
    return 1;
  }
  const res = await resolveHost(p.sys, host);
  if (!res.ok) {
    p.stderr.write(`nc: getaddrinfo for host "${host}" port ${port}: ${res.error === 'EAI_AGAIN' ? 'Temporary failure in name resolution' : 'Name or service not known'}\n`);
    return 1;
  }
  const ip = res.addresses[0]!;
  const ipS = ipToString(ip);
  if (o.opts.has('u')) {
    if (verbose) p.stderr.write(`Connection to ${ipS === host ? host : `${host} (${ipS})`} ${port} port [udp/*] succeeded!\n`);
    return zero ? 0 : udpRelay(p, { peer: { ip: ipS, port }, wait, quit: relayOpts.quit });
  }
  const c = await tcpConnect(p, ip, port, wait > 0 ? wait * 1000 : undefined);
  if (!c.ok) {
    if (c.code === 'ABORT') return 130;
    if (verbose) {
      if (c.code === 'TIMEOUT') p.stderr.write(`nc: connect to ${host} port ${port} (tcp) timed out: Operation now in progress\n`);
      else p.stderr.write(`nc: connect to ${host} port ${port} (tcp) failed: ${strerror(c.code)}\n`);
    }
    return 1;
  }
  if (verbose) {
    const who = ipS === host ? host : `${host} (${ipS})`;
    p.stderr.write(`Connection to ${who} ${port} port [tcp/${SERVICES[port] ?? '*'}] succeeded!\n`);
  }
  if (zero) {
    c.sock.destroy();
    return 0;
  }
  return (await relay(p, c.sock, relayOpts)).code;
}
