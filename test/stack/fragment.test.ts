import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { fragment, Reassembler } from '../../src/stack/fragment.js';
import { newIpStats } from '../../src/stack/counters.js';
import { encodeIpv4, decodeIpv4, ipId, validateIpv4 } from '../../src/wire/ipv4.js';
import { parseIp } from '../../src/wire/addr.js';

function datagram(len: number, id = 7): Uint8Array {
  const payload = new Uint8Array(len);
  for (let i = 0; i < len; i++) payload[i] = (i * 7 + 3) & 255;
  const ip = encodeIpv4({ id, ttl: 64, proto: 17, src: parseIp('10.0.0.1'), dst: parseIp('10.0.0.2'), payload });
  const f = new Uint8Array(14 + ip.length);
  f[12] = 8;
  f.set(ip, 14);
  return f;
}

describe('IPv4 fragmentation', () => {
  it('cuts at 8-byte multiples with MF and offsets; each fragment is a valid header', () => {
    const frags = fragment(datagram(4000), 1500);
    expect(frags.map((f) => f.length - 14)).toEqual([1500, 1500, 1060]);
    const d = frags.map((f) => decodeIpv4(f.subarray(14))!);
    expect(d.map((x) => [x.mf, x.fragmentOffset, x.id])).toEqual([[true, 0, 7], [true, 1480, 7], [false, 2960, 7]]);
    for (const f of frags) expect(validateIpv4(f, 14, f.length - 14)).toBe(20);
  });

  it('reassembles in any order, byte-exact; duplicates of an overlap drop the datagram; counters', () => {
    const clock = new VirtualClock();
    const st = newIpStats();
    const r = new Reassembler(clock, st, () => {});
    const whole = datagram(5000);
    const frags = fragment(whole, 1000);
    let out: Uint8Array | null = null;
    for (const f of [...frags].reverse()) out = r.add(f) ?? out;
    expect(out).not.toBeNull();
    expect(Buffer.from(out!)).toEqual(Buffer.from(whole));
    expect(st.ReasmOKs).toBe(1);
    const again = fragment(datagram(3000, 8), 1000);
    r.add(again[0]!);
    expect(r.add(again[0]!)).toBeNull(); // an overlapping piece: the whole datagram goes
    expect(st.ReasmFails).toBe(1);
  });

  it('a datagram missing a piece times out after 30 s and reports it once', () => {
    const clock = new VirtualClock();
    const st = newIpStats();
    const timedOut: Uint8Array[] = [];
    const r = new Reassembler(clock, st, (q) => timedOut.push(q));
    const frags = fragment(datagram(3000, 9), 1000);
    r.add(frags[0]!);
    r.add(frags[2]!);
    clock.advance(29_999);
    expect(timedOut.length).toBe(0);
    clock.advance(30_001);
    expect(timedOut.length).toBe(1);
    expect(ipId(timedOut[0]!, 14)).toBe(9);
    expect(timedOut[0]!.length).toBe(14 + 20 + 8);
    expect(st.ReasmTimeout).toBe(1);
  });
});
