import type { Flavour, Program } from './process.js';
import { cat, env, hostname, sleep } from './coreutils.js';
import { ip } from './ip.js';
import { ping } from './ping.js';
import { makeShellProgram } from './shell-program.js';
import { nslookup } from './nslookup.js';
import { iptables, iptablesSave } from './iptables.js';
import { telnet } from './telnet.js';
import { nc } from './nc.js';
import { curl, wget } from './http-client.js';
import { nginx } from './nginx.js';
import { redisCli, redisServer } from './redis.js';
import { elasticsearch } from './elasticsearch.js';
import { hitCounter } from './hit-counter.js';

/**
 * Programs by name. Images pick a flavour (busybox applets vs GNU tools); programs render
 * their own text per flavour. Paths like /bin/ping resolve by basename.
 */
const REGISTRY = new Map<string, Program>([
  ['ping', ping],
  ['ip', ip],
  ['cat', cat],
  ['hostname', hostname],
  ['sleep', sleep],
  ['env', env],
  ['nslookup', nslookup],
  ['iptables', iptables],
  ['iptables-save', iptablesSave],
  ['telnet', telnet],
  ['nc', nc],
  ['netcat', nc],
  ['curl', curl],
  ['wget', wget],
  ['nginx', nginx],
  ['redis-server', redisServer],
  ['redis-cli', redisCli],
  ['elasticsearch', elasticsearch],
  ['hit-counter', hitCounter],
]);

/** What busybox/alpine images do not ship (so `sh` says "not found", exec says "executable file not found"). */
const BUSYBOX_LACKS = new Set(['bash', 'curl']);

/** Programs only some namespaces have (the host's iptables, a server image's daemon). */
export function registerProgram(name: string, prog: Program): void {
  REGISTRY.set(name, prog);
}

export function findProgram(name: string, flavour: Flavour): Program | undefined {
  const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  if (flavour === 'busybox' && BUSYBOX_LACKS.has(base)) return undefined;
  return REGISTRY.get(base);
}

const lookupFor = (flavour: Flavour) => (n: string): Program | undefined => findProgram(n, flavour);
REGISTRY.set('sh', (p) => makeShellProgram(lookupFor(p.sys.flavour), false)(p));
REGISTRY.set('bash', (p) => makeShellProgram(lookupFor(p.sys.flavour), true)(p));
