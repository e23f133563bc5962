import { readU16, readU32, writeU16, writeU32 } from './addr.js';
import { readMac, writeMac } from './mac.js';
import { ETH_HLEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, writeEthHeader } from './ethernet.js';

/** ARP for IPv4 over Ethernet (RFC 826): 28 bytes after the Ethernet header. */
export const ARP_LEN = 28;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

export interface ArpPacket {
  op: number;
  sha: number;
  spa: number;
  tha: number;
  tpa: number;
}

/** Parse an ARP payload at offset `o`; null unless it is Ethernet/IPv4 ARP of full length. */
export function parseArp(f: Uint8Array, o: number): ArpPacket | null {
  if (f.length - o < ARP_LEN) return null;
  if (readU16(f, o) !== 1 || readU16(f, o + 2) !== ETHERTYPE_IPV4 || f[o + 4] !== 6 || f[o + 5] !== 4) return null;
  return {
    op: readU16(f, o + 6),
    sha: readMac(f, o + 8),
    spa: readU32(f, o + 14),
    tha: readMac(f, o + 18),
    tpa: readU32(f, o + 24),
  };
}

/** A full 42-byte Ethernet frame carrying ARP (Linux sends 42 and lets the NIC pad). */
export function buildArpFrame(ethDst: number, p: ArpPacket): Uint8Array {
  const f = new Uint8Array(ETH_HLEN + ARP_LEN);
  writeEthHeader(f, ethDst, p.sha, ETHERTYPE_ARP);
  const o = ETH_HLEN;
  writeU16(f, o, 1);
  writeU16(f, o + 2, ETHERTYPE_IPV4);
  f[o + 4] = 6;
  f[o + 5] = 4;
  writeU16(f, o + 6, p.op);
  writeMac(f, o + 8, p.sha);
  writeU32(f, o + 14, p.spa);
  writeMac(f, o + 18, p.tha);
  writeU32(f, o + 24, p.tpa);
  return f;
}
