/**
 * Bad input on the wire to 127.0.0.11:53, sent from inside a container through its
 * node:dgram facade (so it crosses the container's UDP and lo like any stub's query):
 * every malformed query gets FORMERR/NOTIMP or is dropped, each counted in the server's
 * stats, and the server keeps answering afterwards.
 */
import { Buffer } from 'node:buffer';
import * as packet from 'dns-packet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import type { EmbeddedDnsServer } from '../../src/dns/server.js';
import type { DgramModule } from '../../src/node/dgram.js';
import { Prng } from '../../src/sim/prng.js';

let engine: Engine;
let dgram: DgramModule;
let stats: EmbeddedDnsServer['stats'];

beforeEach(async () => {
  engine = await Engine.create({ seed: 21 });
  await engine.docker('network create my_net');
  await engine.docker('run -dit --name c1 --network my_net busybox');
  await engine.docker('run -dit --name c2 --network my_net busybox');
  const h = engine.container('c1');
  dgram = h.service<DgramModule>('dgram');
  stats = h.service<EmbeddedDnsServer>('embeddedDns').stats;
});
afterEach(async () => engine?.close());

/** Send one datagram to 127.0.0.11:53 from c1 and collect what comes back within `waitMs`. */
async function ask(bytes: Uint8Array, waitMs = 20): Promise<Buffer[]> {
  const got: Buffer[] = [];
  const s = dgram.createSocket('udp4');
  s.on('message', (m: Buffer) => got.push(Buffer.from(m)));
  s.send(bytes, 53, '127.0.0.11');
  await engine.clock.run(engine.clock.sleep(waitMs));
  s.close();
  return got;
}

function header(id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [id >> 8, id & 255, flags >> 8, flags & 255, 0, qd, 0, an, 0, ns, 0, ar];
}
const A_IN = [0, 1, 0, 1];
const q = (...parts: number[][]): Uint8Array => new Uint8Array(parts.flat());
const label = (s: string): number[] => [s.length, ...Buffer.from(s)];

/** A good query must still get its answer. */
async function stillAnswers(): Promise<void> {
  const ok = packet.encode({ type: 'query', id: 4242, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name: 'c2' }] });
  const r = await ask(ok);
  expect(r).toHaveLength(1);
  const d = packet.decode(r[0]!);
  expect(d.id).toBe(4242);
  expect(rcodeOf(r[0]!)).toBe('NOERROR');
  expect(d.answers?.map((a) => (a as { data: unknown }).data)).toEqual(['172.18.0.3']);
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
const rcodeOf = (b: Buffer): string => RCODES[b[3]! & 0x0f] ?? String(b[3]! & 0x0f);

function total(): number {
  return stats.answeredLocal + stats.forwarded + stats.formerr + stats.notimp + stats.dropped + stats.refused;
}

const CASES: { name: string; bytes: Uint8Array; expect: 'drop' | 'FORMERR' | 'NOTIMP' }[] = [
  { name: 'shorter than a header', bytes: q([0x12, 0x34, 0x01, 0x00, 0x00]), expect: 'drop' },
  { name: 'empty datagram', bytes: q([]), expect: 'drop' },
  { name: 'a response (QR set) sent to the server', bytes: q(header(7, 0x8180, 1), label('c2'), [0], A_IN), expect: 'drop' },
  { name: 'header only, QDCOUNT=1, no question', bytes: q(header(8, 0x0100, 1)), expect: 'FORMERR' },
  { name: 'truncated inside a label', bytes: q(header(9, 0x0100, 1), [5, 0x61, 0x62]), expect: 'FORMERR' },
  { name: 'name without its type and class', bytes: q(header(10, 0x0100, 1), label('c2'), [0], [0, 1]), expect: 'FORMERR' },
  { name: 'label length 64 (> 63)', bytes: q(header(11, 0x0100, 1), [64, ...new Array(64).fill(0x61)], [0], A_IN), expect: 'FORMERR' },
  { name: 'extended label type 0x40', bytes: q(header(12, 0x0100, 1), [0x41, 0x61], [0], A_IN), expect: 'FORMERR' },
  { name: 'reserved label type 0x80', bytes: q(header(13, 0x0100, 1), [0x81, 0x61], [0], A_IN), expect: 'FORMERR' },
  { name: 'compression pointer to itself', bytes: q(header(14, 0x0100, 1), [0xc0, 12], A_IN), expect: 'FORMERR' },
  { name: 'compression loop of two labels', bytes: q(header(15, 0x0100, 1), label('a'), [0xc0, 12], A_IN), expect: 'FORMERR' },
  { name: 'compression pointer forward, past the end', bytes: q(header(16, 0x0100, 1), [0xc0, 0xff], A_IN), expect: 'FORMERR' },
  { name: 'name longer than 255 octets', bytes: q(header(17, 0x0100, 1), ...new Array(5).fill(label('x'.repeat(60))), [0], A_IN), expect: 'FORMERR' },
  { name: 'QDCOUNT=0', bytes: q(header(18, 0x0100, 0)), expect: 'FORMERR' },
  { name: 'QDCOUNT=2', bytes: q(header(19, 0x0100, 2), label('c2'), [0], A_IN, label('c2'), [0], A_IN), expect: 'FORMERR' },
  { name: 'ARCOUNT=1 with a truncated OPT record', bytes: q(header(20, 0x0100, 1, 0, 0, 1), label('c2'), [0], A_IN, [0, 0, 41, 0x10]), expect: 'FORMERR' },
  { name: 'ARCOUNT=3 (more than miekg accepts)', bytes: q(header(21, 0x0100, 1, 0, 0, 3), label('c2'), [0], A_IN), expect: 'FORMERR' },
  { name: 'opcode STATUS (2)', bytes: q(header(22, 0x1100, 1), label('c2'), [0], A_IN), expect: 'NOTIMP' },
];

describe('malformed queries to 127.0.0.11:53 from inside a container', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.expect === 'drop' ? 'dropped and counted' : c.expect}`, async () => {
      const before = { ...stats };
      const r = await ask(c.bytes);
      expect(stats.queries).toBe(before.queries + 1);
      if (c.expect === 'drop') {
        expect(r).toHaveLength(0);
        expect(stats.dropped).toBe(before.dropped + 1);
      } else {
        expect(r).toHaveLength(1);
        const resp = r[0]!;
        expect(resp.readUInt16BE(0)).toBe((c.bytes[0]! << 8) | c.bytes[1]!); // ID echoed
        expect(resp[2]! & 0x80).toBe(0x80); // QR
        expect(resp[3]! & 0x0f).toBe(c.expect === 'FORMERR' ? 1 : 4);
        // The rejection itself is a well-formed message.
        const d = packet.decode(resp);
        expect(d.id).toBe(resp.readUInt16BE(0));
        expect(rcodeOf(resp)).toBe(c.expect);
        if (c.expect === 'FORMERR') expect(stats.formerr).toBe(before.formerr + 1);
        else expect(stats.notimp).toBe(before.notimp + 1);
      }
      await stillAnswers();
    });
  }

  it('a question name pointing into the header: FORMERR (a copied pointer would decode differently in the reply)', async () => {
    // Offset 2 holds the flags (0x01 0x00 in the query: a one-byte label), which become 0x81 in
    // a reply: echoing the question bytes would hand the client a reserved label type.
    for (const bytes of [q(header(0x0000, 0x0100, 1), [0xc0, 0], A_IN), q(header(0x0161, 0x0100, 1), [0xc0, 1], A_IN), q(header(0x0203, 0x0100, 1), [0xc0, 2], A_IN)]) {
      const before = stats.formerr;
      const r = await ask(bytes, 20_000);
      expect(r).toHaveLength(1);
      expect(rcodeOf(r[0]!)).toBe('FORMERR');
      expect(() => packet.decode(r[0]!)).not.toThrow();
      expect(stats.formerr).toBe(before + 1);
    }
    await stillAnswers();
  });

  it('survives 2000 random datagrams (seeded), counting each, and answers afterwards', async () => {
    const prng = new Prng(99);
    const before = total();
    const q0 = stats.queries;
    let sent = 0;
    const s = dgram.createSocket('udp4');
    s.on('message', () => {});
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 100; i++) {
        const len = prng.int(0, 80);
        const b = new Uint8Array(len);
        for (let k = 0; k < len; k++) b[k] = prng.int(0, 255);
        // half of them with a plausible header so the parser gets past it
        if (len >= 12 && i % 2 === 0) {
          b[2] = 0x01;
          b[3] = 0;
          b[4] = 0;
          b[5] = 1;
          b[6] = b[7] = b[8] = b[9] = b[10] = b[11] = 0;
        }
        s.send(b, 53, '127.0.0.11');
        sent++;
      }
      // Forwarded ones wait on the upstream: let virtual time pass.
      await engine.clock.run(engine.clock.sleep(100));
    }
    await engine.clock.run(engine.clock.sleep(20_000));
    s.close();
    expect(stats.queries - q0).toBe(sent);
    expect(total() - before).toBe(sent);
    expect(stats.dropped + stats.formerr).toBeGreaterThan(sent / 2);
    await stillAnswers();
    expect((await engine.docker('exec c1 nslookup c2')).stdout).toContain('Name:\tc2\nAddress: 172.18.0.3\n');
  });

  it('a flood of valid queries is answered in full (no queue wedges)', async () => {
    const s = dgram.createSocket('udp4');
    const ids = new Set<number>();
    s.on('message', (m: Buffer) => ids.add(m.readUInt16BE(0)));
    for (let i = 0; i < 500; i++) s.send(packet.encode({ type: 'query', id: i, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name: i % 2 ? 'c2' : 'C1' }] }), 53, '127.0.0.11');
    await engine.clock.run(engine.clock.sleep(50));
    s.close();
    expect(ids.size).toBe(500);
    expect(stats.answeredLocal).toBeGreaterThanOrEqual(500);
  });
});
