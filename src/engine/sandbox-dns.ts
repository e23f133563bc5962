import { EmbeddedDnsServer, type EmbeddedDnsBackend } from '../dns/server.js';
import { createUdpForwarder } from '../dns/exchange.js';
import { generateHosts, generateResolvConf, type LinkEntry } from '../dns/files.js';
import { sandboxResolveAddr, sandboxResolveName, type DnsNetworkView } from '../dns/sandbox-names.js';
import type { Udp } from '../stack/udp.js';
import type { Tcp } from '../stack/tcp/tcp.js';
import { serveDnsOverTcp } from '../dns/tcp-server.js';
import { EMBEDDED_DNS_IP } from '../dns/server.js';
import { parseIp } from '../wire/addr.js';
import type { Container } from './container.js';
import type { Network } from './network.js';

/** Names of a user-defined network, as its embedded DNS records (reference §3.3). */
function networkView(n: Network, c: Container): DnsNetworkView {
  const linkAliases = new Map<string, string>();
  const req = c.networkRequests.find((r) => r.network === n.name || r.network === n.id);
  // --link on a user network is a sandbox-local alias (reference §3.3).
  for (const l of [...(req?.links ?? []), ...((c as { links?: string[] }).links ?? [])]) {
    const [target, alias] = l.split(':');
    linkAliases.set((alias ?? target!).toLowerCase(), target!);
  }
  return {
    name: n.name,
    lookup(q) {
      const ips: number[] = [];
      for (const ep of n.endpoints.values()) if (ep.dnsNames().some((x) => x.toLowerCase() === q)) ips.push(ep.ip);
      return ips.length ? ips : undefined;
    },
    reverse(ip) {
      for (const ep of n.endpoints.values()) if (ep.ip === ip) return ep.container.name;
      return undefined;
    },
    linkAliases,
  };
}

function views(c: Container): DnsNetworkView[] {
  return [...c.endpoints.values()].filter((ep) => ep.network.userDefined).map((ep) => networkView(ep.network, c));
}

export function usesEmbeddedDns(c: Container): boolean {
  return [...c.endpoints.values()].some((ep) => ep.network.userDefined);
}

/** Write /etc/resolv.conf and /etc/hosts as Docker 27 does; returns the embedded DNS upstreams. */
export function writeDnsFiles(c: Container, hostResolv: string, links: LinkEntry[], extraHosts: { host: string; ip: string }[]): { upstreams: number[]; ndotsSet: boolean } {
  const mode = c.hostMode ? 'host' : usesEmbeddedDns(c) ? 'internal' : 'legacy';
  const r = generateResolvConf({ mode, host: hostResolv, dns: c.dns, dnsSearch: c.dnsSearch, dnsOptions: c.dnsOptions });
  c.files.write('/etc/resolv.conf', r.content);
  if (!c.hostMode) {
    c.files.write('/etc/hosts', generateHosts({ ips: [...c.endpoints.values()].map((ep) => ep.ipString), hostname: c.hostname, extraHosts, links }));
  }
  return { upstreams: r.extServers.map((s) => parseIp(s.addr)).filter((x) => x >= 0), ndotsSet: r.ndotsSet };
}

/** Start (or keep) the container's embedded DNS server on 127.0.0.11:53. */
export function startEmbeddedDns(c: Container, cfg: { upstreams: number[]; ndotsSet: boolean }): void {
  const udp = c.services['udp'] as Udp;
  const existing = c.services['embeddedDns'] as EmbeddedDnsServer | undefined;
  (c.services as { dnsCfg?: typeof cfg }).dnsCfg = cfg;
  if (existing) return;
  const forward = createUdpForwarder(udp);
  const backend: EmbeddedDnsBackend = {
    resolveName: (name) => sandboxResolveName(views(c), name),
    resolveAddr: (ip) => sandboxResolveAddr(views(c), ip),
    upstreams: () => ((c.services as { dnsCfg?: typeof cfg }).dnsCfg ?? cfg).upstreams,
    forward,
    ndotsSet: () => ((c.services as { dnsCfg?: typeof cfg }).dnsCfg ?? cfg).ndotsSet,
  };
  const server = new EmbeddedDnsServer(udp, backend, { prng: c.prng.fork('dns') });
  server.start();
  serveDnsOverTcp(c.services['tcp'] as Tcp, server, EMBEDDED_DNS_IP);
  c.services['embeddedDns'] = server;
}
