/** libpcap file format, classic (microsecond) variant, LINKTYPE_ETHERNET = 1. */
export const PCAP_MAGIC = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_SNAPLEN = 262144;

export function pcapFileHeader(linktype = LINKTYPE_ETHERNET, snaplen = PCAP_SNAPLEN): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true); // thiszone
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linktype, true);
  return b;
}

/** A record: 16-byte header followed by the captured bytes. `epochMs` is wall/virtual epoch time. */
export function pcapRecord(epochMs: number, frame: Uint8Array, snaplen = PCAP_SNAPLEN): Uint8Array {
  const incl = Math.min(frame.length, snaplen);
  const b = new Uint8Array(16 + incl);
  const v = new DataView(b.buffer);
  const totalUs = Math.round(epochMs * 1000);
  const sec = Math.floor(totalUs / 1e6);
  v.setUint32(0, sec, true);
  v.setUint32(4, totalUs - sec * 1e6, true);
  v.setUint32(8, incl, true);
  v.setUint32(12, frame.length, true);
  b.set(frame.subarray(0, incl), 16);
  return b;
}

export interface PcapPacket {
  epochMs: number;
  data: Uint8Array;
  origLen: number;
}

/** Read a classic pcap file (either byte order). Throws on a malformed file header. */
export function readPcap(file: Uint8Array): { linktype: number; packets: PcapPacket[] } {
  if (file.length < 24) throw new Error('pcap: file shorter than its header');
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const m = v.getUint32(0, true);
  const le = m === PCAP_MAGIC ? true : m === 0xd4c3b2a1 ? false : null;
  if (le === null) throw new Error('pcap: bad magic');
  const linktype = v.getUint32(20, le);
  const packets: PcapPacket[] = [];
  let o = 24;
  while (o + 16 <= file.length) {
    const sec = v.getUint32(o, le);
    const us = v.getUint32(o + 4, le);
    const incl = v.getUint32(o + 8, le);
    const orig = v.getUint32(o + 12, le);
    if (o + 16 + incl > file.length) break;
    packets.push({ epochMs: sec * 1000 + us / 1000, data: file.subarray(o + 16, o + 16 + incl), origLen: orig });
    o += 16 + incl;
  }
  return { linktype, packets };
}
