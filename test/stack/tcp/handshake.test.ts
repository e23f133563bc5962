import { describe, expect, it } from 'vitest';
import { A, B, acceptAll, connect, pair } from './harness.js';
import { TcpState } from '../../../src/stack/tcp/state.js';
import { ipProto } from '../../../src/wire/ipv4.js';
import { TCP_SYN, tcpFlags, tcpWindow } from '../../../src/wire/tcp.js';

describe('TCP connection establishment and data', () => {
  it('completes the three-way handshake with Linux SYN options and windows', () => {
    const { run, wire, a, b } = pair({ delayMs: 1 });
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(10);
    expect(cli.connected).toBe(true);
    expect(srv.length).toBe(1);
    expect(cli.conn!.state).toBe(TcpState.ESTABLISHED);
    expect(srv[0]!.conn!.state).toBe(TcpState.ESTABLISHED);
    const syn = wire.sent[0]!;
    expect(ipProto(syn, 0)).toBe(6);
    expect(tcpFlags(syn, 20)).toBe(TCP_SYN);
    expect(tcpWindow(syn, 20)).toBe(64240);
    const opts = Buffer.from(syn.subarray(40, 60)).toString('hex');
    expect(opts).toMatch(/^020405b40402080a[0-9a-f]{8}0000000001030307$/);
    const synack = wire.sent[1]!;
    expect(tcpWindow(synack, 20)).toBe(65160);
    expect(Buffer.from(synack.subarray(40, 60)).toString('hex')).toMatch(/^020405b40402080a[0-9a-f]{16}01030307$/);
    expect(a.stats.activeOpens).toBe(1);
    expect(b.stats.passiveOpens).toBe(1);
    expect(a.stats.currEstab).toBe(1);
    // Effective MSS: 1460 minus the 12-byte timestamp option.
    expect(cli.conn!.mss).toBe(1448);
  });

  it('carries data both ways and half-closes', () => {
    const { run, a, b } = pair({ delayMs: 1 });
    const srv = acceptAll(b, 80);
    const cli = connect(a, B, 80);
    run(10);
    cli.conn!.write(Buffer.from('hello server'));
    run(100);
    expect(srv[0]!.text()).toBe('hello server');
    srv[0]!.conn!.write(Buffer.from('hello client'));
    run(100);
    expect(cli.text()).toBe('hello client');
    // Client half-closes: server sees end but can still send.
    cli.conn!.shutdown();
    run(100);
    expect(srv[0]!.ended).toBe(true);
    expect(cli.conn!.state).toBe(TcpState.FIN_WAIT_2);
    expect(srv[0]!.conn!.state).toBe(TcpState.CLOSE_WAIT);
    srv[0]!.conn!.write(Buffer.from('more after your FIN'));
    run(100);
    expect(cli.text()).toBe('hello clientmore after your FIN');
    srv[0]!.conn!.shutdown();
    run(100);
    expect(cli.ended).toBe(true);
    expect(cli.conn!.state).toBe(TcpState.TIME_WAIT);
    expect(srv[0]!.closed).toBe(true);
    expect(srv[0]!.errno).toBe(0);
    expect(b.connectionCount).toBe(0);
    expect(a.connectionCount).toBe(1);
    // TIME_WAIT lasts 2·MSL = 60 s of virtual time.
    run(59_000);
    expect(a.connectionCount).toBe(1);
    run(2_000);
    expect(a.connectionCount).toBe(0);
  });

  it('works with no wire delay (synchronous delivery)', () => {
    const { run, a, b } = pair();
    const srv = acceptAll(b, 7);
    const cli = connect(a, B, 7);
    run(1);
    const big = Buffer.alloc(300_000, 7);
    cli.conn!.write(big);
    cli.conn!.shutdown();
    run(1000);
    expect(srv[0]!.bytes).toBe(300_000);
    expect(srv[0]!.ended).toBe(true);
  });
});
