import { describe, expect, it } from 'vitest';
import { B, acceptAll, connect, pair } from './harness.js';
import { ETIMEDOUT } from '../../../src/stack/l4.js';
import { TcpOptions, parseTcpOptions, tcpAck, tcpHlen, tcpSeq } from '../../../src/wire/tcp.js';

/** Sequence number of a data segment from A (10.0.0.1), or -1. */
function dataSeqFromA(p: Uint8Array): number {
  if (p[15] !== 1) return -1;
  return p.length - 20 - tcpHlen(p, 20) > 0 ? tcpSeq(p, 20) : -1;
}

describe('TCP loss recovery', () => {
  it('SACKs out-of-order data and retransmits only the lost segment (RFC 2018, 6675)', () => {
    let dropSeq = -2;
    let dropped = 0;
    const env = pair({
      delayMs: 5,
      filter: (p) => {
        const s = dataSeqFromA(p);
        if (s === dropSeq && dropped === 0) {
          dropped++;
          return false;
        }
        return true;
      },
    });
    const { run, a, b, wire } = env;
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(50);
    const c = cli.conn!;
    dropSeq = (c.sndNxt + 2 * c.mss) >>> 0; // the third segment of the burst
    const n0 = wire.sent.length;
    c.write(Buffer.alloc(10 * c.mss, 9));
    run(500);
    expect(dropped).toBe(1);
    expect(srv[0]!.bytes).toBe(10 * c.mss);
    // The receiver's ACKs after the hole carry SACK blocks starting right after it.
    const o = new TcpOptions();
    const acks = wire.sent.slice(n0).filter((p) => p[15] === 2);
    const sacked = acks.filter((p) => parseTcpOptions(p, 20, tcpHlen(p, 20), o) && o.sackCount > 0);
    expect(sacked.length).toBeGreaterThanOrEqual(3);
    parseTcpOptions(sacked[0]!, 20, tcpHlen(sacked[0]!, 20), o);
    expect(tcpAck(sacked[0]!, 20)).toBe(dropSeq);
    expect(o.sack[0]).toBe((dropSeq + c.mss) >>> 0);
    // One fast retransmission, no timeout.
    expect(a.stats.retransSegs).toBe(1);
    expect(a.stats.fastRetrans).toBe(1);
    expect(a.stats.sackRecovery).toBe(1);
    expect(a.stats.timeouts).toBe(0);
  });

  it('recovers with NewReno partial ACKs when SACK is off (RFC 6582)', () => {
    const drops = new Set<number>();
    const env = pair({
      delayMs: 5,
      config: { sack: false },
      filter: (p) => {
        const s = dataSeqFromA(p);
        if (drops.has(s)) {
          drops.delete(s);
          return false;
        }
        return true;
      },
    });
    const { run, a, b } = env;
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(50);
    const c = cli.conn!;
    expect(c.sackOk).toBe(false);
    drops.add((c.sndNxt + 2 * c.mss) >>> 0);
    drops.add((c.sndNxt + 5 * c.mss) >>> 0);
    c.write(Buffer.alloc(10 * c.mss, 9));
    run(1000);
    expect(srv[0]!.bytes).toBe(10 * c.mss);
    expect(a.stats.renoRecovery).toBe(1);
    expect(a.stats.retransSegs).toBe(2);
    expect(a.stats.timeouts).toBe(0);
  });

  it('backs off the RTO exponentially and gives up after tcp_retries2 (≈924.6 s like Linux)', () => {
    let drop = false;
    const env = pair({ delayMs: 1, filter: () => !drop });
    const { run, clock, a, b } = env;
    acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(50);
    drop = true;
    const times: number[] = [];
    env.wire.opts.filter = (p) => {
      if (p[15] === 1) times.push(clock.now());
      return false;
    };
    const t0 = clock.now();
    cli.conn!.write(Buffer.from('lost forever'));
    let closedAt = -1;
    cli.onEvent = (w) => { if (w === 'close') closedAt = clock.now(); };
    run(1_000_000);
    expect(cli.errno).toBe(ETIMEDOUT);
    const gaps = times.slice(1).map((t, i) => Math.round(t - times[i]!));
    expect(gaps.slice(0, 4)).toEqual([200, 400, 800, 1600].map((g) => expect.closeTo(g, -1) as unknown as number));
    expect(gaps[gaps.length - 1]).toBe(120_000);
    expect(times.length).toBe(16); // original + 15 retransmissions
    expect((closedAt - t0) / 1000).toBeCloseTo(924.6, 0);
    expect(a.stats.timeouts).toBe(16);
  });
});

describe('TCP path MTU', () => {
  it('shrinks the MSS on ICMP fragmentation-needed and resends at once (RFC 1191)', async () => {
    const { buildIcmpError } = await import('../../../src/wire/icmp.js');
    let hb: import('../../support/fake-ip.js').FakeHost | null = null;
    let icmps = 0;
    const env = pair({
      delayMs: 2,
      filter: (p) => {
        if (p.length > 1000 && p[15] === 1) {
          // A router on the path with MTU 1000 refuses it.
          icmps++;
          hb!.ipOutput(1, B, 0x0a000001, buildIcmpError(3, 4, p, 0, 20, p.length, 1000));
          return false;
        }
        return true;
      },
    });
    hb = env.hb;
    const srv = acceptAll(env.b, 80);
    const cli = connect(env.a, B, 80);
    env.run(20);
    const data = Buffer.alloc(20_000, 5);
    cli.conn!.write(data);
    env.run(100);
    expect(srv[0]!.bytes).toBe(20_000);
    expect(cli.conn!.mss).toBe(1000 - 40 - 12);
    expect(icmps).toBeGreaterThan(0);
    expect(env.a.stats.timeouts).toBe(0);
  });
});
