/**
 * A name lookup on the wire: the stub's query really crosses the container's `lo` to
 * 127.0.0.11:53 and the embedded server's answer is a well-formed DNS message (tshark, every
 * checksum verified). Forwarded names leave through eth0 from the container's own address.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Engine, readPcap } from '../../src/index.js';
import { hasTshark } from '../support/tshark.js';


const dir = mkdtempSync(join(tmpdir(), 'vnet-dns-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let engine: Engine;
afterEach(async () => engine?.close());

const CHECKS = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];

function tshark(file: string, ...args: string[]): string {
  return execFileSync('tshark', ['-r', file, ...CHECKS, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/** Packets tshark calls malformed, erroneous, or with a bad checksum: should be none. */
function problems(file: string): string {
  return tshark(file, '-Y', '_ws.malformed || _ws.expert.severity == "Error" || ip.checksum.status == "Bad" || udp.checksum.status == "Bad"');
}

/** One line per DNS message: src, sport, dst, dport, id, qr, name, qtype, rcode, A, TTL, AA, RA, PTR. */
function dnsFields(file: string, filter = 'dns'): string[][] {
  const f = ['ip.src', 'udp.srcport', 'ip.dst', 'udp.dstport', 'dns.id', 'dns.flags.response', 'dns.qry.name', 'dns.qry.type', 'dns.flags.rcode', 'dns.a', 'dns.resp.ttl', 'dns.flags.authoritative', 'dns.flags.recavail', 'dns.ptr.domain_name'];
  const out = tshark(file, '-Y', filter, '-T', 'fields', ...f.flatMap((x) => ['-e', x]));
  // tshark versions print booleans as 1/0 or True/False; normalise to 1/0.
  const norm = (v: string): string => (v === 'True' ? '1' : v === 'False' ? '0' : v);
  return out ? out.split('\n').map((l) => l.split('\t').map(norm)) : [];
}

describe('pcap of an embedded-DNS lookup on the container loopback', { timeout: 30_000 }, () => {
  it('query to 127.0.0.11:53 and a well-formed answer, once each, no malformed packets', async () => {
    const file = join(dir, 'lo.pcap');
    engine = await Engine.create({ seed: 11 });
    await engine.docker('network create my_net');
    await engine.docker('run -dit --name c1 --network my_net busybox');
    await engine.docker('run -dit --name c2 --network my_net busybox');
    const cap = engine.capture('c1:lo', file);
    const r = await engine.docker('exec c1 nslookup c2');
    expect(r.stdout).toContain('Name:\tc2\nAddress: 172.18.0.3\n');
    const ptr = await engine.docker('exec c1 nslookup 172.18.0.3');
    expect(ptr.stdout).toContain('name = c2.my_net');
    cap.close();

    // Our own reader first: 2 queries + 2 answers (A, AAAA) + PTR query + answer; lo shows
    // each frame once (libpcap drops the outgoing copy), Ethernet with zero MACs.
    const { linktype, packets } = readPcap(new Uint8Array(readFileSync(file)));
    expect(linktype).toBe(1);
    expect(packets).toHaveLength(6);
    for (const p of packets) expect([...p.data.subarray(0, 12)].every((b) => b === 0)).toBe(true);
    if (!hasTshark) return;
    expect(problems(file)).toBe('');
    const rows = dnsFields(file);
    expect(rows).toHaveLength(6);
    const [qA, qAAAA, aA, aAAAA, qPtr, aPtr] = rows as string[][];
    // query: 127.0.0.1:<ephemeral> → 127.0.0.11:53, RD set by the stub
    expect(qA!.slice(0, 4)).toEqual(['127.0.0.1', qA![1], '127.0.0.11', '53']);
    expect(Number(qA![1])).toBeGreaterThanOrEqual(32768);
    expect(qA!.slice(5, 9)).toEqual(['0', 'c2', '1', '']);
    expect(qAAAA!.slice(5, 8)).toEqual(['0', 'c2', '28']);
    // answer: back to the same port with the same ID; TTL 600, AA clear, RA set (resolver.go)
    expect(aA!.slice(0, 5)).toEqual(['127.0.0.11', '53', '127.0.0.1', qA![1], qA![4]]);
    expect(aA!.slice(5)).toEqual(['1', 'c2', '1', '0', '172.18.0.3', '600', '0', '1', '']);
    // AAAA for a known name without IPv6: NOERROR, no answer, not forwarded
    expect(aAAAA!.slice(4, 10)).toEqual([qAAAA![4], '1', 'c2', '28', '0', '']);
    expect(qPtr!.slice(6, 8)).toEqual(['3.0.18.172.in-addr.arpa', '12']);
    expect(aPtr!.slice(5)).toEqual(['1', '3.0.18.172.in-addr.arpa', '12', '0', '', '600', '0', '1', 'c2.my_net']);
  });

  it('an external name: forwarded out of eth0 from the container address with the client ID', async () => {
    const lo = join(dir, 'fwd-lo.pcap');
    const eth = join(dir, 'fwd-eth0.pcap');
    engine = await Engine.create({ seed: 12 });
    await engine.docker('network create my_net');
    await engine.docker('run -dit --name c1 --network my_net busybox');
    const c1 = engine.capture('c1:lo', lo);
    const c2 = engine.capture('c1:eth0', eth);
    const r = await engine.docker('exec c1 nslookup example.com');
    expect(r.stdout).toContain('Name:\texample.com\nAddress: 93.184.215.14\n');
    c1.close();
    c2.close();
    if (!hasTshark) return;
    expect(problems(lo)).toBe('');
    expect(problems(eth)).toBe('');
    const inner = dnsFields(lo);
    const outer = dnsFields(eth);
    expect(inner).toHaveLength(4);
    expect(outer).toHaveLength(4);
    const innerQ = inner.filter((x) => x[5] === '0').map((x) => x[4]).sort();
    const outerQ = outer.filter((x) => x[5] === '0');
    expect(outerQ.map((x) => x[4]).sort()).toEqual(innerQ);
    for (const q of outerQ) expect([q[0], q[2], q[3]]).toEqual(['172.18.0.2', '8.8.8.8', '53']);
    const a = inner.find((x) => x[5] === '1' && x[7] === '1')!;
    expect(a.slice(8, 10)).toEqual(['0', '93.184.215.14']);
  });

  it('--internal network: the answer on lo is SERVFAIL', async () => {
    const file = join(dir, 'servfail.pcap');
    engine = await Engine.create({ seed: 13 });
    await engine.docker('network create --internal intnet');
    await engine.docker('run -dit --name c1 --network intnet busybox');
    const cap = engine.capture('c1:lo', file);
    const r = await engine.docker('exec c1 nslookup example.com');
    expect(r.stdout).toContain("** server can't find example.com: SERVFAIL");
    cap.close();
    if (!hasTshark) return;
    expect(problems(file)).toBe('');
    const answers = dnsFields(file, 'dns.flags.response == 1');
    expect(answers.length).toBeGreaterThanOrEqual(2);
    for (const a of answers) expect(a.slice(6, 9)).toEqual(['example.com', a[7], '2']);
  });
});
