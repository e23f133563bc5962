/**
 * Frames/s through veth → bridge → veth, against a bare-JS switch loop (read the destination
 * MAC, one Map lookup, one call) over the same frames in the same run. Also the wall cost of
 * one emulated ping round trip against a kernel UDP round trip over 127.0.0.1.
 */
import { createSocket } from 'node:dgram';
import { VirtualClock } from '../src/sim/virtual-clock.js';
import { BridgeDev } from '../src/link/bridge.js';
import { createVethPair, type VethDev } from '../src/link/veth.js';
import { readMac, writeMac } from '../src/wire/mac.js';
import { Engine } from '../src/index.js';
import { parseIp } from '../src/wire/addr.js';
import { medianOf, report, row, type Row } from './harness.js';

const FRAMES = 400_000;

function macOf(i: number): number {
  return 0x020000000000 + i + 1;
}

function buildFrames(ports: number, size: number): Uint8Array[] {
  // A working set of distinct (src,dst) pairs, reused round-robin.
  const out: Uint8Array[] = [];
  const n = Math.min(4096, Math.max(ports, 256));
  for (let i = 0; i < n; i++) {
    const f = new Uint8Array(size);
    const s = i % ports;
    writeMac(f, 0, macOf((s + 1) % ports));
    writeMac(f, 6, macOf(s));
    f[12] = 0x08;
    out.push(f);
  }
  return out;
}

function benchBridge(ports: number, size: number): () => number {
  const clock = new VirtualClock();
  const br = new BridgeDev('br0', 1, 0x0242000000ff, clock);
  const hosts: VethDev[] = [];
  let received = 0;
  const sink = (): void => {
    received++;
  };
  for (let i = 0; i < ports; i++) {
    const [h, p] = createVethPair(clock, { name: `h${i}`, index: 10 + 2 * i, mac: macOf(i) }, { name: `p${i}`, index: 11 + 2 * i, mac: 0x020000100000 + i });
    br.addPort(p);
    h.rx = sink;
    hosts.push(h);
  }
  // learn every MAC once
  for (let i = 0; i < ports; i++) {
    const f = new Uint8Array(60);
    writeMac(f, 0, 0xffffffffffff);
    writeMac(f, 6, macOf(i));
    hosts[i]!.xmit(f);
  }
  clock.advance(clock.now() + 1);
  const frames = buildFrames(ports, size);
  return () => {
    received = 0;
    const t0 = performance.now();
    const nf = frames.length;
    // bursts of 1024 frames then let the clock drain them, as NAPI would
    for (let i = 0; i < FRAMES; ) {
      const end = Math.min(FRAMES, i + 1024);
      for (; i < end; i++) {
        const f = frames[i % nf]!;
        hosts[(i % nf) % ports]!.xmit(f);
      }
      clock.advance(clock.now() + 0.05);
    }
    const dt = (performance.now() - t0) / 1000;
    if (received !== FRAMES) throw new Error(`bridge delivered ${received}/${FRAMES}`);
    return FRAMES / dt;
  };
}

/** The ceiling: what a switch loop costs with nothing else — MAC read, Map lookup, call. */
function benchBare(ports: number, size: number): () => number {
  const table = new Map<number, { fn: (f: Uint8Array) => void }>();
  let received = 0;
  for (let i = 0; i < ports; i++) table.set(macOf(i), { fn: () => { received++; } });
  const frames = buildFrames(ports, size);
  return () => {
    received = 0;
    const t0 = performance.now();
    const nf = frames.length;
    for (let i = 0; i < FRAMES; i++) {
      const f = frames[i % nf]!;
      table.get(readMac(f, 0))!.fn(f);
    }
    const dt = (performance.now() - t0) / 1000;
    if (received !== FRAMES) throw new Error('bare loop lost frames');
    return FRAMES / dt;
  };
}

async function pingRoundTrip(): Promise<number> {
  const e = await Engine.create();
  const a = await e.run({ name: 'pa', image: 'busybox' });
  await e.run({ name: 'pb', image: 'busybox' });
  const ns = a.c.ns!;
  const clock = e.clock as VirtualClock;
  const s = ns.icmp.openPing();
  let got = 0;
  s.onReply = () => got++;
  const dst = parseIp('172.17.0.3');
  const N = 20_000;
  s.send(dst, 0, new Uint8Array(56));
  clock.advance(clock.now() + 10);
  got = 0;
  const t0 = performance.now();
  for (let i = 1; i <= N; i++) {
    s.send(dst, i & 0xffff, new Uint8Array(56));
    while (got < i && clock.step());
  }
  const us = ((performance.now() - t0) * 1000) / N;
  await e.close();
  return us;
}

async function udpLoopbackRoundTrip(): Promise<number> {
  const srv = createSocket('udp4');
  const cli = createSocket('udp4');
  await new Promise<void>((r) => srv.bind(0, '127.0.0.1', () => r()));
  srv.on('message', (m, ri) => srv.send(m, ri.port, ri.address));
  const port = srv.address().port;
  const N = 5_000;
  const msg = Buffer.alloc(56);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let n = 0;
    cli.on('message', () => {
      if (++n === N) resolve();
      else cli.send(msg, port, '127.0.0.1');
    });
    cli.send(msg, port, '127.0.0.1');
  });
  const us = ((performance.now() - t0) * 1000) / N;
  srv.close();
  cli.close();
  return us;
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const ports of [2, 64, 4096]) {
    for (const size of [64, 1514]) {
      const v = await medianOf(5, benchBridge(ports, size));
      const ref = await medianOf(5, benchBare(ports, size));
      rows.push(row(`veth→bridge→veth ${ports} ports ${size} B`, 'frames/s', v, 'bare JS switch loop', ref));
    }
  }
  const ping = await medianOf(3, pingRoundTrip);
  const udp = await medianOf(3, udpLoopbackRoundTrip);
  // lower is better for latency: report as round trips/s so ratio stays "higher is better"
  rows.push(row('emulated ping round trip (container→container)', 'round trips/s', 1e6 / ping, 'kernel UDP echo over 127.0.0.1', 1e6 / udp));
  report('bridge', rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
