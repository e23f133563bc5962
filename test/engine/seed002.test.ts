import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';

let engine: Engine;
afterEach(async () => engine?.close());

describe('seed 002: the default bridge', () => {
  it('two ubuntu containers get .2/.3, ping by IP works, by name is a bad address', async () => {
    engine = await Engine.create();
    const r1 = await engine.docker('run -dit --name container_1 ubuntu');
    expect(r1.exitCode).toBe(0);
    expect(r1.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    await engine.docker('run -dit --name container_2 ubuntu');
    const insp = JSON.parse((await engine.docker('network inspect bridge')).stdout);
    const ctrs = Object.values(insp[0].Containers) as { Name: string; MacAddress: string; IPv4Address: string }[];
    expect(ctrs.map((c) => [c.Name, c.IPv4Address, c.MacAddress]).sort()).toEqual([
      ['container_1', '172.17.0.2/16', '02:42:ac:11:00:02'],
      ['container_2', '172.17.0.3/16', '02:42:ac:11:00:03'],
    ]);
    const ping = await engine.docker('exec container_1 ping -c 2 172.17.0.3');
    expect(ping.exitCode).toBe(0);
    const lines = ping.stdout.split('\n');
    expect(lines[0]).toBe('PING 172.17.0.3 (172.17.0.3) 56(84) bytes of data.');
    expect(lines[1]).toMatch(/^64 bytes from 172\.17\.0\.3: icmp_seq=1 ttl=64 time=0\.\d{3} ms$/);
    expect(lines[2]).toMatch(/^64 bytes from 172\.17\.0\.3: icmp_seq=2 ttl=64 time=0\.\d{3} ms$/);
    expect(lines[4]).toBe('--- 172.17.0.3 ping statistics ---');
    expect(lines[5]).toMatch(/^2 packets transmitted, 2 received, 0% packet loss, time 100\dms$/);
    expect(lines[6]).toMatch(/^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/);
    const byName = await engine.docker('exec container_1 ping -c 2 container_2');
    expect(byName.exitCode).toBe(2);
    expect(byName.stderr).toBe('ping: container_2: Name or service not known\n');
  });

  it('busybox ping text and bad address', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name bb1 busybox');
    await engine.docker('run -dit --name bb2 busybox');
    const r = await engine.docker('exec bb1 ping -c 2 172.17.0.3');
    expect(r.stdout).toMatch(/^PING 172\.17\.0\.3 \(172\.17\.0\.3\): 56 data bytes\n64 bytes from 172\.17\.0\.3: seq=0 ttl=64 time=0\.\d{3} ms\n64 bytes from 172\.17\.0\.3: seq=1 ttl=64 time=0\.\d{3} ms\n\n--- 172\.17\.0\.3 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min\/avg\/max = [\d.]+\/[\d.]+\/[\d.]+ ms\n$/);
    const bad = await engine.docker('exec bb1 ping -c 2 bb2');
    expect(bad).toMatchObject({ exitCode: 1, stderr: "ping: bad address 'bb2'\n" });
  });
});
