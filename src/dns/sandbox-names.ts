/**
 * The name lookup Docker's sandbox does for its embedded DNS (moby v27 libnetwork/sandbox_dns_unix.go
 * ResolveName/ResolveIP and network.go ResolveName), over the networks a container is attached
 * to, in endpoint order. The engine supplies one view per attached network.
 */

export interface DnsNetworkView {
  /** Network name, as used in `name.network` queries and PTR answers. */
  readonly name: string;
  /** Records registered on this network: lower-cased DNS name → IPv4s (several for shared aliases). */
  lookup(name: string): readonly number[] | undefined;
  /** Container name registered first for `ip` on this network (for PTR), or undefined. */
  reverse(ip: number): string | undefined;
  /**
   * Sandbox-local aliases on this endpoint (`--link target:alias` on user networks):
   * lower-cased alias → target container name.
   */
  readonly linkAliases?: ReadonlyMap<string, string>;
}

/**
 * For `a.b.c` try `a.b.c` in every network, then `a.b` in network `c`, then `a` in network
 * `b.c`; at each step link aliases first, then registered names. First hit wins.
 * `name` must be lower-case without a trailing dot.
 */
export function sandboxResolveName(networks: readonly DnsNetworkView[], name: string): { ips: number[] } | null {
  const reqName = [name];
  const netName = [''];
  let dup = name;
  for (let i = dup.lastIndexOf('.'); i >= 0; i = dup.lastIndexOf('.')) {
    netName.push(name.slice(i + 1));
    reqName.push(name.slice(0, i));
    dup = dup.slice(0, i);
  }
  for (let k = 0; k < reqName.length; k++) {
    for (const viaAlias of [true, false]) {
      for (const n of networks) {
        if (netName[k] !== '' && netName[k] !== n.name.toLowerCase()) continue;
        let q = reqName[k]!;
        if (viaAlias) {
          const target = n.linkAliases?.get(q);
          if (target === undefined) continue;
          q = target.toLowerCase();
        }
        const ips = n.lookup(q);
        if (ips && ips.length) return { ips: [...ips] };
      }
    }
  }
  return null;
}

/** PTR: the first attached network that knows `ip` → 'name.network'. */
export function sandboxResolveAddr(networks: readonly DnsNetworkView[], ip: number): string | null {
  for (const n of networks) {
    const c = n.reverse(ip);
    if (c !== undefined) return `${c}.${n.name}`;
  }
  return null;
}

/**
 * The DNS names an endpoint registers (daemon buildEndpointDNSNames, v25+): container name
 * first (used for PTR), network aliases, the 12-char short ID, the hostname; deduplicated.
 * Only user-defined networks register names.
 */
export function endpointDnsNames(containerName: string, aliases: readonly string[], shortId: string, hostname: string): string[] {
  const out: string[] = [];
  for (const n of [containerName.replace(/^\//, ''), ...aliases, shortId, hostname]) {
    if (n && !out.includes(n)) out.push(n);
  }
  return out;
}
