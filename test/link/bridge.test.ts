import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Prng } from '../../src/sim/prng.js';
import { BridgeDev } from '../../src/link/bridge.js';
import { createVethPair, DEFAULT_VETH_DELAY_MS, type VethDev } from '../../src/link/veth.js';
import { writeMac } from '../../src/wire/mac.js';

function frame(dst: number, src: number, tag = 0): Uint8Array {
  const f = new Uint8Array(60);
  writeMac(f, 0, dst);
  writeMac(f, 6, src);
  f[12] = 0x08;
  f[14] = tag;
  return f;
}

function setup(n: number) {
  const clock = new VirtualClock();
  const br = new BridgeDev('br0', 100, 0x02000000ff00, clock);
  const hosts: { end: VethDev; got: Uint8Array[] }[] = [];
  for (let i = 0; i < n; i++) {
    const [h, p] = createVethPair(clock, { name: `h${i}`, index: 2 * i, mac: 0x020000000001 + i }, { name: `p${i}`, index: 2 * i + 1, mac: 0x020000001000 + i });
    br.addPort(p);
    const got: Uint8Array[] = [];
    h.rx = (f) => got.push(f);
    hosts.push({ end: h, got });
  }
  const up: Uint8Array[] = [];
  br.rx = (f) => up.push(f);
  return { clock, br, hosts, up };
}

const MAC = (i: number): number => 0x020000000001 + i;

describe('learning bridge', () => {
  it('floods unknown unicast to every port but the ingress, then forwards once learned', () => {
    const { clock, br, hosts } = setup(3);
    hosts[0]!.end.xmit(frame(MAC(1), MAC(0), 1));
    clock.advance(1);
    expect(hosts.map((h) => h.got.length)).toEqual([0, 1, 1]);
    expect(br.bstats.flooded).toBe(1);
    hosts[1]!.end.xmit(frame(MAC(0), MAC(1), 2)); // learned: goes only to port 0
    clock.advance(2);
    expect(hosts.map((h) => h.got.length)).toEqual([1, 1, 1]);
    hosts[0]!.end.xmit(frame(MAC(1), MAC(0), 3));
    clock.advance(3);
    expect(hosts.map((h) => h.got.length)).toEqual([1, 2, 1]);
    expect(br.bstats.forwarded).toBe(2);
  });

  it('broadcast reaches all other ports and the bridge device itself', () => {
    const { clock, hosts, up } = setup(4);
    hosts[2]!.end.xmit(frame(0xffffffffffff, MAC(2)));
    clock.advance(1);
    expect(hosts.map((h) => h.got.length)).toEqual([1, 1, 0, 1]);
    expect(up.length).toBe(1);
  });

  it('never sends a frame back out of its ingress port', () => {
    const { clock, br, hosts } = setup(2);
    hosts[0]!.end.xmit(frame(MAC(5), MAC(0)));
    hosts[1]!.end.xmit(frame(MAC(0), MAC(5))); // pretend MAC(5) lives behind port 1
    clock.advance(1);
    const before = hosts[1]!.got.length;
    hosts[1]!.end.xmit(frame(MAC(5), MAC(1))); // dst learned on the ingress port: filtered
    clock.advance(2);
    expect(hosts[1]!.got.length).toBe(before);
    expect(br.bstats.filtered).toBe(1);
  });

  it('FDB entries age out after 300 s and the bridge floods again', () => {
    const { clock, br, hosts } = setup(3);
    hosts[1]!.end.xmit(frame(MAC(0), MAC(1)));
    clock.advance(1);
    hosts[0]!.end.xmit(frame(MAC(1), MAC(0)));
    clock.advance(2);
    expect(hosts[2]!.got.length).toBe(1); // only the first flood
    clock.advance(2 + 301_000);
    hosts[2]!.end.xmit(frame(MAC(1), MAC(2)));
    clock.advance(clock.now() + 1);
    expect(hosts[0]!.got.length).toBe(2); // MAC(1) aged out: flooded to port 0 too
    expect(br.fdb.size).toBeGreaterThan(0);
  });

  it('runt frames are counted, not thrown', () => {
    const { clock, br, hosts } = setup(2);
    hosts[0]!.end.xmit(new Uint8Array(5));
    clock.advance(1);
    expect(br.bstats.runts).toBe(1);
  });
});

describe('veth and netem', () => {
  it('delivers after the link delay, in order', () => {
    const clock = new VirtualClock();
    const [a, b] = createVethPair(clock, { name: 'a', index: 1, mac: 1 }, { name: 'b', index: 2, mac: 2 });
    a.delayMs = 0.5;
    const got: [number, number][] = [];
    b.rx = (f) => got.push([f[0]!, clock.now()]);
    a.xmit(new Uint8Array([1]));
    clock.advance(0.25);
    a.xmit(new Uint8Array([2]));
    clock.advance(10);
    expect(got).toEqual([[1, 0.5], [2, 0.75]]);
    expect(a.stats.txPackets).toBe(2);
    expect(b.stats.rxPackets).toBe(2);
  });

  it('loss, duplication and rate behave as configured (seeded)', () => {
    const clock = new VirtualClock();
    const [a, b] = createVethPair(clock, { name: 'a', index: 1, mac: 1 }, { name: 'b', index: 2, mac: 2 });
    a.setNetem({ loss: 20, duplicate: 10 }, new Prng(5));
    let n = 0;
    b.rx = () => n++;
    for (let i = 0; i < 10_000; i++) a.xmit(new Uint8Array(60));
    clock.advance(100);
    expect(a.stats.txDropped).toBeGreaterThan(1700);
    expect(a.stats.txDropped).toBeLessThan(2300);
    expect(n).toBeGreaterThan(8000 + 600);
    const [c, d] = createVethPair(clock, { name: 'c', index: 3, mac: 3 }, { name: 'd', index: 4, mac: 4 });
    c.setNetem({ rateBps: 8_000_000 }, new Prng(1)); // 1 MB/s: 1000-byte frames take 1 ms each
    const at: number[] = [];
    d.rx = () => at.push(clock.now());
    const t0 = clock.now();
    for (let i = 0; i < 5; i++) c.xmit(new Uint8Array(1000));
    clock.advance(t0 + 100);
    // serialisation (1 ms per frame, back to back) plus the link latency
    expect(at.map((t) => Math.round((t - t0) * 1000) / 1000)).toEqual([1, 2, 3, 4, 5].map((x) => Math.round((x + DEFAULT_VETH_DELAY_MS) * 1000) / 1000));
  });
});
