import { describe, it, expect } from 'vitest';
import { parseIp } from '../../src/wire/addr.js';
import { StubResolver } from '../../src/dns/resolver.js';
import { createDns } from '../../src/node/dns.js';
import { dnsWorld } from '../support/fake-dns.js';

function setup() {
  const w = dnsWorld();
  w.names.set('db', [parseIp('172.18.0.3')]);
  w.ptrs.set(parseIp('172.18.0.3'), 'db.mynet');
  w.zone('172.18.0.53', { a: {} });
  w.upstreams.push(parseIp('172.18.0.53'));
  const r = new StubResolver(w.udp, { files: { hosts: '127.0.0.1\tlocalhost\n', resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n' } });
  return { w, dns: createDns(r) };
}

describe('node:dns facade', () => {
  it('lookup resolves through the embedded DNS (promise and callback forms)', async () => {
    const { w, dns } = setup();
    expect(await w.clock.run(dns.lookup('db'))).toEqual({ address: '172.18.0.3', family: 4 });
    expect(await w.clock.run(dns.lookup('db', { all: true }))).toEqual([{ address: '172.18.0.3', family: 4 }]);
    const cb = new Promise<[unknown, unknown, unknown]>((res) => dns.lookup('localhost', (e, a, f) => res([e, a, f])));
    expect(await w.clock.run(cb)).toEqual([null, '127.0.0.1', 4]);
  });

  it('lookup failure is a Node-shaped getaddrinfo ENOTFOUND error', async () => {
    const { w, dns } = setup();
    const e = (await w.clock.run(dns.lookup('nope').then(() => null, (x: unknown) => x))) as NodeJS.ErrnoException & { hostname: string };
    expect(e.message).toBe('getaddrinfo ENOTFOUND nope');
    expect(e.code).toBe('ENOTFOUND');
    expect(e.errno).toBe(-3008);
    expect(e.syscall).toBe('getaddrinfo');
    expect(e.hostname).toBe('nope');
  });

  it('resolve4 and reverse', async () => {
    const { w, dns } = setup();
    expect(await w.clock.run(dns.resolve4('db'))).toEqual(['172.18.0.3']);
    expect(await w.clock.run(dns.reverse('172.18.0.3'))).toEqual(['db.mynet']);
    const e = (await w.clock.run(dns.resolve4('nope').then(() => null, (x: unknown) => x))) as NodeJS.ErrnoException;
    expect(e.code).toBe('ENOTFOUND');
    expect(e.message).toBe('queryA ENOTFOUND nope');
  });
});
