/**
 * MAC addresses as 48-bit numbers (exact in a double) on the hot path. Reading one from a frame
 * is two loads and a multiply-add.
 */
export function readMac(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) * 4294967296 +
    (((b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!) >>> 0);
}

export function writeMac(b: Uint8Array, o: number, mac: number): void {
  const hi = Math.floor(mac / 4294967296);
  const lo = mac >>> 0;
  b[o] = hi >>> 8;
  b[o + 1] = hi;
  b[o + 2] = lo >>> 24;
  b[o + 3] = lo >>> 16;
  b[o + 4] = lo >>> 8;
  b[o + 5] = lo;
}

export function macToString(mac: number): string {
  const hi = Math.floor(mac / 4294967296);
  const lo = mac >>> 0;
  const bytes = [hi >>> 8, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255];
  return bytes.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function parseMac(s: string): number {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(s);
  if (!m) return -1;
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i]!, 16);
  return v;
}

export const MAC_BROADCAST = 0xffffffffffff;

/** Group bit of the first octet: broadcast and multicast. */
export function isGroupMac(b: Uint8Array, o: number): boolean {
  return (b[o]! & 1) === 1;
}

/** Docker ≤ 27: 02:42 followed by the four IPv4 bytes. */
export function macFromIp(ip: number): number {
  return 0x0242 * 4294967296 + (ip >>> 0);
}
