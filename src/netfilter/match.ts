import type { NetfilterHost } from './hook.js';
import {
  ADDR_BROADCAST, ADDR_LOCAL, ADDR_MULTICAST, ADDR_UNICAST, ADDR_UNSPEC, M_CT, M_DST, M_DSTTYPE, M_IN, M_L4, M_OUT,
  M_PROTO, M_SRC, M_SRCTYPE, type Rule,
} from './rule.js';
import { PROTO_ICMP } from '../wire/ipv4.js';

/**
 * The fields of the packet under evaluation, parsed once per hook into a reused object
 * (so rule evaluation allocates nothing).
 */
export class PacketInfo {
  src = 0;
  dst = 0;
  proto = 0;
  /** TCP/UDP ports; for ICMP query messages both hold the identifier. -1 when absent. */
  sport = -1;
  dport = -1;
  icmpType = -1;
  icmpCode = -1;
  tcpFlags = 0;
  /** IP total length (what Linux counts as bytes). */
  len = 0;
  hl = 0;
  /** Absolute offset of the L4 header in the buffer. */
  l4 = 0;
  l4len = 0;
  /** Non-first fragment: no L4 header. */
  frag = false;
  inIf: string | null = null;
  outIf: string | null = null;
  /** Conntrack state bits (CT_*) for -m conntrack. */
  ctState = 0;
}

function addrType(a: number, host: NetfilterHost): number {
  if (a === 0) return ADDR_UNSPEC;
  if (a >>> 28 === 14) return ADDR_MULTICAST;
  if (a === 0xffffffff) return ADDR_BROADCAST;
  return host.isLocalAddress(a) ? ADDR_LOCAL | ADDR_UNICAST : ADDR_UNICAST;
}

function ifMatch(name: string | null, want: string, wild: boolean): boolean {
  if (name === null) return false;
  return wild ? name.startsWith(want) : name === want;
}

/** Does `r` match the packet? Only the tests the rule needs run (Rule.checks). */
export function ruleMatches(r: Rule, pk: PacketInfo, host: NetfilterHost): boolean {
  const k = r.checks;
  if (k === 0) return true;
  if (k & M_PROTO) {
    if ((pk.proto === r.proto) === r.protoInv) return false;
  }
  if (k & M_SRC) {
    if (((pk.src & r.srcMask) === r.src) === r.srcInv) return false;
  }
  if (k & M_DST) {
    if (((pk.dst & r.dstMask) === r.dst) === r.dstInv) return false;
  }
  if (k & M_IN) {
    if (ifMatch(pk.inIf, r.inIf, r.inWild) === r.inInv) return false;
  }
  if (k & M_OUT) {
    if (ifMatch(pk.outIf, r.outIf, r.outWild) === r.outInv) return false;
  }
  if (k & M_L4) {
    // A non-first fragment has no header to match: port/type matches never match it.
    if (pk.frag) return false;
    if (r.proto === PROTO_ICMP) {
      if (r.icmpType !== -1 && r.icmpType !== 255) {
        const m = pk.icmpType === r.icmpType && (r.icmpCode === -1 || pk.icmpCode === r.icmpCode);
        if (m === r.icmpInv) return false;
      } else if (r.icmpType === 255 && r.icmpInv) return false;
    } else {
      if (pk.sport < 0) return false;
      if (r.sportLo !== -1 && ((pk.sport >= r.sportLo && pk.sport <= r.sportHi) === r.sportInv)) return false;
      if (r.dportLo !== -1 && ((pk.dport >= r.dportLo && pk.dport <= r.dportHi) === r.dportInv)) return false;
    }
  }
  if (k & M_CT) {
    if (((pk.ctState & r.ctMask) !== 0) === r.ctInv) return false;
  }
  if (k & M_SRCTYPE) {
    if (((addrType(pk.src, host) & r.srcType) !== 0) === r.srcTypeInv) return false;
  }
  if (k & M_DSTTYPE) {
    if (((addrType(pk.dst, host) & r.dstType) !== 0) === r.dstTypeInv) return false;
  }
  return true;
}
