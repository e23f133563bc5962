/**
 * The stub resolver's view of /etc/resolv.conf and /etc/hosts (glibc res_init / nss_files).
 */
import { parseIp } from '../wire/addr.js';

export interface ResolverConfig {
  /** At most three (glibc MAXNS). Default 127.0.0.1 when none is listed. */
  nameservers: number[];
  search: string[];
  ndots: number;
  /** Seconds per try (RES_TIMEOUT 5, capped at 30). */
  timeout: number;
  /** Tries per server round (RES_DFLRETRY 2, capped at 5). */
  attempts: number;
  rotate: boolean;
  edns0: boolean;
}

export const MAXNS = 3;

export function parseResolverConfig(text: string | undefined): ResolverConfig {
  const c: ResolverConfig = { nameservers: [], search: [], ndots: 1, timeout: 5, attempts: 2, rotate: false, edns0: false };
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;
    const f = line.split(/\s+/);
    switch (f[0]) {
      case 'nameserver': {
        const ip = f[1] ? parseIp(f[1]) : -1;
        if (ip >= 0 && c.nameservers.length < MAXNS) c.nameservers.push(ip);
        break;
      }
      case 'domain':
        if (f[1]) c.search = [f[1]];
        break;
      case 'search':
        c.search = f.slice(1).filter((d) => d !== '.');
        break;
      case 'options':
        for (const o of f.slice(1)) applyOption(c, o);
        break;
    }
  }
  if (c.nameservers.length === 0) c.nameservers.push(0x7f000001);
  return c;
}

function applyOption(c: ResolverConfig, o: string): void {
  const [k, v] = o.includes(':') ? [o.slice(0, o.indexOf(':')), o.slice(o.indexOf(':') + 1)] : [o, ''];
  const n = Number(v);
  switch (k) {
    case 'ndots':
      if (/^\d+$/.test(v)) c.ndots = Math.min(n, 15);
      break;
    case 'timeout':
      if (/^\d+$/.test(v)) c.timeout = Math.max(1, Math.min(n, 30));
      break;
    case 'attempts':
      if (/^\d+$/.test(v)) c.attempts = Math.max(1, Math.min(n, 5));
      break;
    case 'rotate':
      c.rotate = true;
      break;
    case 'edns0':
      c.edns0 = true;
      break;
  }
}

export interface HostsLine {
  ip: number;
  /** Lower-cased names; the first is the canonical name. */
  names: string[];
}

/** IPv4 lines of a hosts file (IPv6 lines are skipped: the stack is IPv4-only). */
export function parseHostsFile(text: string | undefined): HostsLine[] {
  const out: HostsLine[] = [];
  for (const raw of (text ?? '').split('\n')) {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (!line) continue;
    const f = line.split(/\s+/);
    if (f.length < 2) continue;
    const ip = parseIp(f[0]!);
    if (ip < 0) continue;
    out.push({ ip, names: f.slice(1).map((n) => n.toLowerCase()) });
  }
  return out;
}

/** nss_files gethostbyname: the first line naming `name` (case-insensitive). */
export function hostsLookup(lines: HostsLine[], name: string): number[] | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  for (const l of lines) if (l.names.includes(n)) return [l.ip];
  return null;
}

/** nss_files gethostbyaddr: canonical name of the first line with that address. */
export function hostsReverse(lines: HostsLine[], ip: number): string | null {
  for (const l of lines) if (l.ip === ip) return l.names[0] ?? null;
  return null;
}
