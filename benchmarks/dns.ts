/**
 * Embedded-DNS queries answered per second from one container, on the full path: the
 * container's UDP socket → IPv4 output → lo → UDP demux → the server on 127.0.0.11:53 (parse,
 * look up the sandbox's networks, build the answer) → back over lo → the client socket.
 * Reference, measured in the same run: a DNS stand-in on Node's own node:dgram over 127.0.0.1
 * that decodes each query and encodes its A answer with dns-packet, driven by the same client
 * pattern (a window of queries in flight, or one at a time). A third pair compares resolve4()
 * through the container's node:dns facade with Node's dns.promises.Resolver against the stand-in.
 */
import { createSocket, type Socket } from 'node:dgram';
import { Buffer } from 'node:buffer';
import { promises as nodeDns } from 'node:dns';
import * as packet from 'dns-packet';
import { Engine, VirtualClock } from '../src/index.js';
import { RealClock } from '../src/sim/real-clock.js';
import type { Udp } from '../src/stack/udp.js';
import { EMBEDDED_DNS_IP, type EmbeddedDnsServer } from '../src/dns/server.js';
import { TYPE_A, buildQuery } from '../src/dns/message.js';
import { medianOf, report, row, type Row } from './harness.js';

const N = 30_000;
const N_API = 3_000;

interface Setup {
  engine: Engine;
  clock: VirtualClock;
  udp: Udp;
  server: EmbeddedDnsServer;
}

async function setup(): Promise<Setup> {
  const engine = await Engine.create({ seed: 1 });
  await engine.docker('network create my_net');
  await engine.docker('run -dit --name c1 --network my_net busybox');
  await engine.docker('run -dit --name c2 --network my_net busybox');
  const h = engine.container('c1');
  return { engine, clock: engine.clock as VirtualClock, udp: h.service<Udp>('udp'), server: h.service<EmbeddedDnsServer>('embeddedDns') };
}

/** Queries for c2 from c1's own UDP socket, `window` in flight; returns answers/s. */
function emulated(s: Setup, window: number): () => number {
  const sock = s.udp.socket();
  sock.connect(EMBEDDED_DNS_IP, 53);
  const query = buildQuery(1, 'c2', TYPE_A);
  let got = 0;
  let bad = 0;
  sock.onMessage = (d) => {
    got++;
    if (d.length !== 36 || (d[3]! & 0x0f) !== 0) bad++; // one A record, NOERROR
  };
  return () => {
    got = 0;
    let sent = 0;
    const answered0 = s.server.stats.answeredLocal;
    const t0 = performance.now();
    while (got < N) {
      while (sent < N && sent - got < window) {
        query[0] = sent >> 8;
        query[1] = sent & 255;
        if (sock.send(query) < 0) throw new Error('send failed');
        sent++;
      }
      if (!s.clock.step()) throw new Error(`stalled at ${got}/${sent}`);
    }
    const rate = N / ((performance.now() - t0) / 1000);
    if (bad || s.server.stats.answeredLocal - answered0 !== N) throw new Error(`bad answers: ${bad}`);
    return rate;
  };
}

/** resolve4('c2') through the container's node:dns facade (stub resolver), one at a time. */
function emulatedApi(s: Setup): () => Promise<number> {
  const dns = s.engine.container('c1').service<{ promises: { resolve4(h: string): Promise<string[]> } }>('dns');
  return async () => {
    const t0 = performance.now();
    await s.clock.run(
      (async () => {
        for (let i = 0; i < N_API; i++) {
          const r = await dns.promises.resolve4('c2');
          if (r[0] !== '172.18.0.3') throw new Error(`resolve4: ${r.join()}`);
        }
      })(),
    );
    return N_API / ((performance.now() - t0) / 1000);
  };
}

/**
 * A DNS stand-in on a real socket: every A query for anything gets 172.18.0.3, TTL 600
 * (decoded and encoded with dns-packet). `echo`: the query comes back with QR set and no
 * DNS work at all: the floor of a kernel UDP round trip from Node.
 */
async function standIn(echo = false): Promise<{ srv: Socket; port: number }> {
  const srv = createSocket('udp4');
  await new Promise<void>((r) => srv.bind(0, '127.0.0.1', () => r()));
  srv.on('message', (m, ri) => {
    if (echo) {
      m[2] = m[2]! | 0x80;
      srv.send(m, ri.port, ri.address);
      return;
    }
    const q = packet.decode(m);
    const name = q.questions![0]!.name;
    const resp = packet.encode({
      type: 'response',
      id: q.id,
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
      questions: q.questions,
      answers: [{ type: 'A', class: 'IN', name, ttl: 600, data: '172.18.0.3' }],
    });
    srv.send(resp, ri.port, ri.address);
  });
  return { srv, port: srv.address().port };
}

/** The same client pattern over node:dgram against the stand-in; a watchdog writes off losses. */
function kernel(port: number, window: number): () => Promise<number> {
  return async () => {
    const cli = createSocket('udp4');
    await new Promise<void>((r) => cli.connect(port, '127.0.0.1', () => r()));
    const query = Buffer.from(buildQuery(1, 'c2', TYPE_A));
    const clock = new RealClock();
    let got = 0;
    let sent = 0;
    let lost = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let seen = -1;
      const pump = (): void => {
        while (sent < N + lost && sent - got - lost < window) {
          const q = Buffer.from(query);
          q.writeUInt16BE(sent & 0xffff, 0);
          cli.send(q);
          sent++;
        }
      };
      const watchdog = clock.timer(() => {
        if (got === seen) lost = sent - got;
        seen = got;
        pump();
        watchdog.arm(20);
      });
      cli.on('message', () => {
        if (++got >= N) {
          watchdog.cancel();
          resolve();
        } else pump();
      });
      watchdog.arm(20);
      pump();
    });
    const rate = N / ((performance.now() - t0) / 1000);
    cli.close();
    return rate;
  };
}

/** Node's own resolver (c-ares) against the stand-in, one resolve4 at a time. */
function kernelApi(port: number): () => Promise<number> {
  const r = new nodeDns.Resolver({ timeout: 1000, tries: 2 });
  r.setServers([`127.0.0.1:${port}`]);
  return async () => {
    const t0 = performance.now();
    for (let i = 0; i < N_API; i++) {
      const a = await r.resolve4('c2');
      if (a[0] !== '172.18.0.3') throw new Error('stand-in answered wrong');
    }
    return N_API / ((performance.now() - t0) / 1000);
  };
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const s = await setup();
  const { srv, port } = await standIn();
  for (const window of [64, 1]) {
    const v = await medianOf(5, emulated(s, window));
    const ref = await medianOf(5, kernel(port, window));
    rows.push(row(`embedded DNS, A query c1→127.0.0.11 over lo, ${window} in flight`, 'queries/s', v, `node:dgram+dns-packet stand-in, ${window} in flight`, ref));
  }
  const echo = await standIn(true);
  const echoRef = await medianOf(5, kernel(echo.port, 64));
  echo.srv.close();
  rows.push(row('embedded DNS, A query c1→127.0.0.11 over lo, 64 in flight', 'queries/s', rows[0]!.value, 'node:dgram echo (no DNS work), 64 in flight', echoRef));
  const api = await medianOf(3, emulatedApi(s));
  const apiRef = await medianOf(3, kernelApi(port));
  rows.push(row('resolve4() via container node:dns facade (stub → 127.0.0.11)', 'lookups/s', api, 'node:dns Resolver (c-ares) → stand-in', apiRef));
  srv.close();
  await s.engine.close();
  report('dns', rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
