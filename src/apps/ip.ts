import type { NetDev } from '../link/netdev.js';
import type { BridgeDev } from '../link/bridge.js';
import type { Namespace } from '../stack/namespace.js';
import { ipToString } from '../wire/addr.js';
import { macToString } from '../wire/mac.js';
import type { Proc } from './process.js';

/** Whether a device's peer lives in another namespace (then iproute2 shows link-netnsid 0). */
function peerElsewhere(ns: Namespace, d: NetDev): boolean {
  const pi = d.peerIndex();
  return pi !== null && !ns.devs.some((x) => x.index === pi && x !== d && x.kind === 'veth' && (x as unknown as { peer: NetDev }).peer === d);
}

function carrier(d: NetDev): boolean {
  if (d.kind === 'bridge') return (d as BridgeDev).ports.some((p) => p.up);
  return d.up;
}

function flags(d: NetDev, busybox: boolean, ns: Namespace): string {
  if (d.kind === 'loopback') return d.up ? '<LOOPBACK,UP,LOWER_UP>' : '<LOOPBACK>';
  const f: string[] = [];
  if (d.up && !carrier(d)) f.push('NO-CARRIER');
  f.push('BROADCAST', 'MULTICAST');
  if (d.up) f.push('UP');
  if (d.up && carrier(d)) f.push('LOWER_UP');
  // busybox cannot see the flags of a peer in another namespace and marks it M-DOWN.
  if (busybox && d.kind === 'veth' && peerElsewhere(ns, d)) f.push('M-DOWN');
  return `<${f.join(',')}>`;
}

function devName(d: NetDev): string {
  const pi = d.peerIndex();
  return pi !== null ? `${d.name}@if${pi}` : d.name;
}

function qdisc(d: NetDev): string {
  return d.kind === 'ether' ? 'fq_codel' : 'noqueue';
}

function state(d: NetDev): string {
  if (d.kind === 'loopback') return 'UNKNOWN';
  return d.up && carrier(d) ? 'UP' : 'DOWN';
}

function linkLines(ns: Namespace, d: NetDev, busybox: boolean, withMode: boolean): string {
  const qlen = d.kind === 'loopback' || d.kind === 'ether' ? 1000 : 0;
  let head = `${d.index}: ${devName(d)}: ${flags(d, busybox, ns)} mtu ${d.mtu} qdisc ${qdisc(d)}`;
  if (d.master) head += ` master ${d.master}`;
  head += ` state ${state(d)}`;
  if (withMode) head += ' mode DEFAULT';
  if (busybox) head += qlen ? ` qlen ${qlen}` : ' ';
  else head += ` group default ${qlen ? `qlen ${qlen}` : ''}`;
  let link: string;
  if (d.kind === 'loopback') link = '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00';
  else {
    link = `    link/ether ${macToString(d.mac)} brd ff:ff:ff:ff:ff:ff`;
    if (!busybox && d.kind === 'veth' && peerElsewhere(ns, d)) link += ' link-netnsid 0';
  }
  return `${head}\n${link}\n`;
}

function addrLines(ns: Namespace, d: NetDev): string {
  let s = '';
  for (const a of ns.addrsOf(d)) {
    const scope = d.kind === 'loopback' ? 'host' : 'global';
    s += `    inet ${ipToString(a.addr)}/${a.prefixLen}${a.brd ? ` brd ${ipToString(a.brd)}` : ''} scope ${scope} ${d.name}\n`;
    s += '       valid_lft forever preferred_lft forever\n';
  }
  if (d.kind === 'loopback') {
    s += '    inet6 ::1/128 scope host \n       valid_lft forever preferred_lft forever\n';
  }
  return s;
}

function statsLines(d: NetDev): string {
  const s = d.stats;
  const row = (vals: number[]): string => '    ' + vals.map((v, i) => String(v).padStart(i === 0 ? 10 : 7)).join(' ') + ' \n';
  return (
    '    RX:  bytes packets errors dropped  missed   mcast           \n' +
    row([s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, 0, 0]) +
    '    TX:  bytes packets errors dropped carrier collsns           \n' +
    row([s.txBytes, s.txPackets, s.txErrors, s.txDropped, 0, 0])
  );
}

function routeLines(ns: Namespace): string {
  let s = '';
  const rs = [...ns.routes.routes].sort((a, b) => a.prefixLen - b.prefixLen === 0 ? 0 : a.prefixLen === 0 ? -1 : b.prefixLen === 0 ? 1 : 0);
  for (const r of rs) {
    if (r.dev.kind === 'loopback') continue;
    if (r.prefixLen === 0) s += `default via ${ipToString(r.gw)} dev ${r.dev.name} \n`;
    else {
      s += `${ipToString(r.dst)}/${r.prefixLen}`;
      if (r.gw) s += ` via ${ipToString(r.gw)}`;
      s += ` dev ${r.dev.name}`;
      if (r.proto === 'kernel') s += ' proto kernel';
      s += ` scope ${r.scope}`;
      if (r.src) s += ` src ${ipToString(r.src)}`;
      s += ' \n';
    }
  }
  return s;
}

function neighLines(ns: Namespace): string {
  let s = '';
  for (const e of ns.neigh.entries()) {
    const st = ns.neigh.stateOf(e);
    s += `${ipToString(e.ip)} dev ${e.dev.name} ${e.mac >= 0 ? `lladdr ${macToString(e.mac)} ` : ' '}${st}\n`;
  }
  return s;
}

/** `ip` — addr, link (-s), route, neigh; iproute2 text or busybox's. */
export async function ip(p: Proc): Promise<number> {
  const ns = p.sys.ns;
  const busybox = p.sys.flavour === 'busybox';
  let args = p.argv.slice(1);
  let withStats = false;
  while (args[0]?.startsWith('-')) {
    const f = args.shift()!;
    if (f === '-s' || f === '-stats' || f === '-statistics') withStats = true;
    else if (f === '-4' || f === '-o' || f === '-br') continue;
    else {
      p.stderr.write(`Option "${f}" is unknown, try "ip -help".\n`);
      return 255;
    }
  }
  const obj = args[0] ?? '';
  const verb = args[1] ?? 'show';
  const devFilter = args[2] === 'dev' ? args[3] : args[1] === 'dev' ? args[2] : args[2];
  const pick = (d: NetDev): boolean => !devFilter || d.name === devFilter;
  if (devFilter && !ns.devs.some((d) => d.name === devFilter) && ['a', 'addr', 'address', 'l', 'link'].includes(obj)) {
    p.stderr.write(`Device "${devFilter}" does not exist.\n`);
    return 1;
  }
  const isShow = ['show', 'list', 'ls', 'lst', 'sh'].includes(verb) || verb === devFilter || verb === 'dev';
  if (!obj) {
    p.stderr.write('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n');
    return 255;
  }
  if ('address'.startsWith(obj) && obj.length >= 1 && obj !== 'l') {
    if (!isShow) return unsupported(p, obj, verb);
    for (const d of ns.devs) if (pick(d)) p.stdout.write(linkLines(ns, d, busybox, false) + addrLines(ns, d) + (withStats ? statsLines(d) : ''));
    return 0;
  }
  if ('link'.startsWith(obj)) {
    if (!isShow) return unsupported(p, obj, verb);
    for (const d of ns.devs) if (pick(d)) p.stdout.write(linkLines(ns, d, busybox, true) + (withStats ? statsLines(d) : ''));
    return 0;
  }
  if ('route'.startsWith(obj)) {
    if (!isShow) return unsupported(p, obj, verb);
    p.stdout.write(routeLines(ns));
    return 0;
  }
  if ('neighbour'.startsWith(obj) || 'neighbor'.startsWith(obj)) {
    if (!isShow) return unsupported(p, obj, verb);
    p.stdout.write(neighLines(ns));
    return 0;
  }
  p.stderr.write(`Object "${obj}" is unknown, try "ip help".\n`);
  return 1;
}

function unsupported(p: Proc, obj: string, verb: string): number {
  p.stderr.write(`RTNETLINK answers: Operation not permitted\n`);
  void obj;
  void verb;
  return 2;
}
