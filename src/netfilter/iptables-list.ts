import type { Table } from './table.js';
import type { Chain } from './chain.js';
import { TargetKind, type Rule } from './rule.js';
import { addrTypeText, ctStateText, listAddr, portText, protoName } from './format.js';
import { ipToString } from '../wire/addr.js';
import { ruleSpecText } from './iptables-save.js';

export interface ListOptions {
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
}

const pad = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const lpad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

/** xtables_print_num: K/M/G/T suffixes unless -x (then fixed 8/10-wide columns). */
function num(n: number, exact: boolean, width: number, table = true): string {
  if (exact) return table ? lpad(String(n), width) + ' ' : `${n} `;
  if (n <= 99999) return table ? lpad(String(n), 5) + ' ' : `${n} `;
  const units = ['K', 'M', 'G', 'T'];
  let v = n;
  for (const u of units) {
    v = Math.floor((v + 500) / 1000);
    if (v <= 9999 || u === 'T') return table ? lpad(String(v), 4) + u + ' ' : `${v}${u} `;
  }
  return `${n} `;
}

export function chainRefs(t: Table, c: Chain): number {
  let n = 0;
  for (const ch of t.chains.values()) for (const r of ch.rules) if (r.jump === c) n++;
  return n;
}

function portMatch(name: string, lo: number, hi: number, inv: boolean, numeric: boolean): string {
  if (lo < 0) return '';
  const neg = inv ? '!' : '';
  return lo === hi ? ` ${name}:${neg}${portText(lo, numeric)}` : ` ${name}s:${neg}${portText(lo, numeric)}:${portText(hi, numeric)}`;
}

/** The match and target annotations printed after the destination column. */
function extras(r: Rule, numeric: boolean): string {
  let s = '';
  for (const m of r.modules) {
    switch (m) {
      case 'tcp':
      case 'udp':
        s += ` ${m}${portMatch('spt', r.sportLo, r.sportHi, r.sportInv, numeric)}${portMatch('dpt', r.dportLo, r.dportHi, r.dportInv, numeric)}`;
        break;
      case 'icmp':
        if (r.icmpType === 255) s += ` icmp${r.icmpInv ? ' !' : ''}any`;
        else if (r.icmpType >= 0) s += ` icmptype ${r.icmpInv ? '!' : ''}${r.icmpType}${r.icmpCode >= 0 ? ` code ${r.icmpCode}` : ''}`;
        break;
      case 'conntrack':
        s += `${r.ctInv ? ' !' : ''} ctstate ${ctStateText(r.ctMask)}`;
        break;
      case 'state':
        s += `${r.ctInv ? ' !' : ''} state ${ctStateText(r.ctMask)}`;
        break;
      case 'addrtype':
        s += ' ADDRTYPE match';
        if (r.srcType) s += ` src-type ${r.srcTypeInv ? '!' : ''}${addrTypeText(r.srcType)}`;
        if (r.dstType) s += ` dst-type ${r.dstTypeInv ? '!' : ''}${addrTypeText(r.dstType)}`;
        break;
    }
  }
  const ports = (): string => (r.natPortLo === r.natPortHi ? String(r.natPortLo) : `${r.natPortLo}-${r.natPortHi}`);
  switch (r.target) {
    case TargetKind.Dnat:
    case TargetKind.Snat:
      s += ` to:${r.natIp >= 0 ? ipToString(r.natIp) : ''}${r.natPortLo >= 0 ? ':' + ports() : ''}`;
      break;
    case TargetKind.Masquerade:
      if (r.natPortLo >= 0) s += ` masq ports: ${ports()}`;
      break;
    case TargetKind.Reject:
      s += ` reject-with ${r.rejectWith}`;
      break;
    default:
      break;
  }
  return s;
}

function header(t: Table, c: Chain, o: ListOptions): string {
  let s = `Chain ${c.name}`;
  if (c.builtin) {
    s += ` (policy ${c.policy}`;
    if (o.verbose) s += ` ${num(c.pkts, o.exact, 0, false)}packets, ${num(c.bytes, o.exact, 0, false)}bytes`;
    s += ')\n';
  } else {
    s += ` (${chainRefs(t, c)} references)\n`;
  }
  if (o.lineNumbers) s += pad('num', 4) + ' ';
  if (o.verbose) s += o.exact ? lpad('pkts', 8) + ' ' + lpad('bytes', 10) + ' ' : lpad('pkts', 5) + ' ' + lpad('bytes', 5) + ' ';
  s += pad('target', 9) + ' ';
  s += ' prot opt';
  if (o.verbose) s += ' ' + pad('in', 6) + ' ' + pad('out', 6) + ' ';
  s += ' ' + pad('source', 19) + ' ';
  s += ' ' + pad('destination', 19) + ' ';
  return s + '\n';
}

function ruleLine(r: Rule, n: number, o: ListOptions): string {
  let s = '';
  if (o.lineNumbers) s += pad(String(n), 4) + ' ';
  if (o.verbose) s += num(r.pkts, o.exact, 8) + num(r.bytes, o.exact, 10);
  s += pad(r.target === TargetKind.None ? '' : r.targetName, 9) + ' ';
  s += (r.protoInv ? '!' : ' ') + pad(protoName(r.proto), 5);
  s += '-- ';
  if (o.verbose) {
    const ifn = (name: string, wild: boolean, inv: boolean): string =>
      (inv ? '!' : '') + (name !== '' || wild ? name + (wild ? '+' : '') : o.numeric ? '*' : 'any');
    s += ' ' + pad(ifn(r.inIf, r.inWild, r.inInv), 6) + ' ';
    s += pad(ifn(r.outIf, r.outWild, r.outInv), 6) + ' ';
  }
  s += (r.srcInv ? '!' : ' ') + pad(listAddr(r.src, r.srcMask, o.numeric), 19) + ' ';
  s += (r.dstInv ? '!' : ' ') + pad(listAddr(r.dst, r.dstMask, o.numeric), 19) + ' ';
  s += extras(r, o.numeric);
  return s + '\n';
}

/** `iptables -L [chain]` text for the given chains (blank line between chains). */
export function listChains(t: Table, chains: Chain[], o: ListOptions): string {
  const blocks: string[] = [];
  for (const c of chains) {
    let s = header(t, c, o);
    c.rules.forEach((r, i) => {
      s += ruleLine(r, i + 1, o);
    });
    blocks.push(s);
  }
  return blocks.join('\n');
}

/** `iptables -S [chain [n]]`: every -P/-N line first, then the rules, as iptables prints them. */
export function listRules(t: Table, chains: Chain[], verbose: boolean, ruleNum?: number): string {
  let s = '';
  if (ruleNum === undefined) {
    for (const c of chains) {
      if (c.builtin) s += `-P ${c.name} ${c.policy}${verbose ? ` -c ${c.pkts} ${c.bytes}` : ''}\n`;
      else s += `-N ${c.name}\n`;
    }
  }
  for (const c of chains) {
    c.rules.forEach((r, i) => {
      if (ruleNum !== undefined && i + 1 !== ruleNum) return;
      const spec = r.spec || ruleSpecText(r);
      s += `-A ${c.name}${spec ? ' ' + spec : ''}${verbose ? ` -c ${r.pkts} ${r.bytes}` : ''}\n`;
    });
  }
  void t;
  return s;
}
