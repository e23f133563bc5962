import { describe, expect, it } from 'vitest';
import { B, Recorder, impair, pair } from './harness.js';
import type { FakeWire } from '../../support/fake-ip.js';
import type { TcpConnection } from '../../../src/stack/tcp/connection.js';

describe('TCP with many connections', () => {
  it('serves 100 concurrent echo connections over a lossy wire, then leaves nothing behind', () => {
    let wire: FakeWire | null = null;
    const env = pair({ delayMs: 2, filter: impair(() => wire!, 9, 0.03, 0.02, 0.05) });
    wire = env.wire;
    const { a, b, run, clock } = env;
    const l = b.listen(7);
    if (typeof l === 'number') throw new Error('listen');
    // Echo server: write back what arrives, close when the client does.
    l.onConnection = (c: TcpConnection) => {
      c.setHandler({
        onTcpConnect() {},
        onTcpData(conn, d) { conn.write(d); },
        onTcpEnd(conn) { conn.close(); },
        onTcpWritable() {},
        onTcpClose() {},
      });
    };
    const clients: Recorder[] = [];
    const payloads: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      const r = new Recorder();
      const payload = Buffer.alloc(1000 + i * 300, i);
      r.onEvent = (w) => {
        if (w === 'connect') {
          r.conn!.write(payload);
          r.conn!.shutdown();
        }
      };
      const c = a.connect(B, 7, r);
      if (typeof c === 'number') throw new Error('connect');
      r.conn = c;
      clients.push(r);
      payloads.push(payload);
    }
    for (let i = 0; i < 300 && !clients.every((r) => r.closed); i++) run(1000);
    clients.forEach((r, i) => {
      expect(r.errno).toBe(0);
      expect(Buffer.concat(r.chunks).equals(payloads[i]!)).toBe(true);
    });
    expect(new Set(clients.map((r) => r.conn!.localPort)).size).toBe(100);
    run(200_000);
    expect(a.connectionCount + b.connectionCount).toBe(0);
    expect(a.stats.currEstab + b.stats.currEstab).toBe(0);
    l.close();
    run(1_000_000);
    expect(clock.pending).toBe(0);
  });
});
