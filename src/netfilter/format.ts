/** Shared text helpers for iptables-save / -S / -L renderings. */
import { ipToString } from '../wire/addr.js';
import { ADDR_TYPE_NAMES, CT_STATE_NAMES } from './rule.js';

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

export function protoName(p: number): string {
  return p === 0 ? 'all' : PROTO_NAMES[p] ?? String(p);
}

/** Prefix length of a contiguous mask, or -1. */
export function maskLen(mask: number): number {
  const m = mask >>> 0;
  let n = 0;
  while (n < 32 && (m & (0x80000000 >>> n)) !== 0) n++;
  const rebuilt = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return rebuilt === m ? n : -1;
}

/** "a.b.c.d/len" as iptables-save writes it. */
export function cidrText(net: number, mask: number): string {
  const l = maskLen(mask);
  return `${ipToString(net >>> 0)}/${l >= 0 ? l : ipToString(mask >>> 0)}`;
}

/** -L style: "/32" dropped, 0/0 written "0.0.0.0/0" (numeric) or "anywhere". */
export function listAddr(net: number, mask: number, numeric: boolean): string {
  if (mask === 0) return numeric ? '0.0.0.0/0' : 'anywhere';
  const l = maskLen(mask);
  if (l === 32) return ipToString(net >>> 0);
  return cidrText(net, mask);
}

export function ctStateText(mask: number): string {
  const out: string[] = [];
  for (const [bit, name] of CT_STATE_NAMES) if (mask & bit) out.push(name);
  return out.join(',');
}

export function addrTypeText(mask: number): string {
  const out: string[] = [];
  for (const [bit, name] of ADDR_TYPE_NAMES) if (mask & bit) out.push(name);
  return out.join(',');
}

/** A few /etc/services names, for -L without -n and for port arguments. */
export const SERVICES: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, pop3: 110, ntp: 123, imap2: 143, snmp: 161,
  https: 443, 'http-alt': 8080, mysql: 3306, postgresql: 5432, redis: 6379,
};
const SERVICE_BY_PORT = new Map<number, string>(Object.entries(SERVICES).map(([k, v]) => [v, k]));

export function portText(p: number, numeric: boolean): string {
  return numeric ? String(p) : SERVICE_BY_PORT.get(p) ?? String(p);
}
