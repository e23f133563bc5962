import { ipToString, parseIp } from '../wire/addr.js';
import type { System } from './process.js';

/** Outcome of a name lookup, in the terms tools print. */
export type LookupResult =
  | { ok: true; addresses: number[] }
  | { ok: false; error: 'ENOTFOUND' | 'EAI_AGAIN' };

/**
 * The resolver programs use. The engine installs the DNS stub resolver as
 * `sys.services.resolver`; without one (or for literals) only /etc/hosts is consulted.
 */
export interface Resolver {
  lookup(name: string): Promise<LookupResult>;
  reverse(ip: number): Promise<string | null>;
}

export function hostsLookup(hosts: string | undefined, name: string): number[] {
  if (!hosts) return [];
  const want = name.toLowerCase();
  const out: number[] = [];
  for (const line of hosts.split('\n')) {
    const f = line.replace(/#.*/, '').trim().split(/\s+/);
    if (f.length < 2) continue;
    const ip = parseIp(f[0]!);
    if (ip < 0) continue;
    if (f.slice(1).some((n) => n.toLowerCase() === want)) out.push(ip);
  }
  return out;
}

export function resolverOf(sys: System): Resolver {
  const r = sys.services['resolver'] as Resolver | undefined;
  if (r) return r;
  return {
    async lookup(name) {
      const lit = parseIp(name);
      if (lit >= 0) return { ok: true, addresses: [lit] };
      const a = hostsLookup(sys.files.read('/etc/hosts'), name);
      return a.length ? { ok: true, addresses: a } : { ok: false, error: 'ENOTFOUND' };
    },
    async reverse(ip) {
      const s = ipToString(ip);
      for (const line of (sys.files.read('/etc/hosts') ?? '').split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f[0] === s && f[1]) return f[1];
      }
      return null;
    },
  };
}

/** Resolve a host argument: literal first, then the resolver. */
export async function resolveHost(sys: System, name: string): Promise<LookupResult> {
  const lit = parseIp(name);
  if (lit >= 0) return { ok: true, addresses: [lit] };
  if (name === '') return { ok: false, error: 'ENOTFOUND' };
  return resolverOf(sys).lookup(name);
}
