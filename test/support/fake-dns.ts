/**
 * Test-only: a container namespace (172.18.0.2) running the embedded DNS server on
 * 127.0.0.11:53 with a map-backed backend, plus upstream zone servers on the same LAN.
 */
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Prng } from '../../src/sim/prng.js';
import { Udp } from '../../src/stack/udp.js';
import { EmbeddedDnsServer, type EmbeddedDnsBackend } from '../../src/dns/server.js';
import { createUdpForwarder } from '../../src/dns/exchange.js';
import { ZoneServer, type ZoneData } from '../../src/dns/zone-server.js';
import { parseIp } from '../../src/wire/addr.js';
import { FakeLan, type LanHost } from './fake-lan.js';

export interface DnsWorld {
  clock: VirtualClock;
  lan: FakeLan;
  host: LanHost;
  udp: Udp;
  server: EmbeddedDnsServer;
  names: Map<string, number[]>;
  ptrs: Map<number, string>;
  upstreams: number[];
  zone(addr: string, data: ZoneData): { host: LanHost; zone: ZoneServer; udp: Udp };
}

export function dnsWorld(seed = 7, opts: { ndotsSet?: boolean } = {}): DnsWorld {
  const clock = new VirtualClock();
  const lan = new FakeLan(clock);
  const host = lan.host('172.18.0.2', seed);
  const udp = new Udp(host);
  const names = new Map<string, number[]>();
  const ptrs = new Map<number, string>();
  const upstreams: number[] = [];
  const forward = createUdpForwarder(udp);
  const backend: EmbeddedDnsBackend = {
    resolveName: (n) => {
      const ips = names.get(n);
      return ips ? { ips } : null;
    },
    resolveAddr: (ip) => ptrs.get(ip) ?? null,
    upstreams: () => upstreams,
    forward,
    ndotsSet: () => opts.ndotsSet ?? false,
  };
  const server = new EmbeddedDnsServer(udp, backend, { prng: new Prng(seed) });
  if (server.start() !== 0) throw new Error('bind 127.0.0.11:53 failed');
  return {
    clock, lan, host, udp, server, names, ptrs, upstreams,
    zone(addr, data) {
      const h = lan.host(addr, 99);
      const u = new Udp(h);
      const z = new ZoneServer(u, data, parseIp(addr));
      z.start();
      return { host: h, zone: z, udp: u };
    },
  };
}
