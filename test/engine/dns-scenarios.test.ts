/**
 * Issue 4 "Done means", end to end through the engine: names on user-defined networks are
 * answered by the embedded DNS server on 127.0.0.11 (a real UDP exchange over the container's
 * lo), the default bridge has no name service, and the files Docker writes
 * (/etc/resolv.conf, /etc/hosts) match reference/docker.md §3.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import type { EmbeddedDnsServer } from '../../src/dns/server.js';
import type { DgramModule } from '../../src/node/dgram.js';
import { TYPE_A, buildQuery } from '../../src/dns/message.js';

let engine: Engine;
afterEach(async () => engine?.close());

async function sh(line: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return engine.docker(line);
}

async function ok(line: string): Promise<string> {
  const r = await engine.docker(line);
  expect(r.stderr, line).toBe('');
  expect(r.exitCode, line).toBe(0);
  return r.stdout;
}

function dnsStats(name: string): EmbeddedDnsServer['stats'] {
  return engine.container(name).service<EmbeddedDnsServer>('embeddedDns').stats;
}

const HEAD = 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n';
/** busybox nslookup for a name with one A record and no AAAA (Docker answers AAAA with empty NOERROR). */
const oneA = (name: string, ip: string, server = HEAD): string =>
  `${server}Non-authoritative answer:\nName:\t${name}\nAddress: ${ip}\n\nNon-authoritative answer:\n*** Can't find ${name}: No answer\n\n`;
// busybox nslookup exits 0 whatever the rcode (nslookup.c returns EXIT_SUCCESS once any server answered).
const nxdomain = (name: string): string => `${HEAD}** server can't find ${name}: NXDOMAIN\n\n** server can't find ${name}: NXDOMAIN\n\n`;

/** The A addresses of a busybox nslookup answer, in the order printed. */
function addresses(out: string): string[] {
  return [...out.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]!);
}

describe('seeds 000/004: names on a user-defined network', () => {
  it('debian pings jupyter by name on my_net; iputils shows the PTR name.network', async () => {
    engine = await Engine.create({ seed: 4 });
    await ok('network create my_net');
    await ok('run -dit --name jupyter --network=my_net busybox');
    await ok('run -dit --name debian --network my_net debian');
    const r = await sh('exec debian ping -w 4 jupyter');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('PING jupyter (172.18.0.2) 56(84) bytes of data.');
    expect(lines[1]).toMatch(/^64 bytes from jupyter\.my_net \(172\.18\.0\.2\): icmp_seq=1 ttl=64 time=0\.\d{3} ms$/);
    expect(lines[2]).toMatch(/^64 bytes from jupyter\.my_net \(172\.18\.0\.2\): icmp_seq=2 ttl=64 /);
    expect(r.stdout).toContain('\n--- jupyter ping statistics ---\n');
    expect(r.stdout).toMatch(/\n\d+ packets transmitted, \d+ received, 0% packet loss, time \d+ms\n/);
    // Its own name: the reverse lookup is answered by /etc/hosts first (nsswitch "files dns"),
    // where Docker wrote `<ip>\t<hostname>` with the short ID as hostname.
    const self = await sh('exec debian ping -w 4 debian');
    expect(self.exitCode).toBe(0);
    const sid = engine.container('debian').id.slice(0, 12);
    expect(self.stdout.split('\n')[0]).toBe('PING debian (172.18.0.3) 56(84) bytes of data.');
    expect(self.stdout.split('\n')[1]).toMatch(new RegExp(`^64 bytes from ${sid} \\(172\\.18\\.0\\.3\\): icmp_seq=1 ttl=64 `));
    // The lookups went through the embedded server, not through a side channel.
    expect(dnsStats('debian').answeredLocal).toBeGreaterThanOrEqual(2);
  });

  it('busybox ping by name on my_net: header with the address, numeric replies', async () => {
    engine = await Engine.create({ seed: 4 });
    await ok('network create my_net');
    await ok('run -dit --name jupyter --network=my_net busybox');
    await ok('run -dit --name bb --network my_net busybox');
    const r = await sh('exec bb ping -c 2 jupyter');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^PING jupyter \(172\.18\.0\.2\): 56 data bytes\n64 bytes from 172\.18\.0\.2: seq=0 ttl=64 time=\d+\.\d{3} ms\n/);
  });

  it('on the default bridge the same names do not resolve (glibc, busybox, musl texts)', async () => {
    engine = await Engine.create({ seed: 4 });
    await ok('run -dit --name jupyter busybox');
    await ok('run -dit --name debian debian');
    await ok('run -dit --name alpine1 alpine');
    expect(await sh('exec debian ping -w 4 jupyter')).toEqual({ exitCode: 2, stdout: '', stderr: 'ping: jupyter: Name or service not known\n' });
    expect(await sh('exec jupyter ping -c 1 debian')).toEqual({ exitCode: 1, stdout: '', stderr: "ping: bad address 'debian'\n" });
    expect(await sh('exec alpine1 ping -c 1 jupyter')).toEqual({ exitCode: 1, stdout: '', stderr: "ping: bad address 'jupyter'\n" });
    // No embedded server is running there at all.
    expect(engine.container('debian').c.services['embeddedDns']).toBeUndefined();
  });
});

describe('seed 001: es on foodtrucks-net', () => {
  it('a container on foodtrucks-net resolves es; one on the default bridge does not', async () => {
    engine = await Engine.create({ seed: 1 });
    await ok('network create foodtrucks-net');
    // The elasticsearch server program comes with TCP; the command is overridden so the
    // container stays up with the seed's flags.
    await ok('run -d --name es --net foodtrucks-net -p 9200:9200 -p 9300:9300 -e "discovery.type=single-node" docker.elastic.co/elasticsearch/elasticsearch:6.3.2 sleep 100000');
    expect(await ok('run --rm --net foodtrucks-net busybox nslookup es')).toBe(oneA('es', '172.18.0.2'));
    const p = await sh('run --rm --net foodtrucks-net ubuntu ping -c 1 es');
    expect(p.exitCode).toBe(0);
    expect(p.stdout).toMatch(/^PING es \(172\.18\.0\.2\) 56\(84\) bytes of data\.\n64 bytes from es\.foodtrucks-net \(172\.18\.0\.2\): icmp_seq=1 ttl=64 /);
    await ok('run -dit --name onbridge ubuntu');
    expect(await sh('exec onbridge ping -c 1 es')).toEqual({ exitCode: 2, stdout: '', stderr: 'ping: es: Name or service not known\n' });
  });
});

describe('aliases, IDs, dotted names, case', () => {
  async function webFarm(seed: number): Promise<void> {
    engine = await Engine.create({ seed });
    await ok('network create my_net');
    for (const n of ['w1', 'w2', 'w3']) await ok(`run -dit --name ${n} --network my_net --network-alias web busybox`);
    await ok('run -dit --name cl --network my_net busybox');
  }

  async function orders(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(addresses(await ok('exec cl nslookup web')).join(','));
    return out;
  }

  it('a shared --network-alias answers every IP, shuffled per query, deterministically per seed', async () => {
    await webFarm(7);
    const a = await orders(10);
    for (const o of a) expect(o.split(',').sort()).toEqual(['172.18.0.2', '172.18.0.3', '172.18.0.4']);
    expect(new Set(a).size).toBeGreaterThan(1);
    await engine.close();
    await webFarm(7);
    expect(await orders(10)).toEqual(a);
  });

  it('the alias answer is one A response with all three records (dns.resolve4 through the stub)', async () => {
    await webFarm(3);
    const dns = engine.container('cl').service<{ promises: { resolve4(h: string): Promise<string[]> } }>('dns');
    const ips = await engine.clock.run(dns.promises.resolve4('web'));
    expect([...ips].sort()).toEqual(['172.18.0.2', '172.18.0.3', '172.18.0.4']);
  });

  it('PTR of a container IP is name.network; iputils ping to the alias shows it', async () => {
    await webFarm(3);
    expect(await ok('exec cl nslookup 172.18.0.2')).toBe(`${HEAD}Non-authoritative answer:\n2.0.18.172.in-addr.arpa\tname = w1.my_net\n\n`);
    await ok('run -dit --name deb --network my_net debian');
    const r = await sh('exec deb ping -c 1 w2');
    expect(r.stdout).toMatch(/^PING w2 \(172\.18\.0\.3\) 56\(84\) bytes of data\.\n64 bytes from w2\.my_net \(172\.18\.0\.3\): icmp_seq=1 /);
    // An address no container holds is forwarded upstream, which does not know it.
    expect(await sh('exec cl nslookup 172.18.0.99')).toMatchObject({ exitCode: 0, stdout: `${HEAD}** server can't find 99.0.18.172.in-addr.arpa: NXDOMAIN\n\n` });
  });

  it('short ID, name.network and any letter case resolve; name.othernet does not', async () => {
    await webFarm(3);
    const sid = engine.container('w1').id.slice(0, 12);
    expect(sid).toMatch(/^[0-9a-f]{12}$/);
    expect(await ok(`exec cl nslookup ${sid}`)).toBe(oneA(sid, '172.18.0.2'));
    expect(await ok('exec cl nslookup w1.my_net')).toBe(oneA('w1.my_net', '172.18.0.2'));
    expect(await ok('exec cl nslookup W1')).toBe(oneA('W1', '172.18.0.2'));
    expect(await ok('exec cl nslookup WEB.My_Net')).toContain('Name:\tWEB.My_Net\nAddress: 172.18.0.');
    await ok('network create other');
    expect((await sh('exec cl nslookup w1.other')).stdout).toBe(nxdomain('w1.other'));
  });

  it('a container on another network is unknown (forwarded upstream → NXDOMAIN)', async () => {
    await webFarm(3);
    await ok('network create other');
    await ok('run -dit --name far --network other busybox');
    const before = dnsStats('cl').forwarded;
    expect(await sh('exec cl nslookup far')).toEqual({ exitCode: 0, stdout: nxdomain('far'), stderr: '' });
    expect(dnsStats('cl').forwarded).toBeGreaterThan(before);
    expect(await sh('exec cl ping -c 1 far')).toEqual({ exitCode: 1, stdout: '', stderr: "ping: bad address 'far'\n" });
    // ...until it joins ours.
    await ok('network connect my_net far');
    expect(addresses(await ok('exec cl nslookup far'))).toEqual(['172.18.0.6']);
  });
});

describe('large answers', () => {
  it('35 containers behind one alias: 30 records and TC at 512 bytes, all 35 with EDNS0', async () => {
    engine = await Engine.create({ seed: 8 });
    await ok('network create my_net');
    await ok('run -dit --name cl --network my_net busybox');
    for (let i = 0; i < 35; i++) await ok(`run -dit --name big${i} --network my_net --network-alias big busybox`);
    const out = await ok('exec cl nslookup big');
    expect(addresses(out)).toHaveLength(30); // (512 - 21) / 16: busybox prints what fits, ignores TC
    const dgram = engine.container('cl').service<DgramModule>('dgram');
    const ask = async (edns: number): Promise<Buffer> => {
      const s = dgram.createSocket('udp4');
      const got = new Promise<Buffer>((r) => s.once('message', (m: Buffer) => r(Buffer.from(m))));
      s.send(buildQuery(77, 'big', TYPE_A, edns), 53, '127.0.0.11');
      const m = await engine.clock.run(got);
      s.close();
      return m;
    };
    const plain = await ask(0);
    expect(plain.length).toBeLessThanOrEqual(512);
    expect(plain[2]! & 0x02).toBe(0x02); // TC
    expect(plain.readUInt16BE(6)).toBe(30);
    const big = await ask(4096);
    expect(big[2]! & 0x02).toBe(0);
    expect(big.readUInt16BE(6)).toBe(35);
    expect(dnsStats('cl').truncated).toBe(2); // nslookup's A query and our plain one
  });
});

describe('names outside: forwarding, NXDOMAIN, SERVFAIL', () => {
  it('example.com resolves through the host resolvers (forwarded by 127.0.0.11)', async () => {
    engine = await Engine.create({ seed: 2 });
    await ok('network create my_net');
    await ok('run -dit --name c1 --network my_net busybox');
    expect(await ok('exec c1 nslookup example.com')).toBe(oneA('example.com', '93.184.215.14'));
    expect(dnsStats('c1').forwarded).toBe(2); // A and AAAA
    await ok('run -dit --name d1 --network my_net debian');
    const p = await sh('exec d1 ping -c 1 example.com');
    expect(p.stdout).toMatch(/^PING example\.com \(93\.184\.215\.14\) 56\(84\) bytes of data\.\n64 bytes from example\.com \(93\.184\.215\.14\): icmp_seq=1 ttl=62 /);
    // On the default bridge the stub talks to the host's servers directly.
    await ok('run -dit --name b1 busybox');
    expect(await ok('exec b1 nslookup example.com')).toBe(oneA('example.com', '93.184.215.14', 'Server:\t\t8.8.8.8\nAddress:\t8.8.8.8:53\n\n'));
  });

  it('NXDOMAIN from upstream is passed through', async () => {
    engine = await Engine.create({ seed: 2 });
    await ok('network create my_net');
    await ok('run -dit --name c1 --network my_net busybox');
    await ok('run -dit --name d1 --network my_net debian');
    expect(await sh('exec c1 nslookup nope.invalid')).toEqual({ exitCode: 0, stdout: nxdomain('nope.invalid'), stderr: '' });
    expect(await sh('exec d1 ping -c 1 nope.invalid')).toEqual({ exitCode: 2, stdout: '', stderr: 'ping: nope.invalid: Name or service not known\n' });
    expect(dnsStats('c1').servfail).toBe(0);
  });

  it('on an --internal network the server cannot forward: SERVFAIL; local names still work', async () => {
    engine = await Engine.create({ seed: 2 });
    await ok('network create --internal intnet');
    await ok('run -dit --name i1 --network intnet busybox');
    await ok('run -dit --name i2 --network intnet debian');
    await ok('run -dit --name i3 --network intnet alpine');
    const r = await sh('exec i1 nslookup example.com');
    expect(r).toEqual({ exitCode: 0, stdout: `${HEAD}** server can't find example.com: SERVFAIL\n\n** server can't find example.com: SERVFAIL\n\n`, stderr: '' });
    expect(dnsStats('i1').servfail).toBeGreaterThan(0);
    expect(dnsStats('i1').upstreamFailures).toBeGreaterThan(0);
    expect(await sh('exec i2 ping -c 1 example.com')).toEqual({ exitCode: 2, stdout: '', stderr: 'ping: example.com: Temporary failure in name resolution\n' });
    expect(await sh('exec i3 ping -c 1 example.com')).toEqual({ exitCode: 1, stdout: '', stderr: "ping: bad address 'example.com'\n" });
    expect(await ok('exec i1 nslookup i2')).toBe(oneA('i2', '172.18.0.3'));
  });
});

describe('the node:dns facade in a container sees the same answers, with Node error shapes', () => {
  interface Facade {
    promises: { lookup(h: string): Promise<{ address: string; family: number }>; resolve4(h: string): Promise<string[]> };
  }
  async function fails(p: Promise<unknown>): Promise<{ code?: string; syscall?: string; hostname?: string; message: string }> {
    try {
      await engine.clock.run(p);
    } catch (e) {
      return e as { code?: string; message: string };
    }
    throw new Error('expected a failure');
  }

  it('names, NXDOMAIN → ENOTFOUND, SERVFAIL → EAI_AGAIN / ESERVFAIL', async () => {
    engine = await Engine.create({ seed: 9 });
    await ok('network create my_net');
    await ok('network create --internal intnet');
    await ok('run -dit --name u1 --network my_net debian');
    await ok('run -dit --name u2 --network my_net debian');
    await ok('run -dit --name i1 --network intnet busybox');
    const u1 = engine.container('u1').service<Facade>('dns');
    const i1 = engine.container('i1').service<Facade>('dns');
    expect(await engine.clock.run(u1.promises.lookup('u2'))).toEqual({ address: '172.18.0.3', family: 4 });
    expect(await engine.clock.run(u1.promises.resolve4('U2'))).toEqual(['172.18.0.3']);
    expect(await engine.clock.run(u1.promises.lookup('example.com'))).toEqual({ address: '93.184.215.14', family: 4 });
    expect(await fails(u1.promises.lookup('nope.invalid'))).toMatchObject({ code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'nope.invalid', message: 'getaddrinfo ENOTFOUND nope.invalid' });
    expect(await fails(u1.promises.resolve4('nope.invalid'))).toMatchObject({ code: 'ENOTFOUND', syscall: 'queryA', message: 'queryA ENOTFOUND nope.invalid' });
    expect(await fails(i1.promises.lookup('example.com'))).toMatchObject({ code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN example.com' });
    expect(await fails(i1.promises.resolve4('example.com'))).toMatchObject({ code: 'ESERVFAIL', message: 'queryA ESERVFAIL example.com' });
  });
});

describe('/etc/resolv.conf and /etc/hosts', () => {
  const HEADER = '# Generated by Docker Engine.\n# This file can be edited; Docker Engine will not make further changes once it\n# has been modified.\n\n';
  const HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

  it('user network: nameserver 127.0.0.11, ndots:0, host servers as ExtServers', async () => {
    engine = await Engine.create({ seed: 5 });
    await ok('network create my_net');
    await ok('run -dit --name c1 --network my_net busybox');
    expect(await ok('exec c1 cat /etc/resolv.conf')).toBe(
      HEADER +
        'nameserver 127.0.0.11\noptions ndots:0\n\n' +
        "# Based on host file: '/etc/resolv.conf' (internal resolver)\n# ExtServers: [8.8.8.8 1.1.1.1]\n# Overrides: []\n# Option ndots from: internal\n",
    );
    expect(engine.container('c1').c.files.read('/etc/resolv.conf')).toBe(await ok('exec c1 cat /etc/resolv.conf'));
    const sid = engine.container('c1').id.slice(0, 12);
    expect(await ok('exec c1 cat /etc/hosts')).toBe(`${HOSTS}172.18.0.2\t${sid}\n`);
  });

  it('default bridge: the host servers copied, no embedded server', async () => {
    engine = await Engine.create({ seed: 5 });
    await ok('run -dit --name b1 busybox');
    expect(await ok('exec b1 cat /etc/resolv.conf')).toBe(HEADER + "nameserver 8.8.8.8\nnameserver 1.1.1.1\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n");
  });

  it('--add-host, --dns, --dns-search on a user network', async () => {
    engine = await Engine.create({ seed: 5 });
    await ok('network create my_net');
    await ok('run -dit --name o1 --network my_net --add-host foo:10.1.2.3 --add-host host.docker.internal:host-gateway --dns 1.1.1.1 --dns-search example.com busybox');
    await ok('run -dit --name d1 --network my_net --dns-search example.com debian');
    expect(await ok('exec o1 cat /etc/resolv.conf')).toBe(
      HEADER +
        'nameserver 127.0.0.11\nsearch example.com\noptions ndots:0\n\n' +
        "# Based on host file: '/etc/resolv.conf' (internal resolver)\n# ExtServers: [1.1.1.1]\n# Overrides: [nameservers search]\n# Option ndots from: internal\n",
    );
    const sid = engine.container('o1').id.slice(0, 12);
    expect(await ok('exec o1 cat /etc/hosts')).toBe(`${HOSTS}10.1.2.3\tfoo\n172.17.0.1\thost.docker.internal\n172.18.0.2\t${sid}\n`);
    // /etc/hosts wins before DNS: the stub never asks 127.0.0.11 for foo.
    const q = dnsStats('o1').queries;
    expect((await sh('exec o1 ping -c 1 -W 1 foo')).stdout).toMatch(/^PING foo \(10\.1\.2\.3\): 56 data bytes\n/);
    expect(dnsStats('o1').queries).toBe(q);
    // The embedded server forwards to the --dns server only.
    expect(await ok('exec o1 nslookup example.com')).toBe(oneA('example.com', '93.184.215.14'));
    // glibc walks the search list: www → NXDOMAIN, then www.example.com.
    const p = await sh('exec d1 ping -c 1 www');
    expect(p.stdout).toMatch(/^PING www \(93\.184\.215\.14\) 56\(84\) bytes of data\.\n/);
  });

  it('the reference golden files: host with nameserver 10.0.0.2 and search example.com (§3.2)', async () => {
    engine = await Engine.create({ seed: 5 });
    engine.host.c.files.write('/etc/resolv.conf', 'nameserver 10.0.0.2\nsearch example.com\n');
    await ok('network create my_net');
    await ok('run -dit --name u1 --network my_net busybox');
    await ok('run -dit --name b1 busybox');
    expect(await ok('exec u1 cat /etc/resolv.conf')).toBe(
      HEADER +
        'nameserver 127.0.0.11\nsearch example.com\noptions ndots:0\n\n' +
        "# Based on host file: '/etc/resolv.conf' (internal resolver)\n# ExtServers: [10.0.0.2]\n# Overrides: []\n# Option ndots from: internal\n",
    );
    expect(await ok('exec b1 cat /etc/resolv.conf')).toBe(HEADER + "nameserver 10.0.0.2\nsearch example.com\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n");
    // 10.0.0.2 answers nobody: the server gives up after 4 s (SERVFAIL), busybox resends on
    // SERVFAIL and stops at its 5 s deadline having printed only the server banner.
    const t0 = engine.clock.now();
    expect(await sh('exec u1 nslookup example.com')).toEqual({ exitCode: 1, stdout: `${HEAD};; connection timed out; no servers could be reached\n\n`, stderr: '' });
    expect(engine.clock.now() - t0).toBeGreaterThanOrEqual(5000);
    expect(dnsStats('u1').servfail).toBeGreaterThanOrEqual(2);
  });

  it('--dns-opt ndots:2: a single-label miss is an empty NOERROR, not forwarded', async () => {
    engine = await Engine.create({ seed: 5 });
    await ok('network create my_net');
    await ok('run -dit --name o1 --network my_net --dns-opt ndots:2 busybox');
    expect(await ok('exec o1 cat /etc/resolv.conf')).toContain('\nnameserver 127.0.0.11\noptions ndots:2\n');
    const fwd = dnsStats('o1').forwarded;
    expect(await ok('exec o1 nslookup far')).toBe(`${HEAD}Non-authoritative answer:\n*** Can't find far: No answer\n\nNon-authoritative answer:\n*** Can't find far: No answer\n\n`);
    expect(dnsStats('o1').forwarded).toBe(fwd);
    // dotted names are still forwarded
    expect(await ok('exec o1 nslookup example.com')).toBe(oneA('example.com', '93.184.215.14'));
    expect(dnsStats('o1').forwarded).toBe(fwd + 2);
  });

  it('--dns on the default bridge replaces the host servers', async () => {
    engine = await Engine.create({ seed: 5 });
    await ok('run -dit --name b1 --dns 1.1.1.1 --dns-search example.com busybox');
    expect(await ok('exec b1 cat /etc/resolv.conf')).toBe(
      HEADER + "nameserver 1.1.1.1\nsearch example.com\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: [nameservers search]\n",
    );
    expect(await ok('exec b1 nslookup example.com')).toBe(oneA('example.com', '93.184.215.14', 'Server:\t\t1.1.1.1\nAddress:\t1.1.1.1:53\n\n'));
  });
});

describe('--link', () => {
  it('seed 003: on the default bridge --link server writes /etc/hosts and the name works', async () => {
    engine = await Engine.create({ seed: 3 });
    await ok('run -dit --name server ubuntu');
    await ok('run -dit --link server --name client ubuntu');
    const ssid = engine.container('server').id.slice(0, 12);
    const csid = engine.container('client').id.slice(0, 12);
    expect(await ok('exec client cat /etc/hosts')).toMatch(new RegExp(`\n172\\.17\\.0\\.2\\tserver ${ssid}\n172\\.17\\.0\\.3\\t${csid}\n$`));
    const p = await sh('exec client ping -c 1 server');
    expect(p.exitCode).toBe(0);
    expect(p.stdout).toMatch(/^PING server \(172\.17\.0\.2\) 56\(84\) bytes of data\.\n64 bytes from server \(172\.17\.0\.2\): icmp_seq=1 ttl=64 /);
    // The link is one-way: server knows nothing of client.
    expect(await sh('exec server ping -c 1 client')).toMatchObject({ exitCode: 2, stderr: 'ping: client: Name or service not known\n' });
  });

  it('--link target:alias on the default bridge: alias, hostname, name', async () => {
    engine = await Engine.create({ seed: 3 });
    await ok('run -dit --name db busybox');
    await ok('run -dit --link db:webdb --name web busybox');
    const sid = engine.container('db').id.slice(0, 12);
    expect(await ok('exec web cat /etc/hosts')).toContain(`\n172.17.0.2\twebdb ${sid} db\n`);
    expect((await sh('exec web ping -c 1 webdb')).stdout).toMatch(/^PING webdb \(172\.17\.0\.2\)/);
  });

  it('on a user network --link is a private alias of the linking container only', async () => {
    engine = await Engine.create({ seed: 3 });
    await ok('network create example');
    await ok('run -dit --name server --net example busybox');
    await ok('run -dit --name client --link server:db --net example busybox');
    await ok('run -dit --name other --net example busybox');
    expect(await ok('exec client nslookup db')).toBe(oneA('db', '172.18.0.2'));
    expect((await sh('exec other nslookup db')).stdout).toBe(nxdomain('db'));
    expect(await ok('exec client cat /etc/hosts')).not.toMatch(/\bdb\b|\bserver\b/);
    expect((await sh('exec client ping -c 1 db')).stdout).toMatch(/^PING db \(172\.18\.0\.2\)/);
    // Both still reach it by its own name.
    expect(await ok('exec other nslookup server')).toBe(oneA('server', '172.18.0.2'));
  });
});

describe('records follow the container lifecycle', () => {
  it('stop/start, network connect --alias, disconnect and rm update what 127.0.0.11 answers', async () => {
    engine = await Engine.create({ seed: 6 });
    await ok('network create my_net');
    await ok('network create net2');
    for (const n of ['w1', 'w2']) await ok(`run -dit --name ${n} --network my_net --network-alias web busybox`);
    await ok('run -dit --name cl --network my_net --hostname myhost alpine');
    // musl (alpine) resolves through the same server; the --hostname is registered too.
    expect((await sh('exec cl ping -c 1 w1')).stdout).toMatch(/^PING w1 \(172\.18\.0\.2\): 56 data bytes\n64 bytes from 172\.18\.0\.2: /);
    expect(await ok('exec w1 nslookup myhost')).toBe(oneA('myhost', '172.18.0.4'));
    await ok('stop w2');
    expect(addresses(await ok('exec cl nslookup web'))).toEqual(['172.18.0.2']);
    await ok('start w2');
    expect(addresses(await ok('exec cl nslookup web')).sort()).toEqual(['172.18.0.2', '172.18.0.3']);
    await ok('network connect --alias db2 net2 w1');
    await ok('run -dit --name n2c --network net2 busybox');
    expect(await ok('exec n2c nslookup db2')).toBe(oneA('db2', '172.19.0.2'));
    expect(await ok('exec n2c nslookup w1')).toBe(oneA('w1', '172.19.0.2'));
    expect(await ok('exec n2c nslookup 172.19.0.2')).toBe(`${HEAD}Non-authoritative answer:\n2.0.19.172.in-addr.arpa\tname = w1.net2\n\n`);
    // The alias "web" belongs to w1's my_net endpoint only.
    expect(await ok('exec n2c nslookup web')).toBe(nxdomain('web'));
    await ok('network disconnect my_net w1');
    expect(await ok('exec cl nslookup w1')).toBe(nxdomain('w1'));
    expect(addresses(await ok('exec cl nslookup web'))).toEqual(['172.18.0.3']);
    await ok('rm -f w2');
    expect(await ok('exec cl nslookup web')).toBe(nxdomain('web'));
  });
});
