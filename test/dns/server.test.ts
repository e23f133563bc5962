import { describe, it, expect } from 'vitest';
import * as packet from 'dns-packet';
import { Buffer } from 'node:buffer';
import { parseIp } from '../../src/wire/addr.js';
import { Udp } from '../../src/stack/udp.js';
import { udpExchange } from '../../src/dns/exchange.js';
import { EMBEDDED_DNS_IP } from '../../src/dns/server.js';
import { dnsWorld, type DnsWorld } from '../support/fake-dns.js';

const ip = parseIp;

function q(name: string, type: packet.RecordType = 'A', id = 0x1234, extra: Partial<packet.Packet> = {}): Uint8Array {
  return packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }], ...extra });
}

type Decoded = packet.DecodedPacket & { rcode?: string };

async function ask(w: DnsWorld, query: Uint8Array, timeout = 20_000): Promise<Decoded & { raw: Uint8Array }> {
  const r = await w.clock.run(udpExchange(w.udp, EMBEDDED_DNS_IP, 53, query, timeout));
  if (!r.ok) throw new Error(`no answer: ${r.reason}`);
  return Object.assign(packet.decode(Buffer.from(r.response)), { raw: r.response });
}

async function askRaw(w: DnsWorld, query: Uint8Array): Promise<Uint8Array | null> {
  const s = w.udp.socket();
  s.connect(EMBEDDED_DNS_IP, 53);
  s.send(query);
  await w.clock.run(w.clock.sleep(10));
  const d = s.read();
  s.close();
  return d ? d.data : null;
}

describe('embedded DNS server (127.0.0.11)', () => {
  it('answers A for a container name: TTL 600, RA=1, AA=0, question echoed', async () => {
    const w = dnsWorld();
    w.names.set('web', [ip('172.18.0.3')]);
    const r = await ask(w, q('web'));
    expect(r.id).toBe(0x1234);
    expect(r.rcode).toBe('NOERROR');
    expect(r.flag_qr).toBe(true);
    expect(r.flag_aa).toBe(false);
    expect(r.flag_ra).toBe(true);
    expect(r.flag_rd).toBe(true);
    expect(r.questions).toEqual([{ name: 'web', type: 'A', class: 'IN' }]);
    expect(r.answers).toEqual([{ name: 'web', type: 'A', class: 'IN', ttl: 600, data: '172.18.0.3', flush: false }]);
    expect(w.server.stats.answeredLocal).toBe(1);
  });

  it('is case-insensitive and keeps the client spelling in the answer', async () => {
    const w = dnsWorld();
    w.names.set('web', [ip('172.18.0.3')]);
    const r = await ask(w, q('WeB'));
    expect(r.answers!.map((a) => [a.name, (a as packet.StringAnswer).data])).toEqual([['WeB', '172.18.0.3']]);
  });

  it('returns every IP of a shared alias, shuffled deterministically per seed', async () => {
    const ips = ['172.18.0.3', '172.18.0.4', '172.18.0.5', '172.18.0.6'];
    const orders = async (seed: number) => {
      const w = dnsWorld(seed);
      w.names.set('search', ips.map(ip));
      const out: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await ask(w, q('search', 'A', i));
        const got = r.answers!.map((a) => (a as packet.StringAnswer).data);
        expect([...got].sort()).toEqual(ips);
        out.push(got.join(','));
      }
      return out;
    };
    const a = await orders(1);
    expect(await orders(1)).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1); // not a fixed order
  });

  it('AAAA for a known IPv4-only name: NOERROR, no answers, not forwarded', async () => {
    const w = dnsWorld();
    w.names.set('web', [ip('172.18.0.3')]);
    w.upstreams.push(ip('172.18.0.53'));
    const r = await ask(w, q('web', 'AAAA'));
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([]);
    expect(w.server.stats.forwarded).toBe(0);
  });

  it('MX for a known name: empty NOERROR', async () => {
    const w = dnsWorld();
    w.names.set('web', [ip('172.18.0.3')]);
    const r = await ask(w, q('web', 'MX'));
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([]);
  });

  it('PTR for a container IP → name.network.', async () => {
    const w = dnsWorld();
    w.ptrs.set(ip('172.18.0.3'), 'alpine2.alpine-net');
    const r = await ask(w, q('3.0.18.172.in-addr.arpa', 'PTR'));
    expect(r.answers).toEqual([{ name: '3.0.18.172.in-addr.arpa', type: 'PTR', class: 'IN', ttl: 600, data: 'alpine2.alpine-net', flush: false }]);
  });

  it('forwards unknown names and passes NXDOMAIN through unchanged', async () => {
    const w = dnsWorld();
    const up = w.zone('172.18.0.53', { a: { 'example.com': [ip('93.184.215.14')] }, authoritative: true });
    w.upstreams.push(ip('172.18.0.53'));
    const ok = await ask(w, q('example.com'));
    expect(ok.answers!.map((a) => (a as packet.StringAnswer).data)).toEqual(['93.184.215.14']);
    expect(ok.flag_aa).toBe(true); // upstream's flags, passed through
    const nx = await ask(w, q('nope.example.com'));
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(up.zone.stats.queries).toBe(2);
    expect(w.server.stats.forwarded).toBe(2);
  });

  it('tries the next upstream after REFUSED, at most three', async () => {
    const w = dnsWorld();
    w.zone('172.18.0.51', { a: {}, refuseUnknown: true });
    const good = w.zone('172.18.0.52', { a: { 'example.com': [ip('1.2.3.4')] } });
    w.upstreams.push(ip('172.18.0.51'), ip('172.18.0.52'));
    const r = await ask(w, q('example.com'));
    expect(r.rcode).toBe('NOERROR');
    expect(good.zone.stats.queries).toBe(1);
  });

  it('SERVFAIL when no upstream answers, after 4 s per server (virtual time)', async () => {
    const w = dnsWorld();
    const a = w.zone('172.18.0.51', { a: {} });
    const b = w.zone('172.18.0.52', { a: {} });
    a.host.down = true;
    b.host.down = true;
    w.upstreams.push(ip('172.18.0.51'), ip('172.18.0.52'));
    const t0 = w.clock.now();
    const r = await ask(w, q('example.com'));
    expect(r.rcode).toBe('SERVFAIL');
    expect(r.flag_ra).toBe(false);
    expect(r.questions![0]!.name).toBe('example.com');
    const dt = w.clock.now() - t0;
    expect(dt).toBeGreaterThanOrEqual(8000);
    expect(dt).toBeLessThan(8100);
  });

  it('SERVFAIL immediately-ish when the upstream port is closed (ICMP refused)', async () => {
    const w = dnsWorld();
    new Udp(w.lan.host('172.18.0.60', 5)); // UDP but no DNS server: port unreachable
    w.upstreams.push(ip('172.18.0.60'));
    const t0 = w.clock.now();
    const r = await ask(w, q('example.com'));
    expect(r.rcode).toBe('SERVFAIL');
    expect(w.clock.now() - t0).toBeLessThan(100);
  });

  it('truncates at 512 bytes with TC unless EDNS0 allows more', async () => {
    const w = dnsWorld();
    const many = Array.from({ length: 40 }, (_, i) => ip(`172.18.1.${i + 1}`));
    w.names.set('big', many);
    const r = await ask(w, q('big'));
    expect(r.flag_tc).toBe(true);
    expect(r.raw.length).toBeLessThanOrEqual(512);
    expect(r.answers!.length).toBe(Math.floor((512 - 21) / 16));
    const e = await ask(w, q('big', 'A', 9, { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as packet.Answer] }));
    expect(e.flag_tc).toBe(false);
    expect(e.answers!.length).toBe(40);
  });

  it('FORMERR for malformed queries with a readable header, and keeps answering', async () => {
    const w = dnsWorld();
    w.names.set('web', [ip('172.18.0.3')]);
    const good = q('web');
    const truncated = good.slice(0, 15);
    const badLabel = Uint8Array.from(good);
    badLabel[12] = 0x45; // label length 69 (> 63 and 0x40 type bits)
    const loop = Uint8Array.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    const twoQuestions = Uint8Array.from(good);
    twoQuestions[5] = 2;
    for (const bad of [truncated, badLabel, loop, twoQuestions]) {
      const resp = await askRaw(w, bad);
      expect(resp).not.toBeNull();
      const d: Decoded = packet.decode(Buffer.from(resp!));
      expect(d.rcode).toBe('FORMERR');
      expect(d.id).toBe((bad[0]! << 8) | bad[1]!);
      expect(d.questions).toEqual([]);
    }
    expect(w.server.stats.formerr).toBe(4);
    // unreadable header → dropped silently
    expect(await askRaw(w, good.slice(0, 5))).toBeNull();
    expect(w.server.stats.dropped).toBe(1);
    const r = await ask(w, q('web'));
    expect(r.answers!.length).toBe(1);
  });

  it('survives random garbage without throwing', async () => {
    const w = dnsWorld();
    let x = 12345;
    for (let i = 0; i < 300; i++) {
      const len = (x = (x * 1103515245 + 12345) >>> 0) % 80;
      const b = new Uint8Array(len);
      for (let j = 0; j < len; j++) b[j] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      expect(() => w.server.handle(b, () => {})).not.toThrow();
    }
  });

  it('with ndots set explicitly, a single-label miss is empty NOERROR, not forwarded', async () => {
    const w = dnsWorld(7, { ndotsSet: true });
    w.upstreams.push(ip('172.18.0.53'));
    const r = await ask(w, q('nothere'));
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([]);
    expect(w.server.stats.forwarded).toBe(0);
  });

  it('NOTIMP for a non-QUERY opcode', async () => {
    const w = dnsWorld();
    const b = Uint8Array.from(q('web'));
    b[2] |= 2 << 3; // opcode STATUS
    const d: Decoded = packet.decode(Buffer.from((await askRaw(w, b))!));
    expect(d.rcode).toBe('NOTIMP');
  });
});
