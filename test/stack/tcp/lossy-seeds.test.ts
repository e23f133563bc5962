/** Many seeds × loss rates (1–30%), with and without SACK/timestamps: byte-exact both ways, clean close. */
import { describe, expect, it } from 'vitest';
import { B, acceptAll, connect, impair, pair, sha256 } from './harness.js';
import { Prng } from '../../../src/sim/prng.js';
import type { FakeWire } from '../../support/fake-ip.js';

describe('TCP under random loss, duplication and reordering', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const loss = [0.01, 0.05, 0.15, 0.3][seed % 4]!;
    it(`seed ${seed} loss ${loss}`, () => {
      let wire: FakeWire | null = null;
      const env = pair({ delayMs: 1 + (seed % 3) * 10, filter: impair(() => wire!, seed, loss, 0.05, 0.1, 20), seedA: seed, seedB: seed + 100, config: seed % 5 === 0 ? { sack: false } : seed % 7 === 0 ? { timestamps: false } : {} });
      wire = env.wire;
      const { clock, a, b, run } = env;
      const srv = acceptAll(b, 80);
      const cli = connect(a, B, 80);
      const size = 300_000 + seed * 7919;
      const data = Buffer.alloc(size);
      const g = new Prng(seed);
      for (let i = 0; i < size; i++) data[i] = g.u32() & 255;
      const back = data.subarray(0, 100_000 + seed);
      run(1);
      cli.conn!.write(data);
      cli.conn!.shutdown();
      let srvDone = false;
      for (let i = 0; i < 5000 && !(srv[0]?.ended && cli.ended); i++) {
        run(1000);
        if (srv[0] && !srvDone) { srvDone = true; srv[0].conn!.write(back); srv[0].conn!.shutdown(); }
      }
      expect(srv[0]!.bytes).toBe(size);
      expect(sha256(Buffer.concat(srv[0]!.chunks))).toBe(sha256(data));
      expect(sha256(Buffer.concat(cli.chunks))).toBe(sha256(back));
      run(2_000_000);
      expect(a.connectionCount + b.connectionCount).toBe(0);
      run(10_000_000);
      expect(clock.pending).toBe(0);
    });
  }
});
