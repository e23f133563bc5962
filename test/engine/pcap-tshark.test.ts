import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, readPcap } from '../../src/index.js';
import { hasTshark, tsharkProblems } from '../support/tshark.js';


const dir = mkdtempSync(join(tmpdir(), 'vnet-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pcap of the seed 002 story', () => {
  it('is a valid pcap that tshark reads with no malformed frame and no checksum error', async () => {
    const file = join(dir, 'docker0.pcap');
    const engine = await Engine.create();
    const cap = engine.capture('docker0', file);
    await engine.docker('run -dit --name container_1 ubuntu');
    await engine.docker('run -dit --name container_2 ubuntu');
    await engine.docker('exec container_1 ping -c 2 172.17.0.3');
    await engine.host.exec('ping -c 1 172.17.0.2');
    await engine.docker('exec container_2 ping -c 1 172.17.0.99');
    cap.close();
    await engine.close();
    const { linktype, packets } = readPcap(new Uint8Array(readFileSync(file)));
    expect(linktype).toBe(1);
    // the host's ping crosses docker0 (request out, reply in), plus ARP both ways
    expect(packets.length).toBeGreaterThanOrEqual(6);
    expect(packets.some((p) => p.data.length === 42 && p.data[12] === 0x08 && p.data[13] === 0x06)).toBe(true);
    if (!hasTshark) return;
    const { total, bad } = tsharkProblems(file);
    expect(total).toBe(packets.length);
    expect(bad).toBe('');
  });

  it('a container-side capture sees ARP then ICMP, and tshark decodes it', async () => {
    const file = join(dir, 'eth0.pcap');
    const engine = await Engine.create();
    await engine.docker('run -dit --name container_1 ubuntu');
    await engine.docker('run -dit --name container_2 ubuntu');
    const cap = engine.capture('container_1:eth0', file);
    await engine.docker('exec container_1 ping -c 2 172.17.0.3');
    cap.close();
    await engine.close();
    if (!hasTshark) return;
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.protocols', '-e', 'ip.ttl', '-e', 'ip.flags.df', '-e', 'icmp.type'], { encoding: 'utf8' }).trim().split('\n');
    expect(out[0]).toMatch(/^eth:ethertype:arp/);
    expect(out[1]).toMatch(/^eth:ethertype:arp/);
    expect(out[2]).toBe('eth:ethertype:ip:icmp:data\t64\t1\t8'); // echo request, DF set
    expect(out[3]).toBe('eth:ethertype:ip:icmp:data\t64\t0\t0'); // echo reply, DF clear
    expect(tsharkProblems(file).bad).toBe('');
  });
});
