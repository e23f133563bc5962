import { iptablesCommand } from '../netfilter/iptables-cli.js';
import { iptablesSaveCommand } from '../netfilter/iptables-save.js';
import type { Netfilter } from '../netfilter/netfilter.js';
import { attachNetfilter } from '../stack/netfilter-host.js';
import type { Proc } from './process.js';

/** ctime(3)-style date for iptables-save's comment lines. */
function ctime(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function nfOf(p: Proc): Netfilter {
  return attachNetfilter(p.sys.ns);
}

/** `iptables` in the namespace (the host's carries Docker's rules). */
export async function iptables(p: Proc): Promise<number> {
  const r = iptablesCommand(nfOf(p), p.argv.slice(1));
  p.stdout.write(r.stdout);
  p.stderr.write(r.stderr);
  return r.exitCode;
}

export async function iptablesSave(p: Proc): Promise<number> {
  const r = iptablesSaveCommand(nfOf(p), p.argv.slice(1), ctime(p.sys.clock.epochMs()));
  p.stdout.write(r.stdout);
  p.stderr.write(r.stderr);
  return r.exitCode;
}
