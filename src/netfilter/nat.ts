/**
 * NAT packet rewriting. Copy-on-write: the caller's bytes may be shared (a flooded frame), so
 * every rewrite copies the buffer, edits the copy and stores it back in `p.buf`. Checksums are
 * fixed incrementally (RFC 1624) except the ICMP checksum of an error, which is recomputed.
 */
import type { NfPacket } from './hook.js';
import type { PacketInfo } from './match.js';
import { readU16, readU32, writeU16, writeU32 } from '../wire/addr.js';
import { adjust16, adjust32, checksum } from '../wire/checksum.js';
import { PROTO_ICMP, PROTO_TCP, PROTO_UDP } from '../wire/ipv4.js';

/** ICMP messages that carry an identifier (echo, timestamp, info, address mask). */
export function isIcmpQuery(type: number): boolean {
  return type === 0 || type === 8 || type === 13 || type === 14 || type === 15 || type === 16 || type === 17 || type === 18;
}

/** ICMP errors that quote a datagram (unreachable, source quench, redirect, time exceeded, parameter problem). */
export function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** Fix a TCP/UDP checksum field at `cOff` for an address and port change. UDP 0 means "none". */
function fixL4Checksum(b: Uint8Array, cOff: number, udp: boolean, oldIp: number, newIp: number, oldPort: number, newPort: number): void {
  let c = readU16(b, cOff);
  if (udp && c === 0) return;
  c = adjust32(c, oldIp, newIp);
  if (oldPort !== newPort) c = adjust16(c, oldPort, newPort);
  if (udp && c === 0) c = 0xffff;
  writeU16(b, cOff, c);
}

/** Copy-on-write: a copy of the packet with its source or destination address replaced (IP checksum fixed). */
function copyWithAddress(p: NfPacket, isSrc: boolean, ip: number): Uint8Array {
  const b = p.buf.slice();
  const o = p.off;
  const aOff = o + (isSrc ? 12 : 16);
  const oldIp = readU32(b, aOff);
  if (oldIp !== ip) {
    writeU32(b, aOff, ip);
    writeU16(b, o + 10, adjust32(readU16(b, o + 10), oldIp, ip));
  }
  return b;
}

/**
 * Rewrite the source (isSrc) or destination address and port of a TCP/UDP/ICMP-query packet.
 * `port` < 0 keeps the port; for ICMP queries the "port" is the identifier.
 */
export function rewritePacket(p: NfPacket, pk: PacketInfo, isSrc: boolean, ip: number, port: number): void {
  const oldIp = readU32(p.buf, p.off + (isSrc ? 12 : 16));
  const b = copyWithAddress(p, isSrc, ip);
  if (!pk.frag) {
    const l4 = pk.l4;
    if (pk.proto === PROTO_TCP || pk.proto === PROTO_UDP) {
      const udp = pk.proto === PROTO_UDP;
      const cOff = l4 + (udp ? 6 : 16);
      if (pk.l4len >= (udp ? 8 : 18)) {
        const pOff = l4 + (isSrc ? 0 : 2);
        const oldPort = readU16(b, pOff);
        const newPort = port < 0 ? oldPort : port;
        if (newPort !== oldPort) writeU16(b, pOff, newPort);
        fixL4Checksum(b, cOff, udp, oldIp, ip, oldPort, newPort);
        if (isSrc) pk.sport = newPort;
        else pk.dport = newPort;
      }
    } else if (pk.proto === PROTO_ICMP && port >= 0 && pk.l4len >= 8 && isIcmpQuery(pk.icmpType)) {
      const oldId = readU16(b, l4 + 4);
      if (oldId !== port) {
        writeU16(b, l4 + 4, port);
        writeU16(b, l4 + 2, adjust16(readU16(b, l4 + 2), oldId, port));
        pk.sport = pk.dport = port;
      }
    }
  }
  if (isSrc) pk.src = ip;
  else pk.dst = ip;
  p.buf = b;
}

/**
 * Rewrite an ICMP error that belongs to a NATed connection: the outer address as for a packet of
 * the error's direction, and the quoted datagram (which went the other way) inversely, so each
 * end sees an error about the packet it really sent.
 */
export function rewriteIcmpError(p: NfPacket, pk: PacketInfo, isSrc: boolean, ip: number, port: number): void {
  const b = copyWithAddress(p, isSrc, ip);
  if (isSrc) pk.src = ip;
  else pk.dst = ip;
  const l4 = pk.l4;
  const end = l4 + pk.l4len;
  const io = l4 + 8;
  if (end - io >= 20) {
    const ihl = (b[io]! & 0x0f) << 2;
    const iaOff = io + (isSrc ? 16 : 12);
    const oldInner = readU32(b, iaOff);
    if (oldInner !== ip) {
      writeU32(b, iaOff, ip);
      writeU16(b, io + 10, adjust32(readU16(b, io + 10), oldInner, ip));
    }
    const iproto = b[io + 9]!;
    const il4 = io + ihl;
    const avail = end - il4;
    const innerFrag = (readU16(b, io + 6) & 0x1fff) !== 0;
    if (!innerFrag && (iproto === PROTO_TCP || iproto === PROTO_UDP) && avail >= 4) {
      const pOff = il4 + (isSrc ? 2 : 0);
      const oldPort = readU16(b, pOff);
      const newPort = port < 0 ? oldPort : port;
      if (newPort !== oldPort) writeU16(b, pOff, newPort);
      if (iproto === PROTO_UDP && avail >= 8) fixL4Checksum(b, il4 + 6, true, oldInner, ip, oldPort, newPort);
      else if (iproto === PROTO_TCP && avail >= 18) fixL4Checksum(b, il4 + 16, false, oldInner, ip, oldPort, newPort);
    } else if (!innerFrag && iproto === PROTO_ICMP && avail >= 8 && port >= 0 && isIcmpQuery(b[il4]!)) {
      const oldId = readU16(b, il4 + 4);
      if (oldId !== port) {
        writeU16(b, il4 + 4, port);
        writeU16(b, il4 + 2, adjust16(readU16(b, il4 + 2), oldId, port));
      }
    }
  }
  b[l4 + 2] = 0;
  b[l4 + 3] = 0;
  writeU16(b, l4 + 2, checksum(b, l4, pk.l4len));
  p.buf = b;
}
