import type { L4Host, L4Protocol } from '../l4.js';
import {
  EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED, EHOSTUNREACH, ENETUNREACH,
} from '../l4.js';
import { readU16, readU32 } from '../../wire/addr.js';
import { PROTO_TCP } from '../../wire/ipv4.js';
import {
  TCP_ACK, TCP_FIN, TCP_HLEN, TCP_RST, TCP_SYN, TcpOptions, parseTcpOptions, setTcpChecksum,
  tcpAck, tcpChecksumOk, tcpDstPort, tcpFlags, tcpHlen, tcpSeq, tcpSrcPort, tcpWindow,
  writeTcpHeader, type SynOptions,
} from '../../wire/tcp.js';
import { DEFAULT_TCP_CONFIG, type TcpConfig } from './config.js';
import { TcpConnection } from './connection.js';
import { SegmentView, type TcpHandler } from './handler.js';
import { segmentArrives } from './input.js';
import { TcpListener } from './listener.js';
import { seqGe, seqGt, seqLt } from './seq.js';
import { TcpState } from './state.js';
import { TcpStats } from './stats.js';
import { Slab } from './slab.js';

export interface ConnectOptions {
  localAddress?: number;
  localPort?: number;
}

/** ICMP destination-unreachable codes → errno, as Linux's icmp_err_convert. */
function icmpErrno(type: number, code: number): number {
  if (type === 11) return EHOSTUNREACH;
  switch (code) {
    case 0: case 6: case 9: case 11: return ENETUNREACH;
    case 2: case 3: return ECONNREFUSED;
    default: return EHOSTUNREACH;
  }
}

/**
 * A namespace's TCP: demultiplexing (RFC 9293 §3.10.7), listeners, connection table,
 * resets for segments no socket wants, ICMP error handling (RFC 5927) and counters.
 */
export class Tcp implements L4Protocol {
  readonly stats = new TcpStats();
  readonly config: TcpConfig;
  /** Demux: key localPort·65536 + remotePort, chained on remote/local address. */
  private conns = new Map<number, TcpConnection>();
  private listeners = new Map<number, TcpListener>();
  private nConns = 0;
  /** Scratch objects reused by the receive and send paths. */
  private readonly opts = new TcpOptions();
  private readonly seg = new SegmentView();
  /** Segment and received-payload memory (see slab.ts). */
  readonly slab = new Slab();
  readonly sackEdges: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  readonly synOpts: SynOptions = { mss: 1460, sackPerm: true, ts: true, tsVal: 0, tsEcr: 0, wscale: 7 };

  constructor(readonly host: L4Host, config: Partial<TcpConfig> = {}) {
    this.config = { ...DEFAULT_TCP_CONFIG, ...config };
    host.registerProtocol(PROTO_TCP, this);
  }

  /** Connections in the table (any state but LISTEN, TIME_WAIT included). */
  get connectionCount(): number {
    return this.nConns;
  }

  /** All connections (for ss/netstat-like listings). */
  *connections(): IterableIterator<TcpConnection> {
    for (let c of this.conns.values()) {
      for (; c; c = c.hashNext!) yield c;
    }
  }

  *listening(): IterableIterator<TcpListener> {
    for (let l of this.listeners.values()) {
      for (; l; l = l.next!) yield l;
    }
  }

  // ------------------------------------------------------------------ sockets

  /**
   * Active open (RFC 9293 §3.10.1). Returns the connection in SYN_SENT, or a negative errno
   * (-ENETUNREACH without a route, -EADDRINUSE / -EADDRNOTAVAIL for ports). The handler is
   * attached before the SYN leaves, because the answer may arrive synchronously.
   */
  connect(dst: number, dport: number, handler: TcpHandler | null, opts: ConnectOptions = {}): TcpConnection | number {
    // Linux connects to INADDR_ANY as to the loopback address.
    if (dst === 0) dst = 0x7f000001;
    const src = opts.localAddress || this.host.routeSource(dst);
    if (src < 0) return -ENETUNREACH;
    let lport = opts.localPort ?? 0;
    if (lport !== 0) {
      if (this.lookup(src, lport, dst, dport)) return -EADDRINUSE;
    } else {
      lport = this.ephemeralPort(src, dst, dport);
      if (lport < 0) return -EADDRNOTAVAIL;
    }
    const c = new TcpConnection(this, src, lport, dst, dport);
    c.handler = handler;
    c.iss = this.host.prng.u32();
    c.sndUna = c.iss;
    c.sndNxt = (c.iss + 1) >>> 0;
    c.bufSeq = c.sndNxt;
    c.recover = c.sndUna;
    c.state = TcpState.SYN_SENT;
    this.link(c);
    this.stats.activeOpens++;
    const rc = c.sendSyn(false);
    if (rc < 0) {
      c.handler = null;
      c.done(0);
      this.stats.attemptFails++;
      return rc;
    }
    c.armRtx();
    return c;
  }

  /** Passive open. Returns the listener or -EADDRINUSE. Port 0 picks an ephemeral port. */
  listen(port: number, addr = 0, backlog = 511): TcpListener | number {
    if (port === 0) {
      port = this.ephemeralPort(addr, 0, 0);
      if (port < 0) return -EADDRNOTAVAIL;
    }
    for (let l = this.listeners.get(port) ?? null; l; l = l.next) {
      if (l.addr === 0 || addr === 0 || l.addr === addr) return -EADDRINUSE;
    }
    const l = new TcpListener(this, addr, port, Math.max(1, backlog));
    l.next = this.listeners.get(port) ?? null;
    this.listeners.set(port, l);
    return l;
  }

  /** @internal */
  unlisten(l: TcpListener): void {
    let head = this.listeners.get(l.port) ?? null;
    if (head === l) {
      if (l.next) this.listeners.set(l.port, l.next);
      else this.listeners.delete(l.port);
      return;
    }
    for (; head; head = head.next) {
      if (head.next === l) {
        head.next = l.next;
        return;
      }
    }
  }

  private findListener(addr: number, port: number): TcpListener | null {
    let any: TcpListener | null = null;
    for (let l = this.listeners.get(port) ?? null; l; l = l.next) {
      if (l.addr === addr) return l;
      if (l.addr === 0) any = l;
    }
    return any;
  }

  private ephemeralPort(src: number, dst: number, dport: number): number {
    const lo = this.config.portLow, hi = this.config.portHigh;
    const n = hi - lo + 1;
    const start = this.host.prng.int(0, n - 1);
    for (let i = 0; i < n; i++) {
      const p = lo + ((start + i) % n);
      if (this.listeners.has(p)) continue;
      if (dport === 0 ? this.portInUse(p) : this.lookup(src, p, dst, dport)) continue;
      return p;
    }
    return -1;
  }

  private portInUse(p: number): boolean {
    for (const c of this.connections()) if (c.localPort === p) return true;
    return false;
  }

  /**
   * Namespace teardown: listeners close (resetting unaccepted connections, as Linux does),
   * every other connection is dropped silently, and no timer stays armed.
   */
  close(): void {
    for (const l of [...this.listening()]) l.close();
    for (const c of [...this.connections()]) {
      c.handler = null;
      c.done(0);
    }
  }

  // ------------------------------------------------------------------ table

  lookup(laddr: number, lport: number, raddr: number, rport: number): TcpConnection | null {
    for (let c = this.conns.get(lport * 65536 + rport) ?? null; c; c = c.hashNext) {
      if (c.remoteAddr === raddr && c.localAddr === laddr) return c;
    }
    return null;
  }

  private link(c: TcpConnection): void {
    const k = c.localPort * 65536 + c.remotePort;
    c.hashNext = this.conns.get(k) ?? null;
    this.conns.set(k, c);
    this.nConns++;
  }

  /** @internal called by TcpConnection.done(). */
  unlink(c: TcpConnection): void {
    if (c.listener) {
      c.listener.embryoGone(c);
      c.listener = null;
    }
    const k = c.localPort * 65536 + c.remotePort;
    let head = this.conns.get(k) ?? null;
    if (head === c) {
      if (c.hashNext) this.conns.set(k, c.hashNext);
      else this.conns.delete(k);
      c.hashNext = null;
      this.nConns--;
      return;
    }
    for (; head; head = head.hashNext) {
      if (head.hashNext === c) {
        head.hashNext = c.hashNext;
        c.hashNext = null;
        this.nConns--;
        return;
      }
    }
  }

  // ------------------------------------------------------------------ input

  input(b: Uint8Array, _ipOff: number, l4Off: number, l4Len: number, src: number, dst: number): void {
    const stats = this.stats;
    stats.inSegs++;
    if (l4Len < TCP_HLEN || l4Off + l4Len > b.length) {
      stats.inErrs++;
      return;
    }
    const hlen = tcpHlen(b, l4Off);
    if (hlen < TCP_HLEN || hlen > l4Len) {
      stats.inErrs++;
      return;
    }
    if (!tcpChecksumOk(b, l4Off, l4Len, src, dst)) {
      stats.inErrs++;
      stats.inCsumErrors++;
      return;
    }
    const flags = tcpFlags(b, l4Off);
    // Impossible combinations (SYN+FIN, SYN+RST) are dropped, as Linux does.
    if ((flags & TCP_SYN) && (flags & (TCP_FIN | TCP_RST))) {
      stats.inErrs++;
      return;
    }
    const o = this.opts;
    parseTcpOptions(b, l4Off, hlen, o); // on malformed options, keep what parsed
    const g = this.seg;
    g.b = b;
    g.off = l4Off;
    g.len = l4Len;
    g.hlen = hlen;
    g.seq = tcpSeq(b, l4Off);
    g.ack = tcpAck(b, l4Off);
    g.wnd = tcpWindow(b, l4Off);
    g.flags = flags;
    g.dataOff = l4Off + hlen;
    g.dlen = l4Len - hlen;
    const sport = tcpSrcPort(b, l4Off);
    const dport = tcpDstPort(b, l4Off);
    const c = this.lookup(dst, dport, src, sport);
    if (c !== null) {
      // RFC 6191-style reuse: a new SYN beyond a TIME_WAIT's sequence space kills it.
      if (c.state === TcpState.TIME_WAIT && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && seqGt(g.seq, c.rcvNxt)) {
        c.done(0);
      } else {
        segmentArrives(c, g, o);
        return;
      }
    }
    const l = this.findListener(dst, dport);
    if (l !== null) {
      this.listenInput(l, g, o, src, dst, sport, dport);
      return;
    }
    this.resetClosed(g, src, dst, sport, dport);
  }

  /** §3.10.7.1: a segment for no connection gets a RST (unless it is one). */
  private resetClosed(g: SegmentView, src: number, dst: number, sport: number, dport: number): void {
    const f = g.flags;
    if (f & TCP_RST) return;
    if (f & TCP_ACK) this.sendRstRaw(dst, src, dport, sport, g.ack, 0, TCP_RST);
    else {
      const segLen = g.dlen + (f & TCP_SYN ? 1 : 0) + (f & TCP_FIN ? 1 : 0);
      this.sendRstRaw(dst, src, dport, sport, 0, (g.seq + segLen) >>> 0, TCP_RST | TCP_ACK);
    }
  }

  /** §3.10.7.2: LISTEN. */
  private listenInput(l: TcpListener, g: SegmentView, o: TcpOptions, src: number, dst: number, sport: number, dport: number): void {
    const f = g.flags;
    if (f & TCP_RST) return;
    if (f & TCP_ACK) {
      this.sendRstRaw(dst, src, dport, sport, g.ack, 0, TCP_RST);
      return;
    }
    if (!(f & TCP_SYN)) return;
    if (!l.canTakeSyn()) {
      this.stats.listenDrops++;
      return;
    }
    const c = new TcpConnection(this, dst, dport, src, sport);
    c.listener = l;
    l.embryos.add(c);
    l.synCount++;
    c.iss = this.host.prng.u32();
    c.irs = g.seq;
    c.rcvNxt = (g.seq + 1) >>> 0;
    c.negotiate(o.mss, o.wscale, o.sackPerm, o.hasTs, o.tsVal);
    c.sndUna = c.iss;
    c.sndNxt = (c.iss + 1) >>> 0;
    c.bufSeq = c.sndNxt;
    c.recover = c.sndUna;
    c.sndWnd = g.wnd; // unscaled in a SYN (RFC 7323 §2.2)
    c.sndWl1 = g.seq;
    c.state = TcpState.SYN_RECEIVED;
    this.link(c);
    this.stats.passiveOpens++;
    c.sendSyn(true);
    c.armRtx();
  }

  private challengeWindow = -1;
  private challengeCount = 0;

  /**
   * Send a challenge ACK on `c` (RFC 5961 §3.2, §4, §5.2), at most challengeAckLimit per
   * second so that the ACKs cannot be used as an amplifier or a side channel (§7).
   */
  challengeAck(c: TcpConnection): void {
    const sec = Math.floor(this.host.clock.now() / 1000);
    if (sec !== this.challengeWindow) {
      this.challengeWindow = sec;
      this.challengeCount = 0;
    }
    if (++this.challengeCount > this.config.challengeAckLimit) return;
    this.stats.challengeAcks++;
    c.sendAck();
  }

  /** Send a bare RST (no options, window 0) — also used for connections. */
  sendRstRaw(src: number, dst: number, sport: number, dport: number, seq: number, ack: number, flags: number): void {
    const seg = new Uint8Array(TCP_HLEN);
    writeTcpHeader(seg, 0, sport, dport, seq >>> 0, ack >>> 0, TCP_HLEN, flags, 0);
    setTcpChecksum(seg, 0, TCP_HLEN, src, dst);
    this.stats.outRsts++;
    this.stats.outSegs++;
    this.host.ipOutput(PROTO_TCP, src, dst, seg);
  }

  /**
   * ICMP error about a segment we sent (RFC 5927, RFC 1122 §4.2.3.9): fatal while connecting
   * (Linux aborts SYN_SENT/SYN_RECV on any unreachable), otherwise remembered as a soft error
   * reported if the connection later times out.
   */
  icmpError(type: number, code: number, q: Uint8Array, qOff: number, qLen: number): void {
    if (qLen < 20) return;
    const ihl = (q[qOff]! & 15) << 2;
    if (qLen < ihl + 8) return;
    const src = readU32(q, qOff + 12);
    const dst = readU32(q, qOff + 16);
    const t = qOff + ihl;
    const c = this.lookup(src, readU16(q, t), dst, readU16(q, t + 2));
    if (c === null) return;
    const seq = readU32(q, t + 4);
    // RFC 5927 §4.1: only errors quoting a sequence number in flight are believed.
    if (!(seqGe(seq, c.sndUna) && seqLt(seq, c.sndNxt))) return;
    if (type === 3 && code === 4) {
      // RFC 1191 §4: "fragmentation needed" carries the next-hop MTU in the ICMP header,
      // which precedes the quoted datagram. Zero (pre-RFC 1191 routers) is ignored.
      const mtu = qOff >= 8 ? readU16(q, qOff - 2) : 0;
      if (mtu >= 68) c.pmtuChanged(mtu);
      return;
    }
    const errno = icmpErrno(type, code);
    if (c.state === TcpState.SYN_SENT || (c.state === TcpState.SYN_RECEIVED && c.listener === null)) {
      this.stats.attemptFails++;
      c.done(errno);
      return;
    }
    c.softErr = errno;
  }
}
