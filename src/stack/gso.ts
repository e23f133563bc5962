import { writeU16, writeU32, readU32 } from '../wire/addr.js';
import { ETH_HLEN } from '../wire/ethernet.js';
import { ipHlen, ipId, ipTotalLen, refreshIpChecksum } from '../wire/ipv4.js';
import { TCP_FIN, TCP_PSH, setTcpChecksum, tcpHlen } from '../wire/tcp.js';
import { ipSrc, ipDst } from '../wire/ipv4.js';

/**
 * Generic segmentation offload, done in software where Linux does it (skb_gso_segment): a TCP
 * super-segment larger than the output device's MTU is cut into MSS-sized TCP segments, each
 * with its own IP header (ID incremented), sequence number and checksums. FIN and PSH stay on
 * the last piece only. `frame` has the Ethernet header at 0 and IPv4 at ETH_HLEN.
 */
export function gsoSegment(frame: Uint8Array, mtu: number): Uint8Array[] {
  const o = ETH_HLEN;
  const ihl = ipHlen(frame, o);
  const t = o + ihl;
  const thl = tcpHlen(frame, t);
  const payloadOff = t + thl;
  const payloadLen = o + ipTotalLen(frame, o) - payloadOff;
  const mss = mtu - ihl - thl;
  if (mss <= 0 || payloadLen <= mss) return [frame];
  const flags = frame[t + 13]!;
  const seq0 = readU32(frame, t + 4);
  const id0 = ipId(frame, o);
  const src = ipSrc(frame, o);
  const dst = ipDst(frame, o);
  const out: Uint8Array[] = [];
  for (let off = 0, k = 0; off < payloadLen; off += mss, k++) {
    const n = Math.min(mss, payloadLen - off);
    const last = off + n >= payloadLen;
    const seg = new Uint8Array(payloadOff + n);
    seg.set(frame.subarray(0, payloadOff), 0);
    seg.set(frame.subarray(payloadOff + off, payloadOff + off + n), payloadOff);
    writeU16(seg, o + 2, ihl + thl + n);
    writeU16(seg, o + 4, (id0 + k) & 0xffff);
    refreshIpChecksum(seg, o);
    writeU32(seg, t + 4, (seq0 + off) >>> 0);
    if (!last) seg[t + 13] = flags & ~(TCP_FIN | TCP_PSH);
    setTcpChecksum(seg, t, thl + n, src, dst);
    out.push(seg);
  }
  return out;
}
