import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import { hasTshark, tsharkProblems } from '../support/tshark.js';

let engine: Engine;
afterEach(async () => engine?.close());
const dir = mkdtempSync(join(tmpdir(), 'vnet-tcp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('published ports: the seeds’ stories', () => {
  it('seed 002: nginx on -p 80:80 answers the host at localhost and at 172.17.0.2:80', async () => {
    engine = await Engine.create();
    expect((await engine.docker('run -d -p 80:80 nginx')).exitCode).toBe(0);
    const viaLocalhost = await engine.host.exec('curl -s localhost:80');
    expect(viaLocalhost.stdout).toContain('<title>Welcome to nginx!</title>');
    const direct = await engine.host.exec('curl -s -o /dev/null -w "%{http_code}" http://172.17.0.2:80/');
    expect(direct.stdout).toBe('200');
    const ps = (await engine.docker('ps')).stdout;
    expect(ps).toContain('"/docker-entrypoint.…"');
    expect(ps).toContain('0.0.0.0:80->80/tcp, [::]:80->80/tcp');
  });

  it('seed 000: the hit counter, published on 5000, counts visits through redis on a user network', async () => {
    engine = await Engine.create();
    await engine.docker('run --rm -d --name=redis redis');
    await engine.docker('run --rm -d -p 5000:5000 --name=a-python-app a-python-app');
    const fail = await engine.host.exec('curl -s localhost:5000');
    expect(fail.stdout).toContain('connecting to redis:6379. Name does not resolve.');
    await engine.docker('stop redis a-python-app');
    await engine.docker('network create my-network');
    await engine.docker('run --rm -d --name=redis --network=my-network redis');
    await engine.docker('run --rm -d -p 5000:5000 --name=a-python-app --network=my-network a-python-app');
    expect((await engine.host.exec('curl -s localhost:5000')).stdout).toBe('Visit count: 1');
    expect((await engine.host.exec('curl -s 192.168.0.10:5000')).stdout).toBe('Visit count: 2');
    expect((await engine.host.exec('telnet 172.18.0.3 5000 </dev/null')).stdout).toContain('Connected to 172.18.0.3');
  });

  it('-P publishes EXPOSEd ports on dynamic host ports; /udp goes through DNAT and the proxy', async () => {
    engine = await Engine.create();
    await engine.docker('run -d -P --name es elasticsearch');
    expect((await engine.docker('port es')).stdout).toBe('9200/tcp -> 0.0.0.0:32768\n9200/tcp -> [::]:32768\n9300/tcp -> 0.0.0.0:32769\n9300/tcp -> [::]:32769\n');
    expect((await engine.host.exec('curl -s localhost:32768')).stdout).toContain('"cluster_name" : "docker-cluster"');
    await engine.docker('run -dit --name u1 -p 5353:53/udp busybox');
    const server = engine.container('u1').spawn('nc -u -l -p 53');
    const sent = await engine.host.exec('echo ping-over-udp | nc -u -w 1 127.0.0.1 5353');
    expect(sent.exitCode).toBe(0);
    server.stdin.end();
    await engine.docker('stop u1');
    expect((await engine.clock.run(server.done)).stdout).toBe('ping-over-udp\n');
    expect((await engine.host.exec('iptables-save -t nat')).stdout).not.toContain('5353');
  });

  it('a capture of connect/transfer/close is clean in tshark, with Linux SYN and SYN/ACK options', async () => {
    engine = await Engine.create();
    await engine.docker('run -d --name web nginx');
    await engine.docker('run -dit --name cl ubuntu');
    const file = join(dir, 'tcp.pcap');
    // Unicast bridged between two containers never passes up to docker0 (as with tcpdump on
    // Linux): capture the client's eth0.
    const cap = engine.capture('cl:eth0', file);
    expect((await engine.docker('exec cl curl -s -o /dev/null -w %{http_code} 172.17.0.2')).stdout).toBe('200');
    await engine.clock.run(engine.clock.sleep(1000));
    cap.close();
    if (!hasTshark) return;
    expect(tsharkProblems(file).bad).toBe('');
    const fields = ['tcp.flags.syn', 'tcp.flags.ack', 'tcp.window_size_value', 'tcp.options.mss_val', 'tcp.options.sack_perm', 'tcp.options.wscale.shift', 'tcp.options.timestamp.tsval'];
    const rows = execFileSync('tshark', ['-r', file, '-Y', 'tcp.flags.syn == 1', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('\t'));
    expect(rows.length).toBe(2);
    const [syn, synack] = rows;
    expect(syn!.slice(0, 6)).toEqual(['1', '0', '64240', '1460', '0402', '7']); // tshark shows SACK_PERM as its bytes
    expect(synack!.slice(0, 6)).toEqual(['1', '1', '65160', '1460', '0402', '7']);
    expect(Number(syn![6])).toBeGreaterThan(0);
    const opts = execFileSync('tshark', ['-r', file, '-Y', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', '-T', 'fields', '-e', 'tcp.options'], { encoding: 'utf8' }).trim().replace(/:/g, '');
    // Linux's SYN option layout: MSS, SACK_PERM, TS, NOP, WS
    expect(opts).toMatch(/^020405b40402080a[0-9a-f]{16}01030307$/);
    const fins = execFileSync('tshark', ['-r', file, '-Y', 'tcp.flags.fin == 1', '-T', 'fields', '-e', 'tcp.srcport'], { encoding: 'utf8' }).trim().split('\n');
    expect(fins.length).toBe(2); // both sides closed
  });
});
