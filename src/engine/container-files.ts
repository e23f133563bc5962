import { ipToString } from '../wire/addr.js';

/** /etc/hosts as Docker writes it (reference §3.5): tab-separated, own entry last. */
export function hostsFile(own: { ip: string; hostname: string } | null, extra: { ip: string; names: string[] }[] = []): string {
  let s = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';
  for (const e of extra) s += `${e.ip}\t${e.names.join(' ')}\n`;
  if (own) s += `${own.ip}\t${own.hostname}\n`;
  return s;
}

export function ipList(ips: number[]): string[] {
  return ips.map(ipToString);
}
