import { describe, expect, it } from 'vitest';
import { A, B, Recorder, acceptAll, connect, pair } from './harness.js';
import { TcpState } from '../../../src/stack/tcp/state.js';
import { ECONNREFUSED, ECONNRESET, EHOSTUNREACH, ETIMEDOUT } from '../../../src/stack/l4.js';
import { ipProto } from '../../../src/wire/ipv4.js';
import { TCP_ACK, TCP_RST, TCP_SYN, encodeTcp, tcpFlags } from '../../../src/wire/tcp.js';

describe('TCP state machine edges', () => {
  it('simultaneous open reaches ESTABLISHED on both sides', () => {
    const { run, a, b } = pair({ delayMs: 5 });
    const ra = new Recorder();
    const rb = new Recorder();
    const ca = a.connect(B, 5000, ra, { localPort: 6000 });
    const cb = b.connect(A, 6000, rb, { localPort: 5000 });
    if (typeof ca === 'number' || typeof cb === 'number') throw new Error('connect');
    run(100);
    expect(ca.state).toBe(TcpState.ESTABLISHED);
    expect(cb.state).toBe(TcpState.ESTABLISHED);
    expect(ra.connected && rb.connected).toBe(true);
    ca.write(Buffer.from('ping'));
    cb.write(Buffer.from('pong'));
    run(100);
    expect(rb.text()).toBe('ping');
    expect(ra.text()).toBe('pong');
  });

  it('simultaneous close goes through CLOSING to TIME_WAIT on both sides', () => {
    const { run, a, b } = pair({ delayMs: 5 });
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(50);
    cli.conn!.shutdown();
    srv[0]!.conn!.shutdown();
    expect(cli.conn!.state).toBe(TcpState.FIN_WAIT_1);
    run(3);
    // Each FIN is in flight while the other side sends its own: both see FIN before ACK.
    expect(cli.conn!.state).toBe(TcpState.FIN_WAIT_1);
    run(4);
    expect(cli.conn!.state).toBe(TcpState.CLOSING);
    expect(srv[0]!.conn!.state).toBe(TcpState.CLOSING);
    run(10);
    expect(cli.conn!.state).toBe(TcpState.TIME_WAIT);
    expect(srv[0]!.conn!.state).toBe(TcpState.TIME_WAIT);
    expect(cli.ended && srv[0]!.ended).toBe(true);
    expect(cli.errno).toBe(0);
    run(60_001);
    expect(a.connectionCount + b.connectionCount).toBe(0);
  });

  it('a SYN to a closed port is answered by RST → ECONNREFUSED', () => {
    const { run, a, b } = pair({ delayMs: 1 });
    const cli = connect(a, B, 81);
    run(10);
    expect(cli.closed).toBe(true);
    expect(cli.errno).toBe(ECONNREFUSED);
    expect(b.stats.outRsts).toBe(1);
    expect(a.stats.attemptFails).toBe(1);
    expect(a.connectionCount).toBe(0);
  });

  it('dropped SYNs time out with ETIMEDOUT after 6 retries (~127 s)', () => {
    const { run, clock, a } = pair({ delayMs: 1, filter: () => false });
    let closedAt = -1;
    const cli = connect(a, B, 80);
    cli.onEvent = (w) => { if (w === 'close') closedAt = clock.now(); };
    run(126_000);
    expect(cli.closed).toBe(false);
    run(2_000);
    expect(cli.errno).toBe(ETIMEDOUT);
    expect(closedAt).toBe(127_000);
    expect(a.stats.retransSegs).toBe(6);
  });

  it('SYN retries are configurable', () => {
    const { run, clock, a } = pair({ delayMs: 1, filter: () => false, config: { synRetries: 2 } });
    let closedAt = -1;
    const cli = connect(a, B, 80);
    cli.onEvent = (w) => { if (w === 'close') closedAt = clock.now(); };
    run(10_000);
    expect(cli.errno).toBe(ETIMEDOUT);
    expect(closedAt).toBe(7_000);
  });

  it('ICMP host unreachable during SYN_SENT fails the connect with EHOSTUNREACH', () => {
    let hb: { icmpError(b: Uint8Array, o: number, t: number, c: number): void } | null = null;
    const env = pair({
      delayMs: 1,
      filter: (p) => {
        if (ipProto(p, 0) === 6 && tcpFlags(p, 20) === TCP_SYN) {
          hb!.icmpError(p, 0, 3, 1);
          return false;
        }
        return true;
      },
    });
    hb = env.hb;
    const cli = connect(env.a, B, 80);
    env.run(10);
    expect(cli.errno).toBe(EHOSTUNREACH);
    expect(env.a.connectionCount).toBe(0);
  });

  it('answers an in-window RST with a wrong sequence number by a challenge ACK (RFC 5961)', () => {
    const { run, a, b, hb } = pair({ delayMs: 1 });
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(10);
    const c = cli.conn!;
    const outBefore = a.stats.outSegs;
    hb.ipOutput(6, B, A, encodeTcp(B, A, { srcPort: 80, dstPort: c.localPort, seq: c.rcvNxt + 1000, ack: 0, flags: TCP_RST, window: 0 }));
    run(10);
    expect(a.stats.challengeAcks).toBe(1);
    expect(a.stats.outSegs).toBe(outBefore + 1);
    expect(c.state).toBe(TcpState.ESTABLISHED);
    // A SYN in a synchronized state gets a challenge ACK too.
    hb.ipOutput(6, B, A, encodeTcp(B, A, { srcPort: 80, dstPort: c.localPort, seq: c.rcvNxt + 5, ack: 0, flags: TCP_SYN, window: 1000 }));
    run(10);
    expect(a.stats.challengeAcks).toBe(2);
    expect(c.state).toBe(TcpState.ESTABLISHED);
    // Out of window: silently dropped.
    hb.ipOutput(6, B, A, encodeTcp(B, A, { srcPort: 80, dstPort: c.localPort, seq: c.rcvNxt + 0x40000000, ack: 0, flags: TCP_RST, window: 0 }));
    run(10);
    expect(c.state).toBe(TcpState.ESTABLISHED);
    // The exact sequence number resets.
    hb.ipOutput(6, B, A, encodeTcp(B, A, { srcPort: 80, dstPort: c.localPort, seq: c.rcvNxt, ack: 0, flags: TCP_RST, window: 0 }));
    run(10);
    expect(cli.errno).toBe(ECONNRESET);
    expect(a.stats.estabResets).toBe(1);
    expect(srv.length).toBe(1);
  });

  it('counts and drops segments with bad checksums or impossible flags', () => {
    const { run, a, b, hb } = pair({ delayMs: 1 });
    acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(10);
    const c = cli.conn!;
    const seg = encodeTcp(B, A, { srcPort: 80, dstPort: c.localPort, seq: c.rcvNxt, ack: c.sndNxt, flags: TCP_ACK, window: 100, payload: Buffer.from('xx') });
    seg[seg.length - 1]! ^= 1;
    hb.ipOutput(6, B, A, seg);
    hb.ipOutput(6, B, A, encodeTcp(B, A, { srcPort: 80, dstPort: c.localPort, seq: c.rcvNxt, ack: 0, flags: TCP_SYN | 1, window: 0 }));
    hb.ipOutput(6, B, A, new Uint8Array(7));
    run(10);
    expect(a.stats.inCsumErrors).toBeGreaterThanOrEqual(1);
    expect(a.stats.inErrs).toBeGreaterThanOrEqual(2);
    expect(c.state).toBe(TcpState.ESTABLISHED);
    expect(cli.bytes).toBe(0);
  });

  it('an ACK to a listener gets a RST; a RST to a listener is ignored', () => {
    const { run, a, b, ha } = pair({ delayMs: 1 });
    acceptAll(b, 80);
    ha.ipOutput(6, A, B, encodeTcp(A, B, { srcPort: 1234, dstPort: 80, seq: 1, ack: 77, flags: TCP_ACK, window: 0 }));
    ha.ipOutput(6, A, B, encodeTcp(A, B, { srcPort: 1234, dstPort: 80, seq: 1, ack: 77, flags: TCP_RST, window: 0 }));
    run(10);
    expect(b.stats.outRsts).toBe(1);
    expect(a.stats.inSegs).toBe(1);
  });
});

describe('TCP timers', () => {
  it('probes a zero window and resumes when the reader drains', () => {
    const { run, a, b } = pair({ delayMs: 1, config: { rcvBuf: 65536 } });
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(10);
    srv[0]!.conn!.setReadPaused(true);
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 255;
    cli.conn!.write(data);
    run(30_000);
    expect(cli.conn!.sndWnd).toBe(0);
    expect(a.stats.winProbes).toBeGreaterThan(2);
    expect(srv[0]!.bytes).toBe(0);
    srv[0]!.conn!.setReadPaused(false);
    run(100);
    // Drain as it comes: delivery is immediate once unpaused.
    run(60_000);
    expect(srv[0]!.bytes).toBe(300_000);
    expect(Buffer.concat(srv[0]!.chunks).equals(data)).toBe(true);
  });

  it('sends keepalive probes when idle and gives up with ETIMEDOUT on silence', () => {
    let drop = false;
    const { run, a, b } = pair({ delayMs: 1, filter: () => !drop, config: { keepaliveIntvl: 1000, keepaliveProbes: 3 } });
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(10);
    cli.conn!.setKeepAlive(true, 5000);
    run(20_000);
    expect(a.stats.keepaliveProbes).toBe(3); // at 5 s, 10 s, 15 s: each answered
    expect(cli.conn!.state).toBe(TcpState.ESTABLISHED);
    drop = true;
    run(20_000);
    expect(cli.errno).toBe(ETIMEDOUT);
    expect(a.stats.keepaliveProbes).toBe(6); // 3 more, unanswered, then the RST
    expect(srv[0]!.closed).toBe(false);
  });

  it('delays ACKs for a lone segment by 40 ms, and ACKs every second full segment', () => {
    const { run, a, b, wire } = pair({ delayMs: 1 });
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(10);
    const n0 = wire.sent.length;
    cli.conn!.write(Buffer.from('x'));
    run(20);
    expect(wire.sent.length).toBe(n0 + 1); // no ACK yet
    run(30);
    expect(wire.sent.length).toBe(n0 + 2);
    expect(b.stats.delayedAcks).toBe(1);
    const n1 = wire.sent.length;
    cli.conn!.write(Buffer.alloc(1448 * 4));
    run(5);
    // 4 full segments, 2 ACKs.
    expect(wire.sent.length - n1).toBe(6);
    expect(srv[0]!.bytes).toBe(1 + 1448 * 4);
  });
});

describe('TCP sender policies and listener queues', () => {
  it('Nagle coalesces small writes while data is unacknowledged; setNoDelay sends each at once', () => {
    const { run, a, b, wire } = pair({ delayMs: 5 });
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(20);
    const dataSegs = (): number => wire.sent.filter((p) => p[15] === 1 && p.length > 20 + 32).length;
    const before = dataSegs();
    for (let i = 0; i < 10; i++) cli.conn!.write(Buffer.from('ab'));
    run(200);
    // First write goes out; the other nine wait for its ACK and leave as one segment.
    expect(dataSegs() - before).toBe(2);
    expect(srv[0]!.text()).toBe('ab'.repeat(10));
    cli.conn!.setNoDelay(true);
    const before2 = dataSegs();
    for (let i = 0; i < 10; i++) cli.conn!.write(Buffer.from('cd'));
    run(200);
    expect(dataSegs() - before2).toBe(10);
  });

  it('bounds the accept queue by the backlog; queued connections are accepted later', () => {
    const { run, a, b } = pair({ delayMs: 1 });
    const l = b.listen(80, 0, 1);
    if (typeof l === 'number') throw new Error('listen');
    const c1 = connect(a, B, 80);
    const c2 = connect(a, B, 80);
    run(50);
    expect(c1.connected).toBe(true);
    // Both SYNs got in, but only one handshake fits the queue: the other final ACK is dropped
    // (Linux, tcp_abort_on_overflow=0), leaving the server side in SYN_RECV.
    expect(l.acceptQueue.length).toBe(1);
    expect(b.stats.listenOverflows).toBe(1);
    const c3 = connect(a, B, 80);
    run(50);
    expect(b.stats.listenDrops).toBe(2); // c3's SYN: queue full
    expect(l.accept()).not.toBeNull();
    run(2_000); // c2: the SYN,ACK retransmission (1 s) is answered and fills the queue again
    expect(l.accept()!.remotePort).toBe(c2.conn!.localPort);
    expect(c3.connected).toBe(false);
    run(5_000); // c3's second SYN retransmission (3 s) finds room
    expect(l.accept()!.remotePort).toBe(c3.conn!.localPort);
    expect(l.accept()).toBeNull();
    l.close();
    const c4 = connect(a, B, 80);
    run(50);
    expect(c4.errno).toBe(111);
  });

  it('resets unaccepted connections when the listener closes', () => {
    const { run, a, b } = pair({ delayMs: 1 });
    const l = b.listen(80, 0, 8);
    if (typeof l === 'number') throw new Error('listen');
    const c1 = connect(a, B, 80);
    run(50);
    expect(c1.connected).toBe(true);
    l.close();
    run(50);
    expect(c1.errno).toBe(104);
  });

  it('allocates distinct ephemeral ports deterministically from the seed', () => {
    const p1 = pair({ delayMs: 1 });
    const p2 = pair({ delayMs: 1 });
    acceptAll(p1.b, 80);
    acceptAll(p2.b, 80);
    const ports1 = [0, 1, 2, 3].map(() => connect(p1.a, B, 80).conn!.localPort);
    const ports2 = [0, 1, 2, 3].map(() => connect(p2.a, B, 80).conn!.localPort);
    expect(ports1).toEqual(ports2);
    expect(new Set(ports1).size).toBe(4);
    for (const p of ports1) expect(p >= 32768 && p <= 60999).toBe(true);
  });
});
