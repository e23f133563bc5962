/** IPv4 addresses as uint32 numbers on the hot path; strings only at the edges. */
export function ipToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Parse dotted-quad; returns -1 when it is not exactly four decimal octets. */
export function parseIp(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4) return -1;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return -1;
    const n = Number(p);
    if (n > 255) return -1;
    v = v * 256 + n;
  }
  return v;
}

export function isIp(s: string): boolean {
  return parseIp(s) >= 0;
}

export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function inSubnet(a: number, net: number, len: number): boolean {
  const m = prefixMask(len);
  return ((a & m) >>> 0) === ((net & m) >>> 0);
}

export function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}
export function readU16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

export const IP_ANY = 0;
export const IP_BROADCAST = 0xffffffff;
export const LOOPBACK_NET = 0x7f000000;

/** Parse "a.b.c.d/len" → [addr, len] or null. */
export function parseCidr(s: string): [number, number] | null {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(s);
  if (!m) return null;
  const a = parseIp(m[1]!);
  const l = Number(m[2]);
  if (a < 0 || l > 32) return null;
  return [a, l];
}
