import type { RejectKind } from './hook.js';
import type { Chain } from './chain.js';

/** What a rule does when it matches. */
export const enum TargetKind {
  /** No -j: the rule only counts. */
  None = 0,
  Accept = 1,
  Drop = 2,
  Reject = 3,
  Return = 4,
  Jump = 5,
  Dnat = 6,
  Snat = 7,
  Masquerade = 8,
}

/** -m conntrack --ctstate bits. */
export const CT_INVALID = 1;
export const CT_NEW = 2;
export const CT_ESTABLISHED = 4;
export const CT_RELATED = 8;
export const CT_UNTRACKED = 16;
export const CT_SNAT = 32;
export const CT_DNAT = 64;
/** Print order used by iptables (libxt_conntrack). */
export const CT_STATE_NAMES: ReadonlyArray<readonly [number, string]> = [
  [CT_INVALID, 'INVALID'], [CT_NEW, 'NEW'], [CT_RELATED, 'RELATED'], [CT_ESTABLISHED, 'ESTABLISHED'],
  [CT_UNTRACKED, 'UNTRACKED'], [CT_SNAT, 'SNAT'], [CT_DNAT, 'DNAT'],
];

/** -m addrtype type bits (the subset that means something here). */
export const ADDR_UNSPEC = 1;
export const ADDR_UNICAST = 2;
export const ADDR_LOCAL = 4;
export const ADDR_BROADCAST = 8;
export const ADDR_MULTICAST = 16;
export const ADDR_TYPE_NAMES: ReadonlyArray<readonly [number, string]> = [
  [ADDR_UNSPEC, 'UNSPEC'], [ADDR_UNICAST, 'UNICAST'], [ADDR_LOCAL, 'LOCAL'], [ADDR_BROADCAST, 'BROADCAST'],
  [ADDR_MULTICAST, 'MULTICAST'],
];

/** Rule.checks bits: which tests a rule needs (evaluation skips the rest). */
export const M_SRC = 1;
export const M_DST = 2;
export const M_IN = 4;
export const M_OUT = 8;
export const M_PROTO = 16;
export const M_L4 = 32;
export const M_CT = 64;
export const M_SRCTYPE = 128;
export const M_DSTTYPE = 256;

export type MatchModule = 'tcp' | 'udp' | 'icmp' | 'conntrack' | 'state' | 'addrtype';

/**
 * One iptables rule, flattened so evaluation reads plain numeric fields (no allocation, no
 * closures): addresses are pre-masked int32s, ports are [lo, hi] ranges with -1 meaning absent.
 */
export class Rule {
  /** Pre-masked network as a signed int32 (compared with `(addr & mask)`). */
  src = 0;
  srcMask = 0;
  srcInv = false;
  dst = 0;
  dstMask = 0;
  dstInv = false;
  /** IP protocol number; 0 = all. */
  proto = 0;
  protoInv = false;
  /** Interface name without the trailing '+'; '' = any. */
  inIf = '';
  inWild = false;
  inInv = false;
  outIf = '';
  outWild = false;
  outInv = false;
  /** Match modules in the order given (iptables-save prints them in that order). */
  modules: MatchModule[] = [];
  sportLo = -1;
  sportHi = -1;
  sportInv = false;
  dportLo = -1;
  dportHi = -1;
  dportInv = false;
  /** --icmp-type: -1 none, 255 "any"; code -1 = any code. */
  icmpType = -1;
  icmpCode = -1;
  icmpInv = false;
  ctMask = 0;
  ctInv = false;
  srcType = 0;
  srcTypeInv = false;
  dstType = 0;
  dstTypeInv = false;
  target: TargetKind = TargetKind.None;
  /** The -j word as given (chain name for jumps). */
  targetName = '';
  jump: Chain | null = null;
  rejectWith: RejectKind = 'icmp-port-unreachable';
  /** DNAT/SNAT address (-1: keep), port range (-1: keep); MASQUERADE --to-ports uses the ports. */
  natIp = -1;
  natPortLo = -1;
  natPortHi = -1;
  /** True when the rule needs L4 header fields (ports/icmp type). */
  needsL4 = false;
  /** M_* bits of the tests this rule needs; set by compile(). */
  checks = 0;
  pkts = 0;
  bytes = 0;
  /** Canonical iptables-save text of the rule (without "-A CHAIN"), used for -D/-C comparison. */
  spec = '';
}

/** Precompute the fast-path fields of a rule after its spec fields are set. */
export function compileRule(r: Rule): void {
  r.src |= 0;
  r.srcMask |= 0;
  r.dst |= 0;
  r.dstMask |= 0;
  let k = 0;
  if (r.srcMask !== 0 || r.srcInv) k |= M_SRC;
  if (r.dstMask !== 0 || r.dstInv) k |= M_DST;
  if (r.inIf !== '' || r.inWild || r.inInv) k |= M_IN;
  if (r.outIf !== '' || r.outWild || r.outInv) k |= M_OUT;
  if (r.proto !== 0) k |= M_PROTO;
  if (r.needsL4) k |= M_L4;
  if (r.ctMask !== 0) k |= M_CT;
  if (r.srcType !== 0) k |= M_SRCTYPE;
  if (r.dstType !== 0) k |= M_DSTTYPE;
  r.checks = k;
}
