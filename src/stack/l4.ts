import type { Clock } from '../sim/clock.js';
import type { Prng } from '../sim/prng.js';

/**
 * The contract between a namespace's IPv4 layer and its transport protocols (ICMP sockets,
 * UDP, TCP). Transports never see Ethernet; they get the IPv4 packet in place.
 */
export interface L4Protocol {
  /**
   * A datagram for this protocol addressed to this namespace, after INPUT netfilter, with the
   * IP header already validated. `b[ipOff..]` is the IP header; the transport header and
   * payload are `b[l4Off .. l4Off+l4Len)`. The bytes are shared: copy what must outlive the call.
   */
  input(b: Uint8Array, ipOff: number, l4Off: number, l4Len: number, src: number, dst: number, ifindex: number): void;
  /**
   * An ICMP error (destination unreachable, time exceeded) about a datagram this protocol sent.
   * `q[qOff..qOff+qLen)` is the quoted original IP header + at least 8 bytes of its payload.
   * `from` is the address that reported it.
   */
  icmpError?(type: number, code: number, q: Uint8Array, qOff: number, qLen: number, from: number): void;
}

/** What a transport may ask of its namespace. */
export interface L4Host {
  readonly clock: Clock;
  readonly prng: Prng;
  /**
   * Send a transport segment (already checksummed by the caller) in a new IPv4 packet.
   * Returns 0 on success or a negative errno: -ENETUNREACH when there is no route.
   * (Neighbour resolution failure surfaces later as an icmpError with UNREACH_HOST.)
   */
  ipOutput(proto: number, src: number, dst: number, l4: Uint8Array, opts?: IpOutputOptions): number;
  /**
   * The same without a copy: `frame` holds the transport segment at offset L4_HEADROOM
   * (Ethernet + IPv4 header room in front), and becomes the transmitted frame.
   */
  ipOutputFrame?(proto: number, src: number, dst: number, frame: Uint8Array, opts?: IpOutputOptions): number;
  /** Source address the routing table picks for `dst`, or -1 when unroutable. */
  routeSource(dst: number): number;
  /** MTU of the route's interface for `dst` (for TCP MSS), or 1500. */
  routeMtu(dst: number): number;
  isLocalAddress(a: number): boolean;
  /** Send an ICMP error about a received packet (e.g. port unreachable for closed UDP ports). */
  icmpError(b: Uint8Array, ipOff: number, type: number, code: number): void;
  registerProtocol(proto: number, p: L4Protocol): void;
}

export interface IpOutputOptions {
  ttl?: number;
  tos?: number;
  /** Don't Fragment. Default true for TCP/UDP like Linux with PMTU discovery. */
  df?: boolean;
}

/** Bytes in front of a transport segment for the Ethernet and IPv4 headers (ipOutputFrame). */
export const L4_HEADROOM = 34;

/** errno values (Linux numbering) used across the stack and node facades. */
export const ENETUNREACH = 101;
export const EHOSTUNREACH = 113;
export const ECONNREFUSED = 111;
export const ETIMEDOUT = 110;
export const EADDRINUSE = 98;
export const ECONNRESET = 104;
export const EMSGSIZE = 90;
export const EADDRNOTAVAIL = 99;
export const EINVAL = 22;
