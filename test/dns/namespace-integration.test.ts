/**
 * UDP + embedded DNS + stub resolver over real namespaces (src/stack/namespace.ts) joined
 * by a veth pair: loopback delivery to 127.0.0.11, ARP, ICMP port unreachable.
 */
import { describe, it, expect } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Prng } from '../../src/sim/prng.js';
import { Namespace } from '../../src/stack/namespace.js';
import { createVethPair } from '../../src/link/veth.js';
import { Udp } from '../../src/stack/udp.js';
import { ECONNREFUSED } from '../../src/stack/l4.js';
import { EmbeddedDnsServer } from '../../src/dns/server.js';
import { createUdpForwarder } from '../../src/dns/exchange.js';
import { ZoneServer } from '../../src/dns/zone-server.js';
import { StubResolver, ResolveError } from '../../src/dns/resolver.js';
import { parseIp } from '../../src/wire/addr.js';

function world() {
  const clock = new VirtualClock();
  const c1 = new Namespace('c1', clock, new Prng(1));
  const c2 = new Namespace('c2', clock, new Prng(2));
  const [e1, e2] = createVethPair(clock, { name: 'eth0', index: 2, mac: 0x02420a000002 }, { name: 'eth0', index: 2, mac: 0x02420a000003 });
  c1.addDev(e1);
  c2.addDev(e2);
  c1.addAddress(e1, parseIp('172.18.0.2'), 16);
  c2.addAddress(e2, parseIp('172.18.0.3'), 16);
  const u1 = new Udp(c1);
  const u2 = new Udp(c2);
  return { clock, c1, c2, u1, u2 };
}

describe('UDP and DNS over real namespaces', () => {
  it('datagram exchange and ICMP port unreachable → ECONNREFUSED', async () => {
    const { clock, u1, u2 } = world();
    const srv = u2.socket();
    srv.bind(0, 7);
    const cli = u1.socket();
    cli.connect(parseIp('172.18.0.3'), 7);
    cli.send(new TextEncoder().encode('hi'));
    const got = await clock.run(srv.recv());
    expect(new TextDecoder().decode(got!.data)).toBe('hi');
    const dead = u1.socket();
    dead.connect(parseIp('172.18.0.3'), 9);
    const err = new Promise<number>((res) => {
      dead.onError = res;
      dead.onMessage = () => {};
    });
    dead.send(new Uint8Array(1));
    expect(await clock.run(err)).toBe(ECONNREFUSED);
    expect(u2.stats.NoPorts).toBe(1);
  });

  it('embedded DNS on 127.0.0.11 answers locally and forwards to an upstream namespace', async () => {
    const { clock, u1, u2 } = world();
    const zone = new ZoneServer(u2, { a: { 'example.com': [parseIp('93.184.215.14')] } });
    expect(zone.start()).toBe(0);
    const dns = new EmbeddedDnsServer(
      u1,
      {
        resolveName: (n) => (n === 'web' ? { ips: [parseIp('172.18.0.3')] } : null),
        resolveAddr: () => null,
        upstreams: () => [parseIp('172.18.0.3')],
        forward: createUdpForwarder(u1),
      },
      { prng: new Prng(5) },
    );
    expect(dns.start()).toBe(0);
    const r = new StubResolver(u1, { files: { hosts: '127.0.0.1\tlocalhost\n', resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n' } });
    expect((await clock.run(r.lookup('web'))).addresses).toEqual([parseIp('172.18.0.3')]);
    expect((await clock.run(r.lookup('example.com'))).addresses).toEqual([parseIp('93.184.215.14')]);
    const e = await clock.run(r.lookup('nope.example').catch((x: unknown) => x));
    expect((e as ResolveError).code).toBe('ENOTFOUND');
    expect(dns.stats.forwarded).toBe(2);
  });
});
