/**
 * The contract between a namespace's IPv4 layer and its netfilter (iptables + conntrack).
 * The stack calls run() at Linux's five hook points; netfilter answers ACCEPT or DROP.
 */
export const enum Hook {
  PREROUTING = 0,
  INPUT = 1,
  FORWARD = 2,
  OUTPUT = 3,
  POSTROUTING = 4,
}

export const enum Verdict {
  ACCEPT = 0,
  DROP = 1,
}

/**
 * One IPv4 packet traversing a hook. `buf[off..]` is the IP header (off is 14 when the buffer
 * is an Ethernet frame). The bytes may be shared with other readers (a bridge floods the same
 * frame to many ports): netfilter must never write into `buf`. To rewrite (NAT), it copies
 * the buffer, edits the copy (fixing IP and L4 checksums) and stores it back in `buf`.
 */
export interface NfPacket {
  buf: Uint8Array;
  off: number;
  /** Input interface name (PREROUTING, INPUT, FORWARD), else null. */
  inIf: string | null;
  /** Output interface name (FORWARD, OUTPUT, POSTROUTING), else null. */
  outIf: string | null;
  /**
   * Conntrack entry attached to the packet by PREROUTING/OUTPUT, for later hooks. Opaque to the
   * stack: set it to null for every new packet. A packet looped back through `lo` may keep it
   * (Linux keeps the skb's ct); if it is null there, netfilter still finds the connection.
   */
  ct: unknown;
}

/** What netfilter needs from its namespace. */
export interface NetfilterHost {
  now(): number;
  /** `-m addrtype --dst-type LOCAL`: an address configured on any interface of the namespace (or 127/8). */
  isLocalAddress(a: number): boolean;
  /** Primary IPv4 address of an interface, for MASQUERADE; -1 if none. */
  interfaceAddress(ifname: string): number;
  /** REJECT: emit an ICMP error (type 3, given code) or a TCP RST in answer to the packet. */
  reject(p: NfPacket, kind: RejectKind): void;
}

export type RejectKind =
  | 'icmp-net-unreachable'
  | 'icmp-host-unreachable'
  | 'icmp-port-unreachable'
  | 'icmp-proto-unreachable'
  | 'icmp-net-prohibited'
  | 'icmp-host-prohibited'
  | 'icmp-admin-prohibited'
  | 'tcp-reset';

/**
 * The interface the stack uses; implemented by netfilter/netfilter.ts (class Netfilter).
 * After OUTPUT the destination may have been rewritten (DNAT): re-read it from `p.buf` and
 * route again. NAT never writes into the given bytes; it replaces `p.buf` with a copy.
 * `reject()` may re-enter run() synchronously with the answer it sends (that is expected).
 */
export interface PacketFilter {
  run(hook: Hook, p: NfPacket): Verdict;
  /**
   * Local delivery or send has committed (after INPUT / POSTROUTING): confirm the conntrack
   * entry. Implementations may do this inside run(); the stack calls nothing else.
   */
}
