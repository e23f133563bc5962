/**
 * TCP between two containers across the bridge (MTU 1500, checksums on), beside Node's own
 * `net` over 127.0.0.1 in the same run: bulk throughput, connections/s, 1-byte
 * request/response rate.
 */
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Engine } from '../src/index.js';
import type { Net, Socket } from '../src/node/net.js';
import { medianOf, report, row, type Row } from './harness.js';

const BULK_BYTES = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 7);

interface Pair {
  e: Engine;
  a: Net;
  b: Net;
  bIp: string;
}

async function pair(): Promise<Pair> {
  const e = await Engine.create();
  const a = await e.run({ name: 'ta', image: 'busybox' });
  const b = await e.run({ name: 'tb', image: 'busybox' });
  return { e, a: a.service<Net>('net'), b: b.service<Net>('net'), bIp: b.ip };
}

/** Write `total` bytes as fast as the stream accepts them. */
function pump(s: { write(b: Buffer): boolean; once(ev: 'drain', f: () => void): unknown; end(): void }, total: number): void {
  let sent = 0;
  const go = (): void => {
    while (sent < total) {
      sent += CHUNK.length;
      if (!s.write(CHUNK)) {
        s.once('drain', go);
        return;
      }
    }
    s.end();
  };
  go();
}

async function vnetBulk(): Promise<number> {
  const p = await pair();
  const done = new Promise<number>((resolve) => {
    let got = 0;
    p.b.createServer((s: Socket) => {
      s.on('data', (d: Buffer) => (got += d.length));
      s.on('end', () => resolve(got));
    }).listen(5001);
  });
  const t0 = performance.now();
  const c = p.a.connect({ host: p.bIp, port: 5001 });
  c.on('connect', () => pump(c, BULK_BYTES));
  const got = await p.e.clock.run(done);
  const dt = (performance.now() - t0) / 1000;
  await p.e.close();
  if (got !== BULK_BYTES) throw new Error(`short transfer ${got}`);
  return BULK_BYTES / dt / 1e6;
}

async function kernelBulk(): Promise<number> {
  const srv = createServer();
  let resolveDone!: (n: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  srv.on('connection', (s) => {
    let got = 0;
    s.on('data', (d) => (got += d.length));
    s.on('end', () => resolveDone(got));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const t0 = performance.now();
  const c = connect((srv.address() as AddressInfo).port, '127.0.0.1');
  c.on('connect', () => pump(c, BULK_BYTES));
  const got = await done;
  const dt = (performance.now() - t0) / 1000;
  srv.close();
  if (got !== BULK_BYTES) throw new Error('short kernel transfer');
  return BULK_BYTES / dt / 1e6;
}

const CONNS = 2000;

async function vnetConnRate(): Promise<number> {
  const p = await pair();
  p.b.createServer((s: Socket) => s.end()).listen(5002);
  const t0 = performance.now();
  await p.e.clock.run((async () => {
    for (let i = 0; i < CONNS; i++) {
      await new Promise<void>((resolve, reject) => {
        const c = p.a.connect({ host: p.bIp, port: 5002 });
        c.on('error', reject);
        c.on('close', () => resolve());
        c.resume();
        c.on('end', () => c.end());
      });
    }
  })());
  const dt = (performance.now() - t0) / 1000;
  await p.e.close();
  return CONNS / dt;
}

async function kernelConnRate(): Promise<number> {
  const srv = createServer((s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  const t0 = performance.now();
  for (let i = 0; i < CONNS; i++) {
    await new Promise<void>((resolve, reject) => {
      const c = connect(port, '127.0.0.1');
      c.on('error', reject);
      c.on('close', () => resolve());
      c.resume();
    });
  }
  const dt = (performance.now() - t0) / 1000;
  srv.close();
  return CONNS / dt;
}

const RR = 20_000;
const ONE = Buffer.from([1]);

/** The echo side of request/response: every byte straight back, no Nagle. */
function echoNoDelay(s: { setNoDelay(b: boolean): unknown; on(ev: 'data', f: (d: Buffer) => void): unknown; write(b: Buffer): unknown }): void {
  s.setNoDelay(true);
  s.on('data', (d: Buffer) => s.write(d));
}

/** RR one-byte round trips on a connected socket (vnet's or the kernel's: both are net.Socket-shaped). */
function pingPong(c: { on(ev: 'data', f: () => void): unknown; write(b: Buffer): unknown }): Promise<void> {
  return new Promise<void>((resolve) => {
    let n = 0;
    c.on('data', () => {
      if (++n === RR) resolve();
      else c.write(ONE);
    });
    c.write(ONE);
  });
}

async function vnetRR(): Promise<number> {
  const p = await pair();
  p.b.createServer((s: Socket) => echoNoDelay(s)).listen(5003);
  const c = p.a.connect({ host: p.bIp, port: 5003 });
  c.setNoDelay(true);
  await p.e.clock.run(new Promise<void>((r) => c.on('connect', () => r())));
  const t0 = performance.now();
  await p.e.clock.run(pingPong(c));
  const dt = (performance.now() - t0) / 1000;
  c.destroy();
  await p.e.close();
  return RR / dt;
}

async function kernelRR(): Promise<number> {
  const srv = createServer((s) => echoNoDelay(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const c = connect((srv.address() as AddressInfo).port, '127.0.0.1');
  c.setNoDelay(true);
  await new Promise<void>((r) => c.on('connect', () => r()));
  const t0 = performance.now();
  await pingPong(c);
  const dt = (performance.now() - t0) / 1000;
  c.destroy();
  srv.close();
  return RR / dt;
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  rows.push(row('bulk container→container (MTU 1500)', 'MB/s', await medianOf(5, vnetBulk), 'node:net over 127.0.0.1', await medianOf(5, kernelBulk)));
  rows.push(row('connections/s (connect, FIN, close)', 'conn/s', await medianOf(3, vnetConnRate), 'node:net over 127.0.0.1', await medianOf(3, kernelConnRate)));
  rows.push(row('1-byte request/response', 'round trips/s', await medianOf(3, vnetRR), 'node:net over 127.0.0.1', await medianOf(3, kernelRR)));
  report('tcp', rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
