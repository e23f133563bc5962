/**
 * TCP over the real stack: two container namespaces on a bridge (veth pairs, ARP, IPv4),
 * as the engine wires them. Also prints container→container bulk throughput next to Node's
 * kernel loopback TCP (informational; not asserted).
 */
import { describe, expect, it } from 'vitest';
import nodeNet from 'node:net';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { Prng } from '../../../src/sim/prng.js';
import { Namespace } from '../../../src/stack/namespace.js';
import { BridgeDev } from '../../../src/link/bridge.js';
import { createVethPair } from '../../../src/link/veth.js';
import { macFromIp } from '../../../src/wire/mac.js';
import { parseIp } from '../../../src/wire/addr.js';
import { Tcp } from '../../../src/stack/tcp/tcp.js';
import type { TcpConfig } from '../../../src/stack/tcp/config.js';
import { Net } from '../../../src/node/net.js';

function lan(n: number, config: Partial<TcpConfig> = {}) {
  const clock = new VirtualClock();
  const prng = new Prng(1);
  const host = new Namespace('host', clock, prng.fork('host'));
  const br = new BridgeDev('docker0', 3, 0x0242aabbccdd, clock);
  host.addDev(br);
  host.addAddress(br, parseIp('172.17.0.1'), 16);
  const ctrs: { ns: Namespace; tcp: Tcp; net: Net }[] = [];
  let idx = 4;
  for (let i = 0; i < n; i++) {
    const ip = parseIp(`172.17.0.${i + 2}`);
    const [inner, outer] = createVethPair(clock, { name: 'eth0', index: idx, mac: macFromIp(ip) }, { name: `veth${i}`, index: idx + 1, mac: 0x02aa00000000 + i });
    idx += 2;
    const ns = new Namespace(`c${i}`, clock, prng.fork(`c${i}`));
    ns.addDev(inner);
    ns.addAddress(inner, ip, 16);
    ns.addRoute({ dst: 0, prefixLen: 0, gw: parseIp('172.17.0.1'), dev: inner });
    host.addDev(outer);
    br.addPort(outer);
    const tcp = new Tcp(ns, config);
    ctrs.push({ ns, tcp, net: new Net(tcp) });
  }
  return { clock, host, br, ctrs };
}

describe('TCP over namespaces, veth and a bridge', () => {
  it('connects container to container, echoes, refuses closed ports, works on loopback', async () => {
    const { clock, ctrs } = lan(2);
    const [c0, c1] = ctrs as [(typeof ctrs)[0], (typeof ctrs)[0]];
    c1.net.createServer((s) => s.pipe(s)).listen(6000);
    const echo = (net: Net, host: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const s = net.connect(6000, host);
        let t = '';
        s.on('data', (d: Buffer) => (t += d.toString()));
        s.on('end', () => resolve(t));
        s.on('error', reject);
        s.end('over the bridge');
      });
    expect(await clock.run(echo(c0.net, '172.17.0.3'))).toBe('over the bridge');
    expect(await clock.run(echo(c1.net, '127.0.0.1'))).toBe('over the bridge');
    const refused = new Promise<string>((resolve) => c0.net.connect(7000, '172.17.0.3').on('error', (e: Error) => resolve(e.message)));
    expect(await clock.run(refused)).toBe('connect ECONNREFUSED 172.17.0.3:7000');
    clock.advance(clock.now() + 120_000);
    expect(c0.tcp.connectionCount + c1.tcp.connectionCount).toBe(0);
  });

  for (const gso of [0, 65536]) {
    it(`bulk container→container throughput (gsoMaxSize ${gso}, informational)`, async () => {
      const { clock, ctrs } = lan(2, { gsoMaxSize: gso });
      const [c0, c1] = ctrs as [(typeof ctrs)[0], (typeof ctrs)[0]];
      const total = 64 * 1024 * 1024;
      let received = 0;
      const l = c1.tcp.listen(5001);
      if (typeof l === 'number') throw new Error('listen');
      l.onConnection = (c) => c.setHandler({ onTcpConnect() {}, onTcpEnd() {}, onTcpWritable() {}, onTcpClose() {}, onTcpData(_c, d) { received += d.length; } });
      let sent = 0;
      const chunk = Buffer.alloc(65536, 3);
      const h = { onTcpConnect() { pump(); }, onTcpData() {}, onTcpEnd() {}, onTcpClose() {}, onTcpWritable() { pump(); } };
      const conn = c0.tcp.connect(parseIp('172.17.0.3'), 5001, h);
      if (typeof conn === 'number') throw new Error('connect');
      function pump(): void {
        while (sent < total) {
          sent += chunk.length;
          if (!(conn as Exclude<typeof conn, number>).write(chunk)) return;
        }
      }
      const t0 = performance.now();
      while (received < total) clock.advance(clock.now() + 10);
      const ms = performance.now() - t0;
      const ours = total / 1e6 / (ms / 1000);
      const kernel = await kernelLoopback(total);
      console.log(`container→container TCP (gso ${gso}): ${ours.toFixed(0)} MB/s; Node kernel loopback: ${kernel.toFixed(0)} MB/s; ratio ${(ours / kernel).toFixed(2)} (${c0.tcp.stats.outSegs} segs, ${c0.tcp.stats.retransSegs} retrans)`);
      expect(received).toBe(total);
    });
  }
});

/** Node's own TCP over 127.0.0.1 for comparison (real sockets, wall time). */
function kernelLoopback(total: number): Promise<number> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(65536, 3);
    let t0 = 0;
    const srv = nodeNet.createServer((s) => {
      let n = 0;
      s.on('data', (d: Buffer) => {
        n += d.length;
        if (n >= total) {
          const mbps = total / 1e6 / ((performance.now() - t0) / 1000);
          s.destroy();
          srv.close();
          resolve(mbps);
        }
      });
    }).listen(0, '127.0.0.1', () => {
      const port = (srv.address() as nodeNet.AddressInfo).port;
      const c = nodeNet.connect(port, '127.0.0.1', () => {
        t0 = performance.now();
        let sent = 0;
        const w = (): void => {
          while (sent < total) {
            sent += chunk.length;
            if (!c.write(chunk)) return void c.once('drain', w);
          }
          c.end();
        };
        w();
      });
      c.on('error', () => undefined);
    });
  });
}
