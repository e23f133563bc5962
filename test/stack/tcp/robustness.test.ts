import { describe, expect, it } from 'vitest';
import { A, B, acceptAll, connect, impair, pair, sha256 } from './harness.js';
import { Prng } from '../../../src/sim/prng.js';
import type { FakeWire } from '../../support/fake-ip.js';

describe('TCP robustness', () => {
  it('moves 10 MB byte-exact both ways under 5% loss, reordering and duplication, then closes cleanly', async () => {
    let wire: FakeWire | null = null;
    const env = pair({ delayMs: 1, filter: impair(() => wire!, 42, 0.05, 0.03, 0.05) });
    wire = env.wire;
    const { clock, a, b, run } = env;
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(10);
    const size = 10 * 1024 * 1024;
    const data = Buffer.alloc(size);
    const g = new Prng(7);
    for (let i = 0; i < size; i += 4) data.writeUInt32LE(g.u32(), i);
    const back = data.subarray(0, 1024 * 1024);
    srv[0]!.keep = false;
    cli.keep = false;
    // Write in 64 KiB chunks as a stream would, honouring backpressure.
    let off = 0;
    const pump = (): void => {
      while (off < size) {
        const n = Math.min(65536, size - off);
        const ok = cli.conn!.write(data.subarray(off, off + n));
        off += n;
        if (!ok) return;
      }
      cli.conn!.shutdown();
    };
    cli.onEvent = (w) => { if (w === 'writable') pump(); };
    pump();
    srv[0]!.conn!.write(back);
    srv[0]!.conn!.shutdown();
    for (let i = 0; i < 2000 && !(srv[0]!.ended && cli.ended); i++) run(1000);
    expect(srv[0]!.bytes).toBe(size);
    expect(srv[0]!.digest()).toBe(sha256(data));
    expect(cli.bytes).toBe(back.length);
    expect(cli.digest()).toBe(sha256(back));
    expect(a.stats.retransSegs).toBeGreaterThan(100);
    expect(a.stats.sackRecovery).toBeGreaterThan(10);
    // Everything closes: TIME_WAIT expires, no timers remain armed.
    run(200_000);
    expect(a.connectionCount).toBe(0);
    expect(b.connectionCount).toBe(0);
    expect(cli.errno).toBe(0);
    expect(srv[0]!.errno).toBe(0);
    run(1_000_000);
    expect(clock.pending).toBe(0);
    await Promise.resolve();
  });
});

describe('TCP bulk throughput (informational)', () => {
  for (const gso of [0, 65536]) {
    it(`prints MB/s over an ideal FakeWire (gsoMaxSize ${gso})`, () => {
      const { a, b, run } = pair({ delayMs: 0.01, config: { gsoMaxSize: gso } });
      const l = b.listen(80);
      if (typeof l === 'number') throw new Error('listen');
      let received = 0;
      // A lean sink: no hashing or buffering, so the figure is the stack's.
      l.onConnection = (c) => c.setHandler({
        onTcpConnect() {}, onTcpEnd() {}, onTcpWritable() {}, onTcpClose() {},
        onTcpData(_c, d) { received += d.length; },
      });
      const cli = connect(a, B, 80);
      run(1);
      const chunk = Buffer.alloc(65536, 1);
      const total = 64 * 1024 * 1024;
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!cli.conn!.write(chunk)) return;
        }
      };
      cli.onEvent = (w) => { if (w === 'writable') pump(); };
      const t0 = performance.now();
      pump();
      while (received < total) run(10);
      const ms = performance.now() - t0;
      const mbps = total / 1e6 / (ms / 1000);
      console.log(`TCP bulk over FakeWire (gso ${gso}): ${(total / 1048576).toFixed(0)} MiB in ${ms.toFixed(0)} ms = ${mbps.toFixed(0)} MB/s (${a.stats.outSegs} segments out, ${b.stats.outSegs} ACKs)`);
      expect(received).toBe(total);
      expect(a.stats.retransSegs).toBe(0);
    });
  }
});
