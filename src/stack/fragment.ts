import type { Clock, Timer } from '../sim/clock.js';
import { writeU16 } from '../wire/addr.js';
import { ETH_HLEN } from '../wire/ethernet.js';
import { ipDst, ipFragOffset, ipHlen, ipId, ipMF, ipProto, ipSrc, ipTotalLen, refreshIpChecksum } from '../wire/ipv4.js';
import type { IpStats } from './counters.js';

/**
 * IPv4 fragmentation (RFC 791 §3.2): cut a datagram for a smaller MTU. Each fragment carries the
 * header (options are not copied: vnet's own packets have none), the same ID, MF on all but the
 * last, and an 8-byte-aligned offset. `frame` has Ethernet at 0 and IPv4 at ETH_HLEN.
 */
export function fragment(frame: Uint8Array, mtu: number): Uint8Array[] {
  const o = ETH_HLEN;
  const hl = ipHlen(frame, o);
  const total = ipTotalLen(frame, o);
  const dataLen = total - hl;
  const chunk = ((mtu - hl) >> 3) << 3;
  const baseOff = ipFragOffset(frame, o);
  const lastHasMF = ipMF(frame, o);
  const out: Uint8Array[] = [];
  for (let off = 0; off < dataLen; off += chunk) {
    const n = Math.min(chunk, dataLen - off);
    const last = off + n >= dataLen;
    const f = new Uint8Array(o + hl + n);
    f.set(frame.subarray(0, o + hl), 0);
    f.set(frame.subarray(o + hl + off, o + hl + off + n), o + hl);
    writeU16(f, o + 2, hl + n);
    const mf = !last || lastHasMF;
    writeU16(f, o + 6, (mf ? 0x2000 : 0) | ((baseOff + off) >> 3));
    refreshIpChecksum(f, o);
    out.push(f);
  }
  return out;
}

/** Linux defaults: net.ipv4.ipfrag_time and a cap on fragments per datagram. */
const IPFRAG_TIME_MS = 30_000;
const MAX_FRAGS = 64;
const MAX_QUEUES = 1024;

interface FragQueue {
  pieces: { off: number; data: Uint8Array }[];
  /** Payload length, known once the last fragment (MF clear) arrived; -1 before. */
  total: number;
  /** Ethernet + IPv4 header of the first fragment (offset 0), once it arrived. */
  head: Uint8Array | null;
  timer: Timer;
}

/**
 * Reassembly (RFC 791 §3.2, RFC 815 hole accounting by sorted pieces), as Linux does before
 * PREROUTING when conntrack is loaded. Overlapping fragments drop the whole datagram (Linux
 * since 4.19); a queue that does not complete in 30 s is dropped, and if its first fragment
 * came, the sender gets ICMP time exceeded (code 1) through `onTimeout`.
 */
export class Reassembler {
  private readonly queues = new Map<string, FragQueue>();

  constructor(private readonly clock: Clock, private readonly stats: IpStats, private readonly onTimeout: (head: Uint8Array) => void) {}

  /** A fragment arrived: returns the whole datagram as a frame when complete, else null. */
  add(frame: Uint8Array): Uint8Array | null {
    const o = ETH_HLEN;
    this.stats.ReasmReqds++;
    const hl = ipHlen(frame, o);
    const off = ipFragOffset(frame, o);
    const mf = ipMF(frame, o);
    const data = frame.subarray(o + hl, o + ipTotalLen(frame, o));
    if ((mf && (data.length & 7) !== 0) || off + data.length > 65535 - hl) {
      this.stats.ReasmFails++;
      return null;
    }
    const key = `${ipSrc(frame, o)}/${ipDst(frame, o)}/${ipId(frame, o)}/${ipProto(frame, o)}`;
    let q = this.queues.get(key);
    if (q === undefined) {
      if (this.queues.size >= MAX_QUEUES) {
        this.stats.ReasmFails++;
        return null;
      }
      const nq: FragQueue = { pieces: [], total: -1, head: null, timer: this.clock.timer(() => this.expire(key, nq)) };
      nq.timer.arm(IPFRAG_TIME_MS);
      this.queues.set(key, nq);
      q = nq;
    }
    for (const p of q.pieces) {
      if (off < p.off + p.data.length && p.off < off + data.length) return this.fail(key, q);
    }
    if (!mf) {
      if (q.total >= 0 && q.total !== off + data.length) return this.fail(key, q);
      q.total = off + data.length;
    }
    if (q.total >= 0 && off + data.length > q.total) return this.fail(key, q);
    if (q.pieces.length >= MAX_FRAGS) return this.fail(key, q);
    q.pieces.push({ off, data: data.slice() });
    if (off === 0) q.head = frame.slice(0, o + hl);
    if (q.total < 0 || q.head === null) return null;
    let have = 0;
    for (const p of q.pieces) have += p.data.length;
    if (have !== q.total) return null;
    // complete: header of the first fragment, payload in order
    q.timer.cancel();
    this.queues.delete(key);
    const head = q.head;
    const out = new Uint8Array(head.length + q.total);
    out.set(head, 0);
    for (const p of q.pieces) out.set(p.data, head.length + p.off);
    writeU16(out, o + 2, head.length - o + q.total);
    writeU16(out, o + 6, 0);
    refreshIpChecksum(out, o);
    this.stats.ReasmOKs++;
    return out;
  }

  private fail(key: string, q: FragQueue): null {
    q.timer.cancel();
    this.queues.delete(key);
    this.stats.ReasmFails++;
    return null;
  }

  private expire(key: string, q: FragQueue): void {
    this.queues.delete(key);
    this.stats.ReasmFails++;
    this.stats.ReasmTimeout++;
    if (q.head !== null) {
      // quote the first fragment: its header plus the first 8 data bytes (RFC 792)
      const first = q.pieces.find((p) => p.off === 0)!;
      const quote = new Uint8Array(q.head.length + Math.min(8, first.data.length));
      quote.set(q.head, 0);
      quote.set(first.data.subarray(0, 8), q.head.length);
      this.onTimeout(quote); // the header as received (its total length is the fragment's)
    }
  }

  dispose(): void {
    for (const q of this.queues.values()) q.timer.cancel();
    this.queues.clear();
  }
}
