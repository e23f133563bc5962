import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { decodeIpv4, encodeIpv4, validateIpv4, writeIpv4Header, IpError, ipHlen } from '../../src/wire/ipv4.js';
import { ipToString, parseIp, parseCidr } from '../../src/wire/addr.js';
import { Prng } from '../../src/sim/prng.js';

// ip-packet is CommonJS and untyped: the independent oracle.
type State = { start: number; end: number; buffer: Buffer };
type Decoded = { version: number; ihl: number; dscp: number; ecn: number; length: number; identification: number; flags: number; fragmentOffset: number; ttl: number; protocol: number; checksum: number; sourceIp: string; destinationIp: string; data: Buffer };
const lib = createRequire(import.meta.url)('ip-packet') as {
  preencode(s: State, p: object): void;
  encode(s: State, p: object): void;
  decode(s: State): Decoded;
  checksum(b: Buffer): number;
};
/** ip-packet speaks compact-encoding state objects. */
const ipPacket = {
  encode(p: object): Buffer {
    const s: State = { start: 0, end: 0, buffer: Buffer.alloc(0) };
    lib.preencode(s, p);
    s.buffer = Buffer.alloc(s.end);
    lib.encode(s, p);
    return s.buffer;
  },
  decode(b: Buffer): Decoded {
    return lib.decode({ start: 0, end: b.length, buffer: b });
  },
  checksum: (b: Buffer): number => lib.checksum(b),
};

function randomPacket(p: Prng) {
  const payload = new Uint8Array(p.int(0, 200));
  for (let i = 0; i < payload.length; i++) payload[i] = p.int(0, 255);
  return {
    tos: p.int(0, 255), id: p.int(0, 0xffff), df: p.float() < 0.5, mf: p.float() < 0.3,
    fragmentOffset: p.int(0, 100) * 8, ttl: p.int(1, 255), proto: p.int(0, 255), src: p.u32(), dst: p.u32(), payload,
  };
}

describe('IPv4 codec', () => {
  it('our encoding decodes identically with ip-packet (oracle)', () => {
    const p = new Prng(11);
    for (let n = 0; n < 300; n++) {
      const h = randomPacket(p);
      const bytes = encodeIpv4(h);
      const o = ipPacket.decode(Buffer.from(bytes));
      expect(o.version).toBe(4);
      expect(o.ihl).toBe(5);
      expect(o.length).toBe(bytes.length);
      expect(o.identification).toBe(h.id);
      expect(o.flags).toBe((h.df ? 2 : 0) | (h.mf ? 1 : 0));
      expect(o.fragmentOffset).toBe(h.fragmentOffset / 8);
      expect(o.ttl).toBe(h.ttl);
      expect(o.protocol).toBe(h.proto);
      expect(o.sourceIp).toBe(ipToString(h.src));
      expect(o.destinationIp).toBe(ipToString(h.dst));
      expect(Buffer.from(o.data)).toEqual(Buffer.from(h.payload));
      expect(o.checksum).toBe((bytes[10]! << 8) | bytes[11]!);
    }
  });

  it("ip-packet's encoding decodes identically with ours (oracle), checksum valid", () => {
    const p = new Prng(12);
    for (let n = 0; n < 300; n++) {
      const h = randomPacket(p);
      const buf = ipPacket.encode({
        version: 4, ihl: 5, dscp: h.tos >> 2, ecn: h.tos & 3, identification: h.id, flags: (h.df ? 2 : 0) | (h.mf ? 1 : 0),
        fragmentOffset: h.fragmentOffset / 8, ttl: h.ttl, protocol: h.proto, sourceIp: ipToString(h.src), destinationIp: ipToString(h.dst), data: Buffer.from(h.payload),
      });
      // ip-packet leaves the checksum to the caller: fill it with its own routine
      const c = ipPacket.checksum(buf);
      buf[10] = c >> 8;
      buf[11] = c & 255;
      const d = decodeIpv4(new Uint8Array(buf));
      expect(d).not.toBeNull();
      expect(d!.tos).toBe(h.tos);
      expect(d!.id).toBe(h.id);
      expect(d!.df).toBe(h.df);
      expect(d!.mf).toBe(h.mf);
      expect(d!.fragmentOffset).toBe(h.fragmentOffset);
      expect(d!.src).toBe(h.src);
      expect(d!.dst).toBe(h.dst);
      expect(Buffer.from(d!.payload)).toEqual(Buffer.from(h.payload));
    }
  });

  it('round-trips with header options, skipping them to the payload', () => {
    const p = new Prng(13);
    for (let n = 0; n < 200; n++) {
      const h = randomPacket(p);
      const options = new Uint8Array(p.int(1, 40));
      for (let i = 0; i < options.length; i++) options[i] = 1; // NOPs
      const bytes = encodeIpv4({ ...h, options });
      const d = decodeIpv4(bytes)!;
      expect(d.ihl * 4).toBe(20 + ((options.length + 3) & ~3));
      expect(Buffer.from(d.payload)).toEqual(Buffer.from(h.payload));
      expect(encodeIpv4({ ...h, options: d.options })).toEqual(bytes);
    }
  });

  it('rejects bad version, header length, total length, checksum, truncation', () => {
    const good = encodeIpv4({ id: 1, ttl: 64, proto: 1, src: parseIp('10.0.0.1'), dst: parseIp('10.0.0.2'), payload: new Uint8Array(8) });
    expect(validateIpv4(good, 0, good.length)).toBe(20);
    expect(validateIpv4(good, 0, 10)).toBe(IpError.Truncated);
    const v6 = good.slice(); v6[0] = 0x65;
    expect(validateIpv4(v6, 0, v6.length)).toBe(IpError.Version);
    const ihl = good.slice(); ihl[0] = 0x44;
    expect(validateIpv4(ihl, 0, ihl.length)).toBe(IpError.HeaderLength);
    const tl = good.slice(); tl[3] = 200;
    expect(validateIpv4(tl, 0, tl.length)).toBe(IpError.TotalLength);
    const cs = good.slice(); cs[8] = 1;
    expect(validateIpv4(cs, 0, cs.length)).toBe(IpError.Checksum);
  });

  it('writeIpv4Header produces a header ip-packet agrees is checksummed', () => {
    const b = new Uint8Array(28);
    writeIpv4Header(b, 0, { totalLen: 28, id: 7, df: true, ttl: 64, proto: 17, src: parseIp('172.17.0.2'), dst: parseIp('8.8.8.8') });
    expect(ipHlen(b, 0)).toBe(20);
    expect(ipPacket.checksum(Buffer.from(b))).toBe((b[10]! << 8) | b[11]!);
    expect(parseCidr('172.17.0.0/16')).toEqual([parseIp('172.17.0.0'), 16]);
  });
});
