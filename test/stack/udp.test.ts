import { describe, it, expect } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Udp, EPHEMERAL_LOW, EPHEMERAL_HIGH, udpSnmpLines } from '../../src/stack/udp.js';
import { EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED, ENETUNREACH } from '../../src/stack/l4.js';
import { parseIp } from '../../src/wire/addr.js';
import { FakeLan } from '../support/fake-lan.js';

const A = parseIp('10.0.0.1');
const B = parseIp('10.0.0.2');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function setup(seedA = 1) {
  const clock = new VirtualClock();
  const lan = new FakeLan(clock);
  const ha = lan.host('10.0.0.1', seedA);
  const hb = lan.host('10.0.0.2', 2);
  return { clock, lan, ua: new Udp(ha), ub: new Udp(hb) };
}

describe('UDP sockets', () => {
  it('sends and receives both ways with source address/port', async () => {
    const { clock, ua, ub } = setup();
    const server = ub.socket();
    expect(server.bind(0, 7000)).toBe(0);
    const client = ua.socket();
    expect(client.send(enc('ping'), B, 7000)).toBe(4);
    const got = await clock.run(server.recv());
    expect(dec(got!.data)).toBe('ping');
    expect(got!.address).toBe(A);
    expect(got!.port).toBe(client.localPort);
    expect(server.send(enc('pong'), got!.address, got!.port)).toBe(4);
    const back = await clock.run(client.recv());
    expect(dec(back!.data)).toBe('pong');
    expect(back!.address).toBe(B);
    expect(back!.port).toBe(7000);
    expect(ua.stats.OutDatagrams).toBe(1);
    expect(ub.stats.InDatagrams).toBe(1);
  });

  it('delivers through onMessage at the next event, not re-entrantly', async () => {
    const { clock, ua, ub } = setup();
    const server = ub.socket();
    server.bind(0, 9);
    const seen: string[] = [];
    server.onMessage = (d) => seen.push(dec(d));
    ua.socket().send(enc('x'), B, 9);
    expect(seen).toEqual([]);
    await clock.run(clock.sleep(1));
    expect(seen).toEqual(['x']);
  });

  it('picks ephemeral ports from 32768–60999 deterministically per seed', () => {
    const ports = (seed: number) => {
      const { ua } = setup(seed);
      return [1, 2, 3].map(() => {
        const s = ua.socket();
        expect(s.bind()).toBe(0);
        return s.localPort;
      });
    };
    const p1 = ports(42);
    expect(ports(42)).toEqual(p1);
    expect(ports(43)).not.toEqual(p1);
    for (const p of p1) expect(p >= EPHEMERAL_LOW && p <= EPHEMERAL_HIGH).toBe(true);
  });

  it('refuses a second bind to the same port with EADDRINUSE, allows it after close', () => {
    const { ua } = setup();
    const s1 = ua.socket();
    expect(s1.bind(0, 53)).toBe(0);
    expect(ua.socket().bind(A, 53)).toBe(-EADDRINUSE);
    expect(ua.socket().bind(0, 53)).toBe(-EADDRINUSE);
    // distinct specific addresses may share a port
    const lo = ua.socket();
    expect(lo.bind(parseIp('127.0.0.11'), 54)).toBe(0);
    expect(ua.socket().bind(A, 54)).toBe(0);
    s1.close();
    expect(ua.socket().bind(0, 53)).toBe(0);
    expect(ua.socket().bind(B, 55)).toBe(-EADDRNOTAVAIL);
  });

  it('connected sockets filter sources and use the default destination', async () => {
    const { clock, lan, ua, ub } = setup();
    const hc = lan.host('10.0.0.3', 3);
    const uc = new Udp(hc);
    const s = ua.socket();
    s.bind(0, 5000);
    expect(s.connect(B, 6000)).toBe(0);
    expect(s.localAddress).toBe(A);
    uc.socket().send(enc('stranger'), A, 5000);
    const peer = ub.socket();
    peer.bind(0, 6000);
    peer.send(enc('friend'), A, 5000);
    const got = await clock.run(s.recv());
    expect(dec(got!.data)).toBe('friend');
    expect(s.read()).toBeNull();
    // the stranger's datagram found no socket → port unreachable counted
    expect(ua.stats.NoPorts).toBe(1);
    expect(s.send(enc('hi'))).toBe(2);
    expect(dec((await clock.run(peer.recv()))!.data)).toBe('hi');
  });

  it('closed port: ICMP port unreachable → ECONNREFUSED on the connected socket', async () => {
    const { clock, ua, ub } = setup();
    const s = ua.socket();
    s.connect(B, 4444);
    const errs: number[] = [];
    s.onError = (e) => errs.push(e);
    s.onMessage = () => {};
    s.send(enc('anyone?'));
    await clock.run(clock.sleep(5));
    expect(ub.stats.NoPorts).toBe(1);
    expect(errs).toEqual([ECONNREFUSED]);
    // pull-style: the next send reports it
    const s2 = ua.socket();
    s2.connect(B, 4445);
    s2.send(enc('x'));
    await clock.run(clock.sleep(5));
    expect(s2.send(enc('y'))).toBe(-ECONNREFUSED);
    expect(s2.send(enc('z'))).toBe(1);
  });

  it('unconnected sockets ignore port unreachable', async () => {
    const { clock, ua } = setup();
    const s = ua.socket();
    const errs: number[] = [];
    s.onError = (e) => errs.push(e);
    s.send(enc('x'), B, 1);
    await clock.run(clock.sleep(5));
    expect(errs).toEqual([]);
    expect(s.soError).toBe(0);
  });

  it('counts a bad checksum as InCsumErrors and drops it', async () => {
    const { clock, lan, ua, ub } = setup();
    lan.mangle = (p) => {
      const c = p.slice();
      c[c.length - 1] ^= 0xff; // flip payload bits, UDP checksum now wrong
      return c;
    };
    const server = ub.socket();
    server.bind(0, 7);
    ua.socket().send(enc('hello'), B, 7);
    await clock.run(clock.sleep(1));
    expect(server.read()).toBeNull();
    expect(ub.stats.InCsumErrors).toBe(1);
    expect(ub.stats.InErrors).toBe(1);
    expect(ub.stats.InDatagrams).toBe(0);
  });

  it('drops and counts RcvbufErrors when the receive queue is full', async () => {
    const { clock, ua, ub } = setup();
    const server = ub.socket();
    server.bind(0, 7);
    const c = ua.socket();
    const payload = new Uint8Array(1000);
    for (let i = 0; i < 300; i++) c.send(payload, B, 7);
    await clock.run(clock.sleep(1));
    // 212992 / (1000 + 256 overhead) = 169 fit
    expect(ub.stats.InDatagrams).toBe(169);
    expect(ub.stats.RcvbufErrors).toBe(131);
    let n = 0;
    while (server.read()) n++;
    expect(n).toBe(169);
  });

  it('broadcast reaches sockets bound to ANY and needs SO_BROADCAST to send', async () => {
    const { clock, lan, ua, ub } = setup();
    const uc = new Udp(lan.host('10.0.0.3', 3));
    const rb = ub.socket();
    rb.bind(0, 68);
    const rc = uc.socket();
    rc.bind(0, 68);
    const specific = uc.socket();
    specific.bind(parseIp('10.0.0.3'), 69);
    const s = ua.socket();
    expect(s.send(enc('all'), 0xffffffff, 68)).toBe(-13);
    s.broadcast = true;
    expect(s.send(enc('all'), 0xffffffff, 68)).toBe(3);
    expect(s.send(enc('dir'), parseIp('10.0.0.255'), 68)).toBe(3);
    s.send(enc('no'), parseIp('10.0.0.255'), 69);
    await clock.run(clock.sleep(1));
    expect([rb.read(), rb.read()].map((d) => dec(d!.data))).toEqual(['all', 'dir']);
    expect(dec(rc.read()!.data)).toBe('all');
    expect(rc.read()!.dst).toBe(parseIp('10.0.0.255'));
    expect(specific.read()).toBeNull();
    // no port unreachable for broadcast
    expect(ua.stats.InDatagrams).toBe(0);
    expect(uc.stats.NoPorts).toBe(0);
    expect(uc.stats.IgnoredMulti).toBe(1);
    expect(udpSnmpLines(uc.stats)).toBe('Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\nUdp: 2 0 0 0 0 0 0 1 0\n');
  });

  it('surfaces ENETUNREACH when there is no route', () => {
    const { ua } = setup();
    expect(ua.socket().send(enc('x'), parseIp('8.8.8.8'), 53)).toBe(-ENETUNREACH);
    expect(ua.socket().connect(parseIp('8.8.8.8'), 53)).toBe(-ENETUNREACH);
  });
});
