import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Prng } from '../../src/sim/prng.js';
import { Namespace } from '../../src/stack/namespace.js';
import { BridgeDev } from '../../src/link/bridge.js';
import { createVethPair } from '../../src/link/veth.js';
import { macFromIp } from '../../src/wire/mac.js';
import { parseIp } from '../../src/wire/addr.js';
import type { EchoReply, EchoError } from '../../src/stack/icmp.js';

function lan(n: number) {
  const clock = new VirtualClock();
  const prng = new Prng(1);
  const host = new Namespace('host', clock, prng.fork('host'));
  const br = new BridgeDev('docker0', 3, 0x0242aabbccdd, clock);
  host.addDev(br);
  host.addAddress(br, parseIp('172.17.0.1'), 16);
  const ctrs: Namespace[] = [];
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
    ctrs.push(ns);
  }
  return { clock, host, br, ctrs };
}

function ping(ns: Namespace, clock: VirtualClock, dst: string, count: number, waitMs = 3000) {
  const s = ns.icmp.openPing();
  const replies: EchoReply[] = [];
  const errors: EchoError[] = [];
  s.onReply = (r) => replies.push(r);
  s.onError = (e) => errors.push(e);
  for (let i = 0; i < count; i++) clock.after(i * 1000, () => s.send(parseIp(dst), i, new Uint8Array(56)));
  clock.advance(clock.now() + count * 1000 + waitMs);
  s.close();
  return { replies, errors };
}

describe('namespace over a bridge', () => {
  it('container pings container: ARP then ICMP echo, TTL 64', () => {
    const { clock, ctrs, br } = lan(2);
    const { replies } = ping(ctrs[0]!, clock, '172.17.0.3', 3);
    expect(replies.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(replies[0]!.ttl).toBe(64);
    expect(replies[0]!.bytes).toBe(64);
    expect(ctrs[0]!.neigh.entries().map((e) => [e.ip, e.state])).toEqual([[parseIp('172.17.0.3'), 'REACHABLE']]);
    expect(br.fdb.size).toBe(2);
  });

  it('host pings container through docker0, container pings gateway', () => {
    const { clock, ctrs, host } = lan(1);
    expect(ping(host, clock, '172.17.0.2', 2).replies.length).toBe(2);
    expect(ping(ctrs[0]!, clock, '172.17.0.1', 2).replies.length).toBe(2);
  });

  it('an unused address: ARP fails and the sender learns host unreachable', () => {
    const { clock, ctrs } = lan(1);
    const { replies, errors } = ping(ctrs[0]!, clock, '172.17.0.99', 1);
    expect(replies).toEqual([]);
    expect(errors[0]).toMatchObject({ type: 3, code: 1, from: parseIp('172.17.0.2'), seq: 0 });
    expect(ctrs[0]!.neigh.entries()[0]!.state).toBe('FAILED');
  });

  it('no route gives ENETUNREACH synchronously', () => {
    const { ctrs } = lan(1);
    const ns = ctrs[0]!;
    ns.routes.remove((r) => r.prefixLen === 0);
    const s = ns.icmp.openPing();
    expect(s.send(parseIp('8.8.8.8'), 0, new Uint8Array(56))).toBe(-101);
  });

  it('forwarding decrements TTL; TTL 1 earns time exceeded', () => {
    const { clock, ctrs, host } = lan(1);
    const { lo } = host;
    void lo;
    host.ipForward = true;
    // a second LAN on the host: 10.0.0.0/24 with a namespace behind a veth
    const [h, o] = createVethPair(clock, { name: 'eth1', index: 50, mac: 0x020000000050 }, { name: 'eth0', index: 51, mac: 0x020000000051 });
    host.addDev(h);
    host.addAddress(h, parseIp('10.0.0.1'), 24);
    const far = new Namespace('far', clock, new Prng(9));
    far.addDev(o);
    far.addAddress(o, parseIp('10.0.0.2'), 24);
    far.addRoute({ dst: 0, prefixLen: 0, gw: parseIp('10.0.0.1'), dev: o });
    const r = ping(ctrs[0]!, clock, '10.0.0.2', 1);
    expect(r.replies[0]!.ttl).toBe(63);
    const s = ctrs[0]!.icmp.openPing();
    const errs: EchoError[] = [];
    s.onError = (e) => errs.push(e);
    s.send(parseIp('10.0.0.2'), 7, new Uint8Array(56), { ttl: 1 });
    clock.advance(clock.now() + 100);
    expect(errs[0]).toMatchObject({ type: 11, code: 0, from: parseIp('172.17.0.1'), seq: 7 });
  });
});
