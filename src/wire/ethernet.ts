import { readU16, writeU16 } from './addr.js';
import { readMac, writeMac } from './mac.js';

/** Ethernet II (no FCS: like a capture on Linux, frames carry no trailing CRC). */
export const ETH_HLEN = 14;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
/** Linux pads short frames to 60 bytes (ETH_ZLEN) before the FCS. */
export const ETH_ZLEN = 60;

export const ethDst = (f: Uint8Array): number => readMac(f, 0);
export const ethSrc = (f: Uint8Array): number => readMac(f, 6);
export const ethType = (f: Uint8Array): number => readU16(f, 12);

export function writeEthHeader(f: Uint8Array, dst: number, src: number, type: number): void {
  writeMac(f, 0, dst);
  writeMac(f, 6, src);
  writeU16(f, 12, type);
}
