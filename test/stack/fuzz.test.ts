import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Prng } from '../../src/sim/prng.js';
import { Namespace } from '../../src/stack/namespace.js';
import { BridgeDev } from '../../src/link/bridge.js';
import { createVethPair } from '../../src/link/veth.js';
import { parseIp } from '../../src/wire/addr.js';
import { buildArpFrame } from '../../src/wire/arp.js';
import { encodeIpv4 } from '../../src/wire/ipv4.js';
import { buildEcho } from '../../src/wire/icmp.js';
import { writeEthHeader } from '../../src/wire/ethernet.js';

/** Valid frames of every kind the namespace understands, to be mutilated. */
function seeds(dstMac: number, srcMac: number): Uint8Array[] {
  const me = parseIp('172.17.0.2'), peer = parseIp('172.17.0.3');
  const ipFrame = (proto: number, payload: Uint8Array, opts: Partial<{ mf: boolean; fragmentOffset: number; ttl: number }> = {}): Uint8Array => {
    const ip = encodeIpv4({ id: 1, ttl: opts.ttl ?? 64, proto, src: peer, dst: me, payload, ...opts });
    const f = new Uint8Array(14 + ip.length);
    writeEthHeader(f, dstMac, srcMac, 0x0800);
    f.set(ip, 14);
    return f;
  };
  return [
    buildArpFrame(0xffffffffffff, { op: 1, sha: srcMac, spa: peer, tha: 0, tpa: me }),
    buildArpFrame(dstMac, { op: 2, sha: srcMac, spa: peer, tha: dstMac, tpa: me }),
    ipFrame(1, buildEcho(8, 1, 1, new Uint8Array(56))),
    ipFrame(1, new Uint8Array([3, 3, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 28])),
    ipFrame(17, new Uint8Array(20)),
    ipFrame(6, new Uint8Array(20)),
    ipFrame(99, new Uint8Array(4)),
    ipFrame(1, new Uint8Array(8), { mf: true }),
  ];
}

describe('fuzz: random, truncated and corrupted frames', () => {
  it('a namespace and a bridge never throw; every frame is counted', () => {
    const clock = new VirtualClock();
    const prng = new Prng(2024);
    const ns = new Namespace('c', clock, new Prng(1));
    const [eth0, peer] = createVethPair(clock, { name: 'eth0', index: 2, mac: 0x0242ac110002 }, { name: 'p', index: 3, mac: 0x0242ac110003 });
    ns.addDev(eth0);
    ns.addAddress(eth0, parseIp('172.17.0.2'), 16);
    ns.addRoute({ dst: 0, prefixLen: 0, gw: parseIp('172.17.0.1'), dev: eth0 });
    peer.rx = () => {};
    const br = new BridgeDev('br0', 10, 0x0242000000aa, clock);
    const ports = [0, 1, 2].map((i) => {
      const [a, b] = createVethPair(clock, { name: `x${i}`, index: 20 + i, mac: 0x020000000100 + i }, { name: `y${i}`, index: 30 + i, mac: 0x020000000200 + i });
      br.addPort(b);
      a.rx = () => {};
      return a;
    });
    const base = seeds(eth0.mac, peer.mac);
    const N = 200_000;
    for (let i = 0; i < N; i++) {
      let f: Uint8Array;
      const kind = prng.int(0, 3);
      const s = base[prng.int(0, base.length - 1)]!;
      if (kind === 0) {
        f = new Uint8Array(prng.int(0, 120));
        for (let j = 0; j < f.length; j++) f[j] = prng.int(0, 255);
      } else if (kind === 1) f = s.slice(0, prng.int(0, s.length));
      else {
        f = s.slice();
        const flips = prng.int(1, 4);
        for (let k = 0; k < flips; k++) f[prng.int(0, f.length - 1)]! ^= 1 << prng.int(0, 7);
      }
      ns.lo; // namespace input straight from the wire side
      peer.xmit(f);
      ports[i % 3]!.xmit(f);
      if ((i & 1023) === 0) clock.advance(clock.now() + 1);
    }
    expect(() => clock.advance(clock.now() + 10_000)).not.toThrow();
    const st = ns.stats;
    const handled = eth0.stats.rxPackets;
    expect(handled).toBe(N);
    // Everything received is accounted: dropped somewhere with a reason, or delivered.
    const counted = st.InReceives + st.OtherHost + st.UnknownEtherType + eth0.stats.rxErrors + st.ArpErrors;
    expect(counted).toBeGreaterThan(0);
    expect(st.InHdrErrors + st.InCsumErrors).toBeGreaterThan(1000);
    expect(st.OtherHost).toBeGreaterThan(1000);
    expect(br.bstats.runts).toBeGreaterThan(0);
    expect(ns.icmpStats.InErrors + ns.icmpStats.InEchos).toBeGreaterThan(0);
    // and the namespace still works afterwards
    const s = ns.icmp.openPing();
    expect(s.send(parseIp('172.17.0.3'), 1, new Uint8Array(8))).toBe(0);
  });
});
