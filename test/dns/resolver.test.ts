import { describe, it, expect } from 'vitest';
import { parseIp, ipToString } from '../../src/wire/addr.js';
import { StubResolver, ResolveError, gaiMessage, resolveErrorText } from '../../src/dns/resolver.js';
import { parseResolverConfig } from '../../src/dns/config.js';
import { dnsWorld } from '../support/fake-dns.js';

const ip = parseIp;
const HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n172.18.0.2\tabc123def456\n10.9.9.9\tpinned Pinned.Example\n';

async function fails(p: Promise<unknown>): Promise<ResolveError> {
  try {
    await p;
  } catch (e) {
    return e as ResolveError;
  }
  throw new Error('expected failure');
}

describe('stub resolver', () => {
  it('parses resolv.conf options like glibc', () => {
    const c = parseResolverConfig('nameserver 127.0.0.11\nsearch a.com b.com\noptions ndots:0 timeout:2 attempts:3 edns0\n');
    expect(c).toMatchObject({ nameservers: [ip('127.0.0.11')], search: ['a.com', 'b.com'], ndots: 0, timeout: 2, attempts: 3, edns0: true });
    expect(parseResolverConfig('').nameservers).toEqual([ip('127.0.0.1')]);
    expect(parseResolverConfig('nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\nnameserver 4.4.4.4').nameservers.length).toBe(3);
  });

  it('consults /etc/hosts before DNS, case-insensitively', async () => {
    const w = dnsWorld();
    w.names.set('pinned', [ip('172.18.0.99')]);
    const r = new StubResolver(w.udp, { files: { hosts: HOSTS, resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n' } });
    expect(await w.clock.run(r.lookup('PINNED'))).toEqual({ addresses: [ip('10.9.9.9')], source: 'hosts', name: 'PINNED' });
    expect((await w.clock.run(r.lookup('localhost'))).addresses).toEqual([ip('127.0.0.1')]);
    expect((await w.clock.run(r.lookup('1.2.3.4'))).source).toBe('literal');
    expect(w.server.stats.queries).toBe(0);
  });

  it('resolves container names through 127.0.0.11 with real DNS packets', async () => {
    const w = dnsWorld();
    w.names.set('db', [ip('172.18.0.3')]);
    const r = new StubResolver(w.udp, { files: (p) => (p === '/etc/hosts' ? HOSTS : 'nameserver 127.0.0.11\noptions ndots:0\n') });
    const res = await w.clock.run(r.lookup('db'));
    expect(res.addresses.map(ipToString)).toEqual(['172.18.0.3']);
    expect(res.source).toBe('dns');
    expect(w.server.stats.queries).toBe(1);
  });

  it('unknown name: NXDOMAIN from upstream → ENOTFOUND with glibc/busybox texts', async () => {
    const w = dnsWorld();
    w.zone('172.18.0.53', { a: {} });
    w.upstreams.push(ip('172.18.0.53'));
    const r = new StubResolver(w.udp, { files: { resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n' } });
    const e = await w.clock.run(fails(r.lookup('alpine3')));
    expect(e).toBeInstanceOf(ResolveError);
    expect(e.code).toBe('ENOTFOUND');
    expect(e.failure).toBe('NXDOMAIN');
    expect(gaiMessage(e)).toBe('Name or service not known');
    expect(resolveErrorText('busybox', 'ping', 'alpine3', e)).toBe("ping: bad address 'alpine3'");
    expect(resolveErrorText('glibc', 'ping', 'alpine3', e)).toBe('ping: alpine3: Name or service not known');
  });

  it('ndots/search: short names try search domains first, dotted names as-is first', async () => {
    const w = dnsWorld();
    const z = w.zone('172.18.0.53', { a: { 'svc.corp.example': [ip('10.1.1.1')], 'a.b': [ip('10.2.2.2')], 'a.b.corp.example': [ip('10.3.3.3')] } });
    w.upstreams.push(ip('172.18.0.53'));
    const seen: string[] = [];
    const orig = z.zone.handle.bind(z.zone);
    z.zone.handle = (qb) => {
      const len = qb[12]!;
      let o = 12;
      const labels: string[] = [];
      for (let l = len; l; l = qb[o]!) {
        labels.push(new TextDecoder().decode(qb.subarray(o + 1, o + 1 + l)));
        o += l + 1;
      }
      seen.push(labels.join('.'));
      return orig(qb);
    };
    const conf = 'nameserver 127.0.0.11\nsearch other.example corp.example\noptions ndots:1\n';
    const r = new StubResolver(w.udp, { files: { resolvConf: conf } });
    expect((await w.clock.run(r.lookup('svc'))).addresses).toEqual([ip('10.1.1.1')]);
    expect(seen).toEqual(['svc.other.example', 'svc.corp.example']);
    seen.length = 0;
    const res = await w.clock.run(r.lookup('a.b'));
    expect(res.addresses).toEqual([ip('10.2.2.2')]);
    expect(seen).toEqual(['a.b']);
    seen.length = 0;
    // trailing dot: absolute, no search
    await w.clock.run(fails(r.lookup('nothing.')));
    expect(seen).toEqual(['nothing']);
    seen.length = 0;
    // ndots:0 (Docker's default) → as-is first, then search list
    const r0 = new StubResolver(w.udp, { files: { resolvConf: 'nameserver 127.0.0.11\nsearch corp.example\noptions ndots:0\n' } });
    expect((await w.clock.run(r0.lookup('svc'))).addresses).toEqual([ip('10.1.1.1')]);
    expect(seen).toEqual(['svc', 'svc.corp.example']);
  });

  it('retries: timeout:1 attempts:2 over two dead servers → EAI_AGAIN after 4 s', async () => {
    const w = dnsWorld();
    const a = w.zone('172.18.0.51', { a: {} });
    const b = w.zone('172.18.0.52', { a: {} });
    a.host.down = true;
    b.host.down = true;
    const r = new StubResolver(w.udp, { files: { resolvConf: 'nameserver 172.18.0.51\nnameserver 172.18.0.52\noptions timeout:1 attempts:2\n' } });
    const t0 = w.clock.now();
    const e = await w.clock.run(fails(r.lookup('x.example')));
    // glibc: per try, server i waits (timeout << i) / n → 1 s, 1 s; two rounds → 4 s
    expect(Math.round((w.clock.now() - t0) / 1000)).toBe(4);
    expect(e.code).toBe('EAI_AGAIN');
    expect(gaiMessage(e)).toBe('Temporary failure in name resolution');
    expect(r.stats.queries).toBe(4);
    expect(r.stats.timeouts).toBe(4);
  });

  it('retries reach a server that comes back', async () => {
    const w = dnsWorld();
    const z = w.zone('172.18.0.51', { a: { 'x.example': [ip('9.9.9.9')] } });
    z.host.down = true;
    w.clock.after(4000, () => (z.host.down = false));
    const r = new StubResolver(w.udp, { files: { resolvConf: 'nameserver 172.18.0.51\n' } });
    const t0 = w.clock.now();
    expect((await w.clock.run(r.lookup('x.example'))).addresses).toEqual([ip('9.9.9.9')]);
    expect(Math.round(w.clock.now() - t0)).toBe(5000);
  });

  it('SERVFAIL from the embedded server (no upstream) → EAI_AGAIN', async () => {
    const w = dnsWorld();
    const r = new StubResolver(w.udp, { files: { resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n' } });
    const e = await w.clock.run(fails(r.lookup('google.com')));
    expect(e.failure).toBe('SERVFAIL');
    expect(e.code).toBe('EAI_AGAIN');
  });

  it('a late SERVFAIL to the first try still counts (retries reuse the ID and socket)', async () => {
    const w = dnsWorld();
    for (const a of ['172.18.0.51', '172.18.0.52']) {
      w.zone(a, { a: {} }).host.down = true;
      w.upstreams.push(ip(a));
    }
    // Docker waits 4 s per upstream → SERVFAIL at 8 s; glibc's 2nd try went out at 5 s.
    const r = new StubResolver(w.udp, { files: { resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n' } });
    const t0 = w.clock.now();
    const e = await w.clock.run(fails(r.lookup('example.org')));
    expect(e.code).toBe('EAI_AGAIN');
    expect(Math.round((w.clock.now() - t0) / 1000)).toBe(8);
    expect(r.stats.queries).toBe(2);
  });

  it('musl: one 5 s overall timeout with a resend at 2.5 s; SERVFAIL ignored', async () => {
    const w = dnsWorld();
    w.zone('172.18.0.51', { a: {} }).host.down = true;
    w.upstreams.push(ip('172.18.0.51'));
    const r = new StubResolver(w.udp, { libc: 'musl', files: { resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n' } });
    const t0 = w.clock.now();
    const e = await w.clock.run(fails(r.lookup('example.org')));
    expect(e.code).toBe('EAI_AGAIN');
    expect(Math.round(w.clock.now() - t0)).toBe(5000);
    expect(r.stats.queries).toBe(2);
    w.names.set('web', [ip('172.18.0.3')]);
    expect((await w.clock.run(r.lookup('web'))).addresses).toEqual([ip('172.18.0.3')]);
  });

  it('musl: no search list once dots ≥ ndots; NXDOMAIN walks the list', async () => {
    const w = dnsWorld();
    w.zone('172.18.0.53', { a: { 'svc.corp.example': [ip('10.1.1.1')] } });
    const conf = 'nameserver 172.18.0.53\nsearch corp.example\noptions ndots:1\n';
    const r = new StubResolver(w.udp, { libc: 'musl', files: { resolvConf: conf } });
    expect((await w.clock.run(r.lookup('svc'))).addresses).toEqual([ip('10.1.1.1')]);
    const r0 = new StubResolver(w.udp, { libc: 'musl', files: { resolvConf: conf.replace('ndots:1', 'ndots:0') } });
    expect((await w.clock.run(fails(r0.lookup('svc')))).failure).toBe('NXDOMAIN');
  });

  it('reverse: hosts file first, then PTR from the embedded server', async () => {
    const w = dnsWorld();
    w.ptrs.set(ip('172.18.0.3'), 'alpine2.alpine-net');
    const r = new StubResolver(w.udp, { files: { hosts: HOSTS, resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n' } });
    expect(await w.clock.run(r.reverse(ip('172.18.0.3')))).toBe('alpine2.alpine-net');
    expect(await w.clock.run(r.reverse(ip('172.18.0.2')))).toBe('abc123def456');
    w.upstreams.push(ip('172.18.0.53'));
    w.zone('172.18.0.53', { a: {} });
    expect(await w.clock.run(r.reverse(ip('172.18.0.77')))).toBeNull();
  });
});
