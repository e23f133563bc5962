/**
 * MASQUERADE to the outside world: a container's ping to 8.8.8.8 leaves the host's eth0 with
 * the host's LAN address as source (checked in pcaps, with tshark when installed), and the
 * reply is translated back and reaches the container.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Engine, readPcap } from '../../src/index.js';
import { ipToString, readU16, readU32 } from '../../src/wire/addr.js';
import { hasTshark } from '../support/tshark.js';


const dir = mkdtempSync(join(tmpdir(), 'vnet-masq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let e: Engine;
afterEach(async () => e?.close());

interface Icmp {
  src: string;
  dst: string;
  type: number;
  id: number;
  seq: number;
  ttl: number;
}

/** The ICMP echo packets of a pcap, decoded with the wire layer's readers. */
function icmpOf(file: string): Icmp[] {
  const { linktype, packets } = readPcap(new Uint8Array(readFileSync(file)));
  expect(linktype).toBe(1);
  const out: Icmp[] = [];
  for (const { data: f } of packets) {
    if (f[12] !== 0x08 || f[13] !== 0x00 || f[14 + 9] !== 1) continue;
    const l4 = 14 + ((f[14]! & 0x0f) << 2);
    out.push({ src: ipToString(readU32(f, 26)), dst: ipToString(readU32(f, 30)), type: f[l4]!, id: readU16(f, l4 + 4), seq: readU16(f, l4 + 6), ttl: f[22]! });
  }
  return out;
}

function tsharkFields(file: string, filter: string): string[] {
  return execFileSync('tshark', ['-r', file, '-o', 'ip.check_checksum:TRUE', '-Y', filter, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'icmp.type', '-e', 'ip.checksum.status', '-e', 'icmp.checksum.status'], { encoding: 'utf8' })
    .trim().split('\n').filter(Boolean);
}

describe('MASQUERADE', () => {
  it('a ping from the default bridge leaves eth0 from 192.168.0.10 and its reply comes back', async () => {
    e = await Engine.create();
    await e.docker('run -dit --name c1 busybox'); // 172.17.0.2
    const outFile = join(dir, 'eth0.pcap');
    const inFile = join(dir, 'docker0.pcap');
    const out = e.capture('eth0', outFile);
    const inside = e.capture('docker0', inFile);
    const masq = e.nf.nat.get('POSTROUTING')!.rules.find((r) => r.spec === '-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE')!;
    const r = await e.docker('exec c1 ping -c 2 -W 1 8.8.8.8');
    out.close();
    inside.close();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^64 bytes from 8\.8\.8\.8: seq=0 ttl=62 time=/m);
    expect(r.stdout).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
    // one connection (same ICMP id): nat POSTROUTING decided it once
    expect(masq.pkts).toBe(1);

    const wan = icmpOf(outFile);
    const req = wan.filter((p) => p.type === 8);
    const rep = wan.filter((p) => p.type === 0);
    expect(req.map((p) => [p.src, p.dst, p.seq])).toEqual([['192.168.0.10', '8.8.8.8', 0], ['192.168.0.10', '8.8.8.8', 1]]);
    expect(rep.map((p) => [p.src, p.dst, p.seq])).toEqual([['8.8.8.8', '192.168.0.10', 0], ['8.8.8.8', '192.168.0.10', 1]]);
    expect(wan.some((p) => p.src.startsWith('172.17.') || p.dst.startsWith('172.17.'))).toBe(false);

    const lan = icmpOf(inFile);
    expect(lan.filter((p) => p.type === 8).map((p) => [p.src, p.dst])).toEqual([['172.17.0.2', '8.8.8.8'], ['172.17.0.2', '8.8.8.8']]);
    expect(lan.filter((p) => p.type === 0).map((p) => [p.src, p.dst])).toEqual([['8.8.8.8', '172.17.0.2'], ['8.8.8.8', '172.17.0.2']]);
    // forwarding decremented the TTL on its own copy: 64 inside, 63 on the wire, and the
    // reply one less on docker0 than on eth0
    expect(req.map((p) => p.ttl)).toEqual([63, 63]);
    expect(lan.filter((p) => p.type === 8).map((p) => p.ttl)).toEqual([64, 64]);
    expect(lan.filter((p) => p.type === 0).map((p) => p.ttl)).toEqual(rep.map((p) => p.ttl - 1));
    // the ICMP id survives translation when it is free (nf_nat keeps the tuple if unique)
    expect(new Set([...wan, ...lan].map((p) => p.id)).size).toBe(1);

    if (!hasTshark) return;
    // tshark agrees, and checks every rewritten checksum as good (status 1)
    expect(tsharkFields(outFile, 'icmp')).toEqual([
      '192.168.0.10\t8.8.8.8\t8\t1\t1', '8.8.8.8\t192.168.0.10\t0\t1\t1',
      '192.168.0.10\t8.8.8.8\t8\t1\t1', '8.8.8.8\t192.168.0.10\t0\t1\t1',
    ]);
    expect(tsharkFields(inFile, 'icmp')).toEqual([
      '172.17.0.2\t8.8.8.8\t8\t1\t1', '8.8.8.8\t172.17.0.2\t0\t1\t1',
      '172.17.0.2\t8.8.8.8\t8\t1\t1', '8.8.8.8\t172.17.0.2\t0\t1\t1',
    ]);
  });

  it('two containers pinging out at once get distinct translated ICMP ids; both replies find home', async () => {
    e = await Engine.create();
    await e.docker('network create n1');
    await e.docker('run -dit --name u1 --network n1 busybox');
    await e.docker('run -dit --name u2 --network n1 ubuntu');
    const f = join(dir, 'two.pcap');
    const cap = e.capture('eth0', f);
    const [a, b] = await Promise.all([e.docker('exec u1 ping -c 1 -W 1 8.8.8.8'), e.docker('exec u2 ping -c 1 -W 1 8.8.8.8')]);
    cap.close();
    expect(a.stdout).toContain('1 packets received');
    expect(b.stdout).toContain('1 packets transmitted, 1 received');
    const req = icmpOf(f).filter((p) => p.type === 8);
    expect(req).toHaveLength(2);
    expect(req.every((p) => p.src === '192.168.0.10')).toBe(true);
    expect(req[0]!.id).not.toBe(req[1]!.id);
    // conntrack shows both connections, each with its reply tuple towards the host address
    const ct = e.nf.conntrackList().filter((l) => l.includes('dst=8.8.8.8'));
    expect(ct).toHaveLength(2);
    for (const l of ct) expect(l).toMatch(/src=172\.18\.0\.[23] dst=8\.8\.8\.8 .*src=8\.8\.8\.8 dst=192\.168\.0\.10 /);
  });

  it('no MASQUERADE between Docker networks and the host: the host sees the container address', async () => {
    e = await Engine.create();
    await e.docker('run -dit --name c1 busybox');
    const f = join(dir, 'lo.pcap');
    const cap = e.capture('docker0', f);
    expect((await e.docker('exec c1 ping -c 1 -W 1 192.168.0.10')).stdout).toContain('1 packets received');
    cap.close();
    expect(icmpOf(f).map((p) => [p.type, p.src, p.dst])).toEqual([[8, '172.17.0.2', '192.168.0.10'], [0, '192.168.0.10', '172.17.0.2']]);
  });

  it('with enable_ip_masquerade=false the packet leaves unmasked and the reply is lost', async () => {
    e = await Engine.create();
    await e.docker('network create -o com.docker.network.bridge.enable_ip_masquerade=false raw');
    await e.docker('run -dit --name r1 --network raw busybox'); // 172.18.0.2
    expect((await e.host.exec('iptables-save -t nat')).stdout).not.toContain('172.18.0.0/16');
    const f = join(dir, 'raw.pcap');
    const cap = e.capture('eth0', f);
    const r = await e.docker('exec r1 ping -c 1 -W 1 8.8.8.8');
    cap.close();
    expect(r.stdout).toContain('0 packets received');
    // the LAN router has no route back to 172.18/16, so only the request is on the wire
    expect(icmpOf(f).map((p) => [p.type, p.src])).toEqual([[8, '172.18.0.2']]);
  });
});
