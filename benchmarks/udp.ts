/**
 * UDP datagrams/s between two containers across the default bridge (socket → UDP/IPv4 output
 * → ARP-resolved eth0 → veth → bridge → veth → IPv4 input → UDP demux → receive queue →
 * handler), at 64 B and 1472 B payloads (1472 = the largest that fits a 1500 MTU unfragmented),
 * against Node's own node:dgram over 127.0.0.1 in the same run with the same window of
 * datagrams in flight.
 */
import { createSocket } from 'node:dgram';
import { Buffer } from 'node:buffer';
import { Engine, VirtualClock } from '../src/index.js';
import { RealClock } from '../src/sim/real-clock.js';
import type { Udp } from '../src/stack/udp.js';
import type { DgramModule } from '../src/node/dgram.js';
import { parseIp } from '../src/wire/addr.js';
import { medianOf, report, row, type Row } from './harness.js';

/** Datagrams per measured run, and how many may be in flight (sent, not yet received). */
const N = 40_000;
const WINDOW = 32;

interface Pair {
  engine: Engine;
  clock: VirtualClock;
  a: Udp;
  b: Udp;
  bIp: number;
}

async function pair(): Promise<Pair> {
  const engine = await Engine.create({ seed: 1 });
  const a = await engine.run({ name: 'ua', image: 'busybox' });
  const b = await engine.run({ name: 'ub', image: 'busybox' });
  return { engine, clock: engine.clock as VirtualClock, a: a.service<Udp>('udp'), b: b.service<Udp>('udp'), bIp: parseIp(b.ip) };
}

/** Stack-level sockets: what the in-container programs use. */
function emulated(p: Pair, size: number): () => number {
  const rx = p.b.socket();
  const port = 10_000 + size;
  if (rx.bind(0, port) < 0) throw new Error('bind failed');
  let got = 0;
  rx.onMessage = () => {
    got++;
  };
  const tx = p.a.socket();
  tx.connect(p.bIp, port);
  const payload = new Uint8Array(size);
  // warm the ARP cache so the measured path is the steady state
  tx.send(payload);
  while (got < 1 && p.clock.step());
  return () => {
    got = 0;
    let sent = 0;
    const t0 = performance.now();
    while (got < N) {
      while (sent < N && sent - got < WINDOW) {
        if (tx.send(payload) < 0) throw new Error('send failed');
        sent++;
      }
      if (!p.clock.step()) throw new Error(`stalled at ${got}/${sent}`);
    }
    return N / ((performance.now() - t0) / 1000);
  };
}

/** The same through the node:dgram facade (connected socket, Buffer per 'message' event). */
async function facade(p: Pair, ha: DgramModule, hb: DgramModule, size: number): Promise<() => Promise<number>> {
  const rx = hb.createSocket('udp4');
  let got = 0;
  rx.on('message', () => {
    got++;
  });
  await p.clock.run(new Promise<void>((r) => rx.bind(9001, () => r())));
  const tx = ha.createSocket('udp4');
  await p.clock.run(new Promise<void>((r) => tx.connect(9001, '172.17.0.3', () => r())));
  const payload = Buffer.alloc(size);
  return async () => {
    got = 0;
    let sent = 0;
    const t0 = performance.now();
    while (got < N) {
      while (sent < N && sent - got < WINDOW) {
        tx.send(payload);
        sent++;
      }
      // sends leave on a microtask (as Node's do on the next tick): let them run, then drain
      await null;
      while (got < sent && p.clock.step());
    }
    return N / ((performance.now() - t0) / 1000);
  };
}

/** node:dgram over 127.0.0.1 with the same window; a real-clock watchdog writes off losses. */
function kernel(size: number): () => Promise<number> {
  return async () => {
    const srv = createSocket('udp4');
    const cli = createSocket('udp4');
    await new Promise<void>((r) => srv.bind(0, '127.0.0.1', () => r()));
    const port = srv.address().port;
    const msg = Buffer.alloc(size);
    const clock = new RealClock();
    let got = 0;
    let sent = 0;
    let lost = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let seen = -1;
      const watchdog = clock.timer(() => {
        if (got === seen) lost = sent - got; // in-flight ones were dropped by the kernel
        seen = got;
        pump();
        watchdog.arm(20);
      });
      const pump = (): void => {
        while (sent < N + lost && sent - got - lost < WINDOW) {
          cli.send(msg, port, '127.0.0.1');
          sent++;
        }
      };
      srv.on('message', () => {
        if (++got >= N) {
          watchdog.cancel();
          resolve();
        } else if (sent - got - lost <= WINDOW / 2) pump();
      });
      watchdog.arm(20);
      pump();
    });
    const rate = N / ((performance.now() - t0) / 1000);
    srv.close();
    cli.close();
    return rate;
  };
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const p = await pair();
  const ha = p.engine.container('ua').service<DgramModule>('dgram');
  const hb = p.engine.container('ub').service<DgramModule>('dgram');
  for (const size of [64, 1472]) {
    const v = await medianOf(5, emulated(p, size));
    const ref = await medianOf(5, kernel(size));
    rows.push(row(`UDP ctr→ctr across docker0, ${size} B, ${WINDOW} in flight`, 'datagrams/s', v, `node:dgram 127.0.0.1 ${size} B`, ref));
    if (size === 64) {
      const f = await medianOf(5, await facade(p, ha, hb, size));
      rows.push(row(`node:dgram facade ctr→ctr, ${size} B, ${WINDOW} in flight`, 'datagrams/s', f, `node:dgram 127.0.0.1 ${size} B`, ref));
    }
  }
  await p.engine.close();
  report('udp', rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
