import { L4_HEADROOM } from '../l4.js';
import type { Timer } from '../../sim/clock.js';
import { EMSGSIZE, ETIMEDOUT } from '../l4.js';
import {
  TCP_ACK, TCP_FIN, TCP_HLEN, TCP_PSH, TCP_RST, TCP_SYN,
  setTcpChecksum, synOptionsLength, writeSackOption, writeSynOptions, writeTcpHeader, writeTsOption,
} from '../../wire/tcp.js';
import { PROTO_TCP } from '../../wire/ipv4.js';
import type { Tcp } from './tcp.js';
import type { TcpHandler } from './handler.js';
import type { TcpListener } from './listener.js';
import { NewReno } from './congestion.js';
import { SYN_WINDOW, SYNACK_WINDOW, DEFAULT_PEER_MSS, OUR_WSCALE } from './config.js';
import { Reassembly } from './reassembly.js';
import { RtoEstimator } from './rto.js';
import { Scoreboard } from './sack.js';
import { SendBuffer } from './send-buffer.js';
import { seqDiff, seqGe, seqGt, seqLt, seqMax, seqMin } from './seq.js';
import { TcpState, TCP_STATE_NAMES } from './state.js';

/**
 * One connection's TCB (RFC 9293 §3.3.1) with its output path and timers. The arrival of
 * segments is processed in input.ts; this file owns what the application can ask for and
 * everything the connection sends.
 */
export class TcpConnection {
  state: number = TcpState.CLOSED;
  handler: TcpHandler | null = null;
  /** Listener this passive connection belongs to until accepted. */
  listener: TcpListener | null = null;
  /** Next connection in the same demux bucket. */
  hashNext: TcpConnection | null = null;
  /** The application closed it (no handler); the stack finishes the close alone. */
  orphan = false;

  // --- send sequence space (RFC 9293 §3.3.1)
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  maxSndWnd = 0;
  /** Shift applied to the peer's window field (its WS option) and to ours (RFC 7323 §2). */
  sndShift = 0;
  rcvShift = 0;
  /** Payload bytes per segment (peer MSS, our MTU, minus the TS option). */
  mss = DEFAULT_PEER_MSS;
  /** MSS we advertise. */
  advMss = 1460;
  readonly sendBuf = new SendBuffer();
  /** Sequence number of the first byte in sendBuf. */
  bufSeq = 0;
  /** The application shut down its sending side: a FIN follows the queued data. */
  finQueued = false;
  private wantWritable = false;

  // --- receive sequence space
  irs = 0;
  rcvNxt = 0;
  /** Right edge of the window we last advertised. */
  rcvAdv = 0;
  lastAckSent = 0;
  /** Largest segment seen from the peer (Linux rcv_mss): two of them trigger an ACK. */
  rcvMss = DEFAULT_PEER_MSS;
  readonly reasm = new Reassembly();
  /** In-order data not yet taken by the application (paused reader or not accepted yet). */
  private rcvQueue: Buffer[] = [];
  rcvQueued = 0;
  readPaused = false;
  /** Peer FIN received (RCV side closed). */
  finReceived = false;
  /** Sequence number of an out-of-order FIN, or -1. */
  finSeqPending = -1;
  private endPending = false;

  // --- options
  tsOk = false;
  tsRecent = 0;
  private tsOffset = 0;
  sackOk = false;

  // --- retransmission, RTT, congestion (RFC 6298, 5681, 6582, 6675)
  readonly rto: RtoEstimator;
  readonly cc: NewReno;
  readonly sb = new Scoreboard();
  backoff = 0;
  private rttActive = false;
  private rttSeq = 0;
  private rttTime = 0;
  synSentAt = 0;
  dupAcks = 0;
  /** In fast recovery (RFC 6582/6675) or in loss recovery after an RTO. */
  inRecovery = false;
  lossMode = false;
  recover = 0;
  highRxt = 0;
  /** Retransmit the segment at SND.UNA even if pipe ≥ cwnd (RFC 6582 §3.2 step 4). */
  forceFirst = false;
  softErr = 0;
  /** ipOutput refused a GSO-sized segment (EMSGSIZE): this route only takes MTU-sized ones. */
  private gsoOff = false;

  // --- options set by the application
  noDelay = false;
  keepalive = false;
  keepIdle: number;
  private kaProbesOut = 0;
  lastRecv = 0;
  persistBackoff = 0;

  // --- re-entrancy guards: input defers output; output is not nested
  busy = false;
  private inOutput = false;
  private outputAgain = false;
  ackNow = false;

  private rtxTimer: Timer;
  private rtxDeadline = 0;
  private delackTimer: Timer;
  private persistTimer: Timer | null = null;
  private kaTimer: Timer | null = null;
  /** TIME_WAIT and orphaned FIN_WAIT_2 expiry. */
  private lingerTimer: Timer | null = null;

  constructor(
    readonly tcp: Tcp,
    readonly localAddr: number,
    readonly localPort: number,
    readonly remoteAddr: number,
    readonly remotePort: number,
  ) {
    const cfg = tcp.config;
    this.rto = new RtoEstimator(cfg.initialRto, cfg.minRto, cfg.maxRto);
    const mtu = tcp.host.routeMtu(remoteAddr);
    this.advMss = Math.max(88, mtu - 40);
    this.cc = new NewReno(DEFAULT_PEER_MSS, cfg.initCwnd);
    this.keepIdle = cfg.keepaliveTime;
    this.tsOffset = tcp.host.prng.u32();
    const clock = tcp.host.clock;
    this.rtxTimer = clock.timer(() => this.onRtxTimer());
    this.delackTimer = clock.timer(() => this.onDelackTimer());
    this.lastRecv = clock.now();
  }

  get stateName(): string {
    return TCP_STATE_NAMES[this.state]!;
  }

  /** Bytes queued for sending (written by the application and not yet acknowledged). */
  get bufferedAmount(): number {
    return this.sendBuf.length;
  }

  /** `ss`/`netstat` Recv-Q: received bytes the application has not read. */
  get recvQueue(): number {
    return this.rcvQueued;
  }

  /** `ss`/`netstat` Send-Q: bytes not yet acknowledged by the peer. */
  get sendQueue(): number {
    return this.sendBuf.length;
  }

  // ------------------------------------------------------------------ application API

  /**
   * Queue data for sending (the chunk is kept by reference: don't mutate it afterwards).
   * Returns false when the send buffer is over its limit: wait for onTcpWritable.
   */
  write(data: Uint8Array): boolean {
    if (this.finQueued || this.state === TcpState.CLOSED || this.state === TcpState.TIME_WAIT) return false;
    this.sendBuf.push(data);
    this.output();
    if (this.sendBuf.length >= this.tcp.config.sndBuf) {
      this.wantWritable = true;
      return false;
    }
    return true;
  }

  /** Half-close (shutdown(SHUT_WR)): send FIN after the queued data (RFC 9293 §3.10.4). */
  shutdown(): void {
    if (this.finQueued) return;
    switch (this.state) {
      case TcpState.SYN_SENT:
      case TcpState.SYN_RECEIVED:
        this.finQueued = true; // sent once established
        return;
      case TcpState.ESTABLISHED:
        this.finQueued = true;
        this.setState(TcpState.FIN_WAIT_1);
        break;
      case TcpState.CLOSE_WAIT:
        this.finQueued = true;
        this.setState(TcpState.LAST_ACK);
        break;
      default:
        return;
    }
    this.output();
  }

  /**
   * close(): the application lets go. Unread received data makes it an abort (RST, RFC 2525
   * §2.17, as Linux does); otherwise the stack finishes the orderly close on its own.
   */
  close(): void {
    this.handler = null;
    this.orphan = true;
    if (this.state === TcpState.CLOSED) return;
    if (this.state === TcpState.SYN_SENT) {
      this.done(0);
      return;
    }
    if (this.rcvQueued > 0) {
      this.tcp.stats.abortOnClose++;
      this.abort();
      return;
    }
    this.shutdown();
    if (this.state === TcpState.FIN_WAIT_2) this.armLinger(this.tcp.config.finTimeout);
  }

  /** Abort: send RST (in synchronized states) and forget the connection (RFC 9293 §3.10.5). */
  abort(): void {
    this.handler = null;
    const s = this.state;
    if (s === TcpState.CLOSED) return;
    if (s === TcpState.SYN_RECEIVED || (s >= TcpState.ESTABLISHED && s !== TcpState.TIME_WAIT)) {
      this.sendRst(this.sndNxt);
    }
    this.done(0);
  }

  setNoDelay(on: boolean): void {
    this.noDelay = on;
    if (on) this.output();
  }

  /** SO_KEEPALIVE with TCP_KEEPIDLE = idleMs (0: keep the configured idle time). */
  setKeepAlive(on: boolean, idleMs = 0): void {
    this.keepalive = on;
    if (idleMs > 0) this.keepIdle = idleMs;
    if (on) {
      this.kaTimer ??= this.tcp.host.clock.timer(() => this.onKeepaliveTimer());
      if (this.state >= TcpState.ESTABLISHED) this.kaTimer.arm(this.keepIdle);
    } else {
      this.kaTimer?.cancel();
    }
  }

  /** Stop (true) or resume (false) handing data to the application; the window reflects it. */
  setReadPaused(paused: boolean): void {
    this.readPaused = paused;
    if (paused) return;
    this.flushReceived();
  }

  /** Attach the application (for accepted connections). Data that arrived before is delivered. */
  setHandler(h: TcpHandler): void {
    this.handler = h;
    this.flushReceived();
  }

  // ------------------------------------------------------------------ receive side helpers

  /** Hand in-order data to the application, or hold it while paused (window shrinks). */
  deliver(buf: Buffer): void {
    const h = this.handler;
    if (h !== null && !this.readPaused && this.rcvQueued === 0) {
      h.onTcpData(this, buf);
    } else {
      this.rcvQueue.push(buf);
      this.rcvQueued += buf.length;
    }
  }

  /** The peer's FIN is in order: tell the application once its data is out. */
  deliverEnd(): void {
    if (this.rcvQueued > 0 || this.handler === null) {
      this.endPending = true;
      return;
    }
    this.handler.onTcpEnd(this);
  }

  private flushReceived(): void {
    const before = this.rcvQueued;
    while (this.rcvQueue.length > 0 && !this.readPaused && this.handler !== null) {
      const b = this.rcvQueue.shift()!;
      this.rcvQueued -= b.length;
      this.handler.onTcpData(this, b);
      if (this.state === TcpState.CLOSED) return;
    }
    if (this.endPending && this.rcvQueued === 0 && this.handler !== null) {
      this.endPending = false;
      this.handler.onTcpEnd(this);
    }
    if (before > 0 && !this.busy) this.maybeWindowUpdate();
  }

  /** Bytes of receive buffer free for the peer. */
  private rcvFree(): number {
    const f = this.tcp.config.rcvBuf - this.rcvQueued;
    return f > 0 ? f : 0;
  }

  /** Window we may accept into: what we advertised, or more if the buffer allows. */
  rcvWindow(): number {
    const adv = seqDiff(this.rcvAdv, this.rcvNxt);
    const free = this.rcvFree();
    return adv > free ? adv : free;
  }

  /**
   * The window field for an outgoing segment; records the advertised right edge. Never shrinks
   * the window (RFC 9293 §3.8.6.2.2, RFC 7323 §2.4) and avoids silly-window growth (§3.8.6.2.2).
   */
  private windowField(): number {
    const cur = seqDiff(this.rcvAdv, this.rcvNxt);
    let w = this.rcvFree();
    if (w < cur) w = cur;
    else if (cur > 0 && w - cur < Math.min(this.tcp.config.rcvBuf >> 1, this.advMss)) w = cur;
    const shift = this.rcvShift;
    let f = Math.ceil(w / (1 << shift));
    if (f > 0xffff) f = 0xffff;
    this.rcvAdv = (this.rcvNxt + f * (1 << shift)) >>> 0;
    return f;
  }

  /** After the application read: announce a window that opened substantially. */
  private maybeWindowUpdate(): void {
    if (this.state < TcpState.ESTABLISHED || this.state === TcpState.TIME_WAIT) return;
    const cur = seqDiff(this.rcvAdv, this.rcvNxt);
    const free = this.rcvFree();
    if (free - cur >= 2 * this.advMss && (cur < this.advMss || free >= 2 * cur)) this.sendAck();
  }

  // ------------------------------------------------------------------ output

  private tsVal(): number {
    return (Math.floor(this.tcp.host.clock.now()) + this.tsOffset) >>> 0;
  }

  /**
   * Build and send one segment: `dlen` payload bytes from the send buffer at `seq`, plus TS and
   * SACK options. The only allocation is the segment itself; payload is copied once.
   */
  private xmit(seq: number, dlen: number, flags: number): number {
    const tcp = this.tcp;
    let optLen = this.tsOk ? 12 : 0;
    let nSack = 0;
    if (this.sackOk && !this.reasm.empty) {
      // Room left in the header for SACK blocks without exceeding the MTU (Linux shrinks the
      // payload instead; dropping blocks from full segments keeps the path simple).
      const room = Math.min(40 - optLen, this.mss + (this.tsOk ? 12 : 0) - optLen - dlen);
      const max = Math.min(4, (room - 4) >> 3);
      if (max > 0) {
        nSack = this.reasm.sackBlocks(tcp.sackEdges, max);
        if (nSack > 0) optLen += 4 + 8 * nSack;
      }
    }
    const hlen = TCP_HLEN + optLen;
    // Built after L4_HEADROOM bytes so the namespace writes IP/Ethernet in place (no copy).
    const frame = tcp.slab.alloc(L4_HEADROOM + hlen + dlen);
    const seg = frame.subarray(L4_HEADROOM);
    const ackv = (flags & TCP_ACK) !== 0 ? this.rcvNxt : 0;
    writeTcpHeader(seg, 0, this.localPort, this.remotePort, seq, ackv, hlen, flags, this.windowField());
    let o = TCP_HLEN;
    if (this.tsOk) o += writeTsOption(seg, o, this.tsVal(), this.tsRecent);
    if (nSack > 0) writeSackOption(seg, o, tcp.sackEdges, nSack);
    if (dlen > 0) this.sendBuf.copyOut(seqDiff(seq, this.bufSeq), dlen, seg, hlen);
    setTcpChecksum(seg, 0, seg.length, this.localAddr, this.remoteAddr);
    if ((flags & TCP_ACK) !== 0) {
      this.lastAckSent = this.rcvNxt;
      this.ackNow = false;
      if (this.delackTimer.armed) this.delackTimer.cancel();
    }
    tcp.stats.outSegs++;
    const h = tcp.host;
    return h.ipOutputFrame !== undefined
      ? h.ipOutputFrame(PROTO_TCP, this.localAddr, this.remoteAddr, frame)
      : h.ipOutput(PROTO_TCP, this.localAddr, this.remoteAddr, seg);
  }

  /** SYN (active open) or SYN/ACK (passive or simultaneous open), with Linux's options. */
  sendSyn(ack: boolean): number {
    const cfg = this.tcp.config;
    const synOpts = this.tcp.synOpts;
    synOpts.mss = this.advMss;
    synOpts.sackPerm = ack ? this.sackOk : cfg.sack;
    synOpts.ts = ack ? this.tsOk : cfg.timestamps;
    synOpts.tsVal = this.tsVal();
    synOpts.tsEcr = ack ? this.tsRecent : 0;
    synOpts.wscale = (ack ? this.rcvShift > 0 : cfg.windowScaling) ? OUR_WSCALE : -1;
    const optLen = synOptionsLength(synOpts);
    const hlen = TCP_HLEN + optLen;
    const seg = new Uint8Array(hlen);
    // RFC 7323 §2.2: the window in a SYN is never scaled.
    const win = ack ? SYNACK_WINDOW : SYN_WINDOW;
    writeTcpHeader(seg, 0, this.localPort, this.remotePort, this.iss, ack ? this.rcvNxt : 0, hlen, ack ? TCP_SYN | TCP_ACK : TCP_SYN, win);
    writeSynOptions(seg, TCP_HLEN, synOpts);
    setTcpChecksum(seg, 0, hlen, this.localAddr, this.remoteAddr);
    if (ack) {
      this.rcvAdv = (this.rcvNxt + win) >>> 0;
      this.lastAckSent = this.rcvNxt;
    }
    this.synSentAt = this.tcp.host.clock.now();
    this.tcp.stats.outSegs++;
    return this.tcp.host.ipOutput(PROTO_TCP, this.localAddr, this.remoteAddr, seg);
  }

  /** A pure ACK (also the answer to unacceptable segments and the challenge ACK). */
  sendAck(): void {
    this.xmit(this.sndNxt, 0, TCP_ACK);
  }

  sendRst(seq: number): void {
    this.tcp.sendRstRaw(this.localAddr, this.remoteAddr, this.localPort, this.remotePort, seq, 0, TCP_RST);
  }

  /** Keepalive / zero-window probe: SEG.SEQ = SND.UNA - 1, no data, so the peer must ACK. */
  private sendProbe(): void {
    this.xmit((this.sndUna - 1) >>> 0, 0, TCP_ACK);
  }

  /** Bytes in the network as RFC 6675 §4 "pipe" estimates them. */
  pipe(): number {
    const out = seqDiff(this.sndNxt, this.sndUna);
    let p = out;
    if (this.sackOk) p -= this.sb.sackedBytes;
    else p -= Math.min(this.dupAcks * this.mss, out); // Linux's "reno sack" estimate
    if (this.inRecovery || this.lossMode) {
      const from = seqMax(this.highRxt, this.sndUna);
      const lost = this.lostEnd();
      if (seqGt(lost, from)) p -= this.sackOk ? this.sb.unsackedBetween(from, lost) : seqDiff(lost, from);
    }
    return p > 0 ? p : 0;
  }

  /** End of the range considered lost: everything after an RTO, the holes below the highest SACK in fast recovery. */
  private lostEnd(): number {
    if (this.lossMode) return seqMin(this.recover, this.sndNxt);
    const hs = this.sb.highSacked(this.sndUna);
    const first = seqMin((this.sndUna + this.mss) >>> 0, this.sndNxt);
    return seqMax(hs, this.forceFirst ? first : this.sndUna);
  }

  /** Largest new-data segment: the MSS, or a GSO multiple of it (config.gsoMaxSize). */
  private segMax(): number {
    const gso = this.tcp.config.gsoMaxSize;
    if (gso <= 0 || this.gsoOff) return this.mss;
    // IPv4 total length ≤ 65535 with a 20-byte IP header and up to 60 bytes of TCP header.
    const k = Math.floor(Math.min(gso, 65455) / this.mss);
    return k > 1 ? k * this.mss : this.mss;
  }

  /** Can data/FIN be sent in this state? */
  private canSendData(): boolean {
    const s = this.state;
    return s === TcpState.ESTABLISHED || s === TcpState.CLOSE_WAIT || s === TcpState.FIN_WAIT_1 ||
      s === TcpState.CLOSING || s === TcpState.LAST_ACK;
  }

  /**
   * Send what windows allow: first retransmissions of lost data (recovery), then new data,
   * with Nagle (RFC 896 / RFC 9293 §3.7.4) and sender SWS avoidance (§3.8.6.2.1).
   */
  output(): void {
    if (this.busy) return; // input calls us when it is done
    if (this.inOutput) {
      this.outputAgain = true;
      return;
    }
    if (!this.canSendData()) return;
    this.inOutput = true;
    try {
      do {
        this.outputAgain = false;
        this.outputLoop();
      } while (this.outputAgain && this.canSendData());
    } finally {
      this.inOutput = false;
    }
  }

  private outputLoop(): void {
    const stats = this.tcp.stats;
    for (;;) {
      if (!this.canSendData()) return;
      const mss = this.mss;
      const dataEnd = (this.bufSeq + this.sendBuf.length) >>> 0;
      // 1. Retransmit lost data (RFC 6675 §5 NextSeg rule 1; RFC 6582 partial ACKs).
      if (this.inRecovery || this.lossMode) {
        const from = seqMax(this.highRxt, this.sndUna);
        const lost = this.lostEnd();
        const s = this.sackOk ? this.sb.nextHole(from, lost) : seqLt(from, lost) ? from : -1;
        if (s !== -1) {
          const holeEnd = this.sackOk ? this.sb.holeEnd : lost;
          const span = Math.min(seqDiff(holeEnd, s), mss);
          const force = this.forceFirst && s === this.sndUna;
          if (force || this.pipe() + span <= this.cc.cwnd) {
            // State first: delivery may be synchronous and re-enter this connection.
            this.forceFirst = false;
            stats.retransSegs++;
            this.rttActive = false; // Karn (RFC 6298 §3)
            this.highRxt = (s + span) >>> 0;
            if (!this.rtxTimer.armed) this.armRtx();
            this.sendRange(s, span, dataEnd);
            continue;
          }
          return;
        }
      }
      // 2. New data (and the FIN after it).
      const finSeq = dataEnd;
      const sndEnd = this.finQueued ? (finSeq + 1) >>> 0 : finSeq;
      if (!seqLt(this.sndNxt, sndEnd)) return;
      let dlen = seqDiff(dataEnd, this.sndNxt);
      if (dlen < 0) dlen = 0;
      if (dlen > 0) {
        const wndLeft = seqDiff((this.sndUna + this.sndWnd) >>> 0, this.sndNxt);
        const cwndLeft = this.cc.cwnd - this.pipe();
        let n = Math.min(dlen, this.segMax(), wndLeft, cwndLeft);
        if (n <= 0) {
          if (wndLeft <= 0) this.armPersistIfIdle();
          return;
        }
        const inFlight = this.sndNxt !== this.sndUna;
        if (n < mss && n < dlen) {
          // Congestion-limited to a partial segment: wait for ACKs to open cwnd.
          if (n === cwndLeft && cwndLeft < wndLeft) return;
          // Window-limited to less than half the peer's largest window: wait (SWS, §3.8.6.2.1);
          // the persist timer doubles as the override timeout when nothing is in flight.
          if (n < (this.maxSndWnd >> 1)) {
            if (!inFlight) this.armPersistIfIdle();
            return;
          }
        } else if (n < mss && inFlight && !this.noDelay && !this.finQueued) {
          // Nagle: hold a small tail while data is unacknowledged, unless a FIN follows.
          return;
        }
        const withFin = this.finQueued && n === dlen;
        if (withFin) n += 1;
        const seq = this.sndNxt;
        this.sndNxt = (seq + n) >>> 0;
        if (!this.rttActive) {
          this.rttActive = true;
          this.rttSeq = this.sndNxt;
          this.rttTime = this.tcp.host.clock.now();
        }
        if (!this.rtxTimer.armed) this.armRtx();
        if (this.sendRange(seq, n, dataEnd) === -EMSGSIZE && n > mss && this.sndNxt === ((seq + n) >>> 0)) {
          // The route cannot carry GSO-sized packets: fall back to MSS-sized segments.
          this.gsoOff = true;
          this.sndNxt = seq;
          this.rttActive = false;
        }
        continue;
      }
      // Only the FIN is left: it needs no window.
      const seq = this.sndNxt;
      this.sndNxt = (seq + 1) >>> 0;
      if (!this.rtxTimer.armed) this.armRtx();
      this.sendRange(seq, 1, dataEnd);
      return;
    }
  }

  /** Send the sequence range [seq, seq+span): payload from the buffer, FIN if it covers the FIN. */
  private sendRange(seq: number, span: number, dataEnd: number): number {
    let dlen = seqDiff(dataEnd, seq);
    if (dlen > span) dlen = span;
    if (dlen < 0) dlen = 0;
    let flags = TCP_ACK;
    if (this.finQueued && dlen < span) flags |= TCP_FIN;
    if (dlen > 0 && ((seq + dlen) >>> 0) === dataEnd) flags |= TCP_PSH;
    return this.xmit(seq, dlen, flags);
  }

  // ------------------------------------------------------------------ ACK processing helpers

  /**
   * SND.UNA advanced to `ack` (RFC 9293 §3.10.7.4 fifth; RFC 5681/6582/6675 recovery).
   * Returns true when our FIN is now acknowledged.
   */
  onNewAck(ack: number): boolean {
    const acked = seqDiff(ack, this.sndUna);
    const dataAcked = Math.min(Math.max(seqDiff(ack, this.bufSeq), 0), this.sendBuf.length);
    if (dataAcked > 0) {
      this.sendBuf.ack(dataAcked);
      this.bufSeq = (this.bufSeq + dataAcked) >>> 0;
    }
    const outstandingBefore = seqDiff(this.sndNxt, this.sndUna);
    this.sndUna = ack;
    if (seqLt(this.highRxt, ack)) this.highRxt = ack;
    this.sb.ackTo(ack);
    const now = this.tcp.host.clock.now();
    if (this.rttActive && seqGe(ack, this.rttSeq)) {
      this.rttActive = false;
      this.rto.sample(now - this.rttTime);
    }
    this.backoff = 0;
    if (this.lossMode) {
      if (seqGe(ack, this.recover)) this.lossMode = false;
      this.cc.onAck(acked);
    } else if (this.inRecovery) {
      if (seqGe(ack, this.recover)) {
        this.inRecovery = false;
        this.dupAcks = 0;
        this.cc.onRecoveryEnd(seqDiff(this.sndNxt, this.sndUna));
      } else if (!this.sackOk) {
        // Partial ACK (RFC 6582 §3.2 step 5): resend the next segment at once.
        this.forceFirst = true;
        this.dupAcks = 0;
      }
    } else {
      this.dupAcks = 0;
      this.cc.onAck(Math.min(acked, outstandingBefore));
    }
    // RFC 6298 §5.2/5.3: stop the timer when all is acknowledged, else restart it.
    if (this.sndUna === this.sndNxt) this.rtxTimer.cancel();
    else this.armRtx();
    const finAcked = this.finQueued && this.sendBuf.length === 0 && ack === ((this.bufSeq + 1) >>> 0);
    if (this.wantWritable && this.sendBuf.length < this.tcp.config.sndBuf) {
      this.wantWritable = false;
      this.handler?.onTcpWritable(this);
    }
    return finAcked;
  }

  /** A duplicate ACK or new SACK information: maybe enter fast recovery (RFC 5681 §3.2, RFC 6675 §5). */
  onDupAck(): void {
    if (this.inRecovery || this.lossMode) return;
    this.dupAcks++;
    this.tcp.stats.dupAcks++;
    const mss = this.mss;
    const enough = this.dupAcks >= 3 || (this.sackOk && this.sb.sackedBytes >= 3 * mss);
    // RFC 6582 §3.2 step 1: not again for the same window of data.
    if (!enough || !seqGe(this.sndUna, this.recover)) return;
    const stats = this.tcp.stats;
    stats.fastRetrans++;
    if (this.sackOk) stats.sackRecovery++;
    else stats.renoRecovery++;
    this.cc.onFastRetransmit(seqDiff(this.sndNxt, this.sndUna));
    this.inRecovery = true;
    this.recover = this.sndNxt;
    this.highRxt = this.sndUna;
    this.forceFirst = true;
  }

  /** The peer's window field (RFC 9293 §3.10.7.4 SND.WL1/WL2 rule). */
  updateWindow(seq: number, ack: number, wndField: number): void {
    if (seqLt(this.sndWl1, seq) || (this.sndWl1 === seq && seqGe(ack, this.sndWl2))) {
      const w = wndField << this.sndShift;
      const opened = w > this.sndWnd;
      this.sndWnd = w;
      this.sndWl1 = seq;
      this.sndWl2 = ack;
      if (w > this.maxSndWnd) this.maxSndWnd = w;
      if (opened && w > 0 && this.persistTimer?.armed) {
        this.persistTimer.cancel();
        this.persistBackoff = 0;
      }
    }
  }

  /**
   * Path MTU dropped (RFC 1191 §6.4, RFC 9293 §3.7.3): shrink the MSS and resend what is
   * outstanding in smaller segments at once, without a congestion response (Linux
   * tcp_simple_retransmit).
   */
  pmtuChanged(mtu: number): void {
    const mss = mtu - 40 - (this.tsOk ? 12 : 0);
    if (mss >= this.mss || mss < 48) return;
    this.mss = mss;
    this.cc.mss = mss;
    if (this.sndUna === this.sndNxt || !this.canSendData()) return;
    this.inRecovery = false;
    this.lossMode = true;
    this.recover = this.sndNxt;
    this.highRxt = this.sndUna;
    this.forceFirst = true;
    this.rttActive = false;
    this.output();
  }

  // ------------------------------------------------------------------ timers

  /** Our SYN was acknowledged: its retransmission timer stops (data may re-arm it). */
  rtoCancelAfterHandshake(): void {
    this.rtxTimer.cancel();
  }

  /**
   * (Re)start the retransmission timer (RFC 6298 §5). Restarting happens on nearly every ACK,
   * so a later deadline is only recorded: the timer fires at its old time and re-arms for
   * the remainder (cheap on both clocks; a real clock would otherwise churn host timers).
   */
  armRtx(): void {
    const d = this.rto.backedOff(this.backoff);
    this.rtxDeadline = this.tcp.host.clock.now() + d;
    const t = this.rtxTimer;
    if (t.armed && t.expires <= this.rtxDeadline) return;
    t.arm(d);
  }

  private armPersistIfIdle(): void {
    if (this.sndNxt !== this.sndUna || this.rtxTimer.armed) return;
    this.persistTimer ??= this.tcp.host.clock.timer(() => this.onPersistTimer());
    if (!this.persistTimer.armed) this.persistTimer.arm(this.rto.backedOff(this.persistBackoff));
  }

  private onPersistTimer(): void {
    if (!this.canSendData()) return;
    const pending = seqDiff((this.bufSeq + this.sendBuf.length) >>> 0, this.sndNxt);
    if (pending <= 0) return;
    if (this.sndWnd === 0) {
      // RFC 9293 §3.8.6.1: probe the zero window (Linux-style: a segment the peer must ACK).
      this.tcp.stats.winProbes++;
      this.sendProbe();
    } else {
      // SWS override timeout: send what fits.
      const n = Math.min(pending, this.sndWnd, this.mss);
      const dataEnd = (this.bufSeq + this.sendBuf.length) >>> 0;
      const seq = this.sndNxt;
      this.sndNxt = (seq + n) >>> 0;
      this.armRtx();
      this.sendRange(seq, n, dataEnd);
      return;
    }
    if (this.persistBackoff < 16) this.persistBackoff++;
    this.persistTimer!.arm(this.rto.backedOff(this.persistBackoff));
  }

  private onRtxTimer(): void {
    const now = this.tcp.host.clock.now();
    if (now < this.rtxDeadline) {
      this.rtxTimer.arm(this.rtxDeadline - now);
      return;
    }
    const s = this.state;
    const cfg = this.tcp.config;
    const stats = this.tcp.stats;
    if (s === TcpState.CLOSED || s === TcpState.TIME_WAIT) return;
    stats.timeouts++;
    if (s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED) {
      const limit = s === TcpState.SYN_SENT ? cfg.synRetries : cfg.synAckRetries;
      if (this.backoff >= limit) {
        stats.attemptFails++;
        this.done(this.softErr || ETIMEDOUT);
        return;
      }
      this.backoff++;
      stats.retransSegs++;
      this.sendSyn(s === TcpState.SYN_RECEIVED);
      this.armRtx();
      return;
    }
    if (this.sndUna === this.sndNxt) return;
    if (this.backoff >= cfg.retries2) {
      stats.abortOnTimeout++;
      this.done(this.softErr || ETIMEDOUT);
      return;
    }
    // RFC 6298 §5.4–5.6 and RFC 5681 §3.1: back off, collapse cwnd, resend from SND.UNA.
    this.cc.onTimeout(this.pipe(), this.backoff === 0);
    this.backoff++;
    this.inRecovery = false;
    this.lossMode = true;
    this.recover = this.sndNxt;
    this.highRxt = this.sndUna;
    this.dupAcks = 0;
    this.forceFirst = true;
    this.rttActive = false;
    this.armRtx();
    this.output();
  }

  private onDelackTimer(): void {
    if (this.state < TcpState.ESTABLISHED || this.state === TcpState.TIME_WAIT) return;
    if (this.lastAckSent !== this.rcvNxt) {
      this.tcp.stats.delayedAcks++;
      this.sendAck();
    }
  }

  /** Schedule the ACK for received data: now, or after the delayed-ACK timeout (RFC 9293 §3.8.6.3, RFC 5681 §4.2). */
  scheduleAck(): void {
    if (this.ackNow || seqDiff(this.rcvNxt, this.lastAckSent) >= 2 * this.rcvMss) {
      this.sendAck();
    } else if (this.rcvNxt !== this.lastAckSent && !this.delackTimer.armed) {
      this.delackTimer.arm(this.tcp.config.delAckMs);
    }
  }

  /** Any segment from the peer resets keepalive accounting. */
  touched(now: number): void {
    this.lastRecv = now;
    this.kaProbesOut = 0;
  }

  private onKeepaliveTimer(): void {
    if (!this.keepalive) return;
    const s = this.state;
    if (s !== TcpState.ESTABLISHED && s !== TcpState.CLOSE_WAIT && s !== TcpState.FIN_WAIT_2) return;
    const cfg = this.tcp.config;
    const now = this.tcp.host.clock.now();
    const idle = now - this.lastRecv;
    if (this.kaProbesOut === 0 && idle < this.keepIdle) {
      this.kaTimer!.arm(this.keepIdle - idle);
      return;
    }
    if (this.sndUna !== this.sndNxt || this.sendBuf.length > 0) {
      // Data in flight: the retransmission timer watches the peer.
      this.kaTimer!.arm(this.keepIdle);
      return;
    }
    if (this.kaProbesOut >= cfg.keepaliveProbes) {
      this.sendRst(this.sndNxt);
      this.done(this.softErr || ETIMEDOUT);
      return;
    }
    this.kaProbesOut++;
    this.tcp.stats.keepaliveProbes++;
    this.sendProbe();
    this.kaTimer!.arm(cfg.keepaliveIntvl);
  }

  armLinger(ms: number): void {
    this.lingerTimer ??= this.tcp.host.clock.timer(() => this.onLingerTimer());
    this.lingerTimer.arm(ms);
  }

  private onLingerTimer(): void {
    if (this.state === TcpState.FIN_WAIT_2) this.tcp.stats.abortOnLinger++;
    this.done(0);
  }

  // ------------------------------------------------------------------ state

  setState(s: number): void {
    const old = this.state;
    if (old === s) return;
    const wasEst = old === TcpState.ESTABLISHED || old === TcpState.CLOSE_WAIT;
    const isEst = s === TcpState.ESTABLISHED || s === TcpState.CLOSE_WAIT;
    if (wasEst && !isEst) this.tcp.stats.currEstab--;
    else if (!wasEst && isEst) this.tcp.stats.currEstab++;
    this.state = s;
    if (s === TcpState.ESTABLISHED && this.keepalive) this.kaTimer?.arm(this.keepIdle);
  }

  /** Negotiated options from the peer's SYN (RFC 7323 §2.3, §3.2; RFC 2018 §2; RFC 9293 §3.7.1). */
  negotiate(peerMss: number, peerWs: number, sackPerm: boolean, hasTs: boolean, tsVal: number): void {
    const cfg = this.tcp.config;
    this.sackOk = cfg.sack && sackPerm;
    this.tsOk = cfg.timestamps && hasTs;
    if (this.tsOk) this.tsRecent = tsVal;
    if (cfg.windowScaling && peerWs >= 0) {
      this.sndShift = peerWs;
      this.rcvShift = OUR_WSCALE;
    } else {
      this.sndShift = 0;
      this.rcvShift = 0;
    }
    const pm = peerMss > 0 ? peerMss : DEFAULT_PEER_MSS;
    this.mss = Math.max(64, Math.min(pm, this.advMss) - (this.tsOk ? 12 : 0));
    this.cc.mss = this.mss;
    this.cc.cwnd = cfg.initCwnd * this.mss;
    this.rcvMss = Math.min(this.mss, DEFAULT_PEER_MSS);
  }

  /** Enter TIME_WAIT (RFC 9293 §3.10.7.4: 2×MSL). */
  enterTimeWait(): void {
    this.setState(TcpState.TIME_WAIT);
    this.rtxTimer.cancel();
    this.persistTimer?.cancel();
    this.kaTimer?.cancel();
    this.delackTimer.cancel();
    this.sendBuf.clear();
    this.reasm.clear();
    this.armLinger(2 * this.tcp.config.msl);
    this.notifyClosed(0);
  }

  private notifyClosed(errno: number): void {
    const h = this.handler;
    this.handler = null;
    // Data the application never read is gone with it.
    if (h !== null) h.onTcpClose(this, errno);
  }

  /** The connection is gone: CLOSED, timers stopped, removed from the tables. */
  done(errno: number): void {
    if (this.state === TcpState.CLOSED) return;
    this.setState(TcpState.CLOSED);
    this.rtxTimer.cancel();
    this.delackTimer.cancel();
    this.persistTimer?.cancel();
    this.kaTimer?.cancel();
    this.lingerTimer?.cancel();
    this.sendBuf.clear();
    this.reasm.clear();
    this.tcp.unlink(this);
    if (this.endPending && errno === 0 && this.handler !== null && this.rcvQueued === 0) {
      this.endPending = false;
      this.handler.onTcpEnd(this);
    }
    this.notifyClosed(errno);
    this.rcvQueue.length = 0;
    this.rcvQueued = 0;
  }

  /** Human-readable summary (ss-like), for debugging and tests. */
  toString(): string {
    return `${this.stateName} ${this.localPort}->${this.remotePort} una=${this.sndUna} nxt=${this.sndNxt} rcv=${this.rcvNxt} cwnd=${this.cc.cwnd}`;
  }
}

