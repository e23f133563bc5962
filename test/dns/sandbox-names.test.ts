import { describe, it, expect } from 'vitest';
import { sandboxResolveName, sandboxResolveAddr, endpointDnsNames, type DnsNetworkView } from '../../src/dns/sandbox-names.js';
import { parseIp } from '../../src/wire/addr.js';

function net(name: string, recs: Record<string, string[]>, ptr: Record<string, string> = {}, links?: Record<string, string>): DnsNetworkView {
  return {
    name,
    lookup: (n) => recs[n]?.map(parseIp),
    reverse: (ip) => Object.entries(ptr).find(([k]) => parseIp(k) === ip)?.[1],
    linkAliases: links ? new Map(Object.entries(links)) : undefined,
  };
}

describe('sandbox name resolution (embedded DNS backend helper)', () => {
  const a = net('front', { web: ['172.18.0.2'], lb: ['172.18.0.5', '172.18.0.6'] }, { '172.18.0.2': 'web' });
  const b = net('back', { web: ['172.19.0.2'], db: ['172.19.0.3'], 'my.dotted': ['172.19.0.9'] }, { '172.19.0.3': 'db' }, { db1: 'db' });
  const bNoLinks = net('back', { db: ['172.19.0.3'] });

  it('first network in endpoint order that knows the name wins', () => {
    expect(sandboxResolveName([a, b], 'web')!.ips).toEqual([parseIp('172.18.0.2')]);
    expect(sandboxResolveName([b, a], 'web')!.ips).toEqual([parseIp('172.19.0.2')]);
    expect(sandboxResolveName([a, b], 'lb')!.ips.length).toBe(2);
    expect(sandboxResolveName([a], 'db')).toBeNull();
  });

  it('name.network and dotted names', () => {
    expect(sandboxResolveName([a, b], 'web.back')!.ips).toEqual([parseIp('172.19.0.2')]);
    expect(sandboxResolveName([a, b], 'my.dotted')!.ips).toEqual([parseIp('172.19.0.9')]);
    expect(sandboxResolveName([a, b], 'web.nosuch')).toBeNull();
  });

  it('link aliases are sandbox-local', () => {
    expect(sandboxResolveName([a, b], 'db1')!.ips).toEqual([parseIp('172.19.0.3')]);
    expect(sandboxResolveName([a, bNoLinks], 'db1')).toBeNull();
  });

  it('PTR → name.network; DNS names order', () => {
    expect(sandboxResolveAddr([a, b], parseIp('172.19.0.3'))).toBe('db.back');
    expect(sandboxResolveAddr([a, b], parseIp('10.0.0.1'))).toBeNull();
    expect(endpointDnsNames('/web', ['www', 'web'], 'a1b2c3d4e5f6', 'a1b2c3d4e5f6')).toEqual(['web', 'www', 'a1b2c3d4e5f6']);
  });
});
