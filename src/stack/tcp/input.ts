import { ECONNREFUSED, ECONNRESET } from '../l4.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpOptions } from '../../wire/tcp.js';
import type { TcpConnection } from './connection.js';
import type { SegmentView } from './handler.js';
import { seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';
import { TcpState } from './state.js';

/**
 * SEGMENT ARRIVES for an existing connection (RFC 9293 §3.10.7.3–4, with RFC 5961 and
 * RFC 7323 checks). Output is deferred while the segment is processed (c.busy), so data the
 * application writes from its callbacks leaves piggybacked on the ACK.
 */
export function segmentArrives(c: TcpConnection, g: SegmentView, o: TcpOptions): void {
  c.busy = true;
  try {
    if (c.state === TcpState.SYN_SENT) synSent(c, g, o);
    else if (c.state !== TcpState.CLOSED) otherStates(c, g, o);
  } finally {
    c.busy = false;
  }
  if (c.state === TcpState.CLOSED) return;
  c.output();
  if (c.state === TcpState.CLOSED || c.state === TcpState.SYN_SENT) return;
  c.scheduleAck();
}

/** §3.10.7.3: SYN-SENT. */
function synSent(c: TcpConnection, g: SegmentView, o: TcpOptions): void {
  const f = g.flags;
  const stats = c.tcp.stats;
  if (f & TCP_ACK) {
    // The only acceptable ACK is for our SYN.
    if (seqLe(g.ack, c.iss) || seqGt(g.ack, c.sndNxt)) {
      if (!(f & TCP_RST)) c.tcp.sendRstRaw(c.localAddr, c.remoteAddr, c.localPort, c.remotePort, g.ack, 0, TCP_RST);
      return;
    }
  }
  if (f & TCP_RST) {
    if (f & TCP_ACK) {
      stats.attemptFails++;
      c.done(ECONNREFUSED);
    }
    return;
  }
  if (!(f & TCP_SYN)) return;
  c.irs = g.seq;
  c.rcvNxt = (g.seq + 1) >>> 0;
  c.rcvAdv = c.rcvNxt;
  c.lastAckSent = c.rcvNxt;
  c.negotiate(o.mss, o.wscale, o.sackPerm, o.hasTs, o.tsVal);
  c.touched(c.tcp.host.clock.now());
  if (f & TCP_ACK) {
    if (c.backoff === 0) c.rto.sample(c.tcp.host.clock.now() - c.synSentAt);
    c.backoff = 0;
    c.sndUna = g.ack;
    c.bufSeq = g.ack;
    // RFC 7323 §2.2: the window of a SYN is not scaled.
    c.sndWnd = g.wnd;
    c.maxSndWnd = g.wnd;
    c.sndWl1 = g.seq;
    c.sndWl2 = g.ack;
    c.recover = c.sndUna;
    c.setState(TcpState.ESTABLISHED);
    c.rtoCancelAfterHandshake();
    c.ackNow = true;
    if (c.finQueued) c.setState(TcpState.FIN_WAIT_1);
    c.handler?.onTcpConnect(c);
    return;
  }
  // Simultaneous open (§3.10.7.3 fourth, "Otherwise"): SYN-RECEIVED, answer SYN,ACK.
  c.sndWnd = g.wnd;
  c.sndWl1 = g.seq;
  c.setState(TcpState.SYN_RECEIVED);
  c.sendSyn(true);
}

/** The acceptability test of §3.10.7.4 "first". */
function acceptable(c: TcpConnection, seq: number, segLen: number): boolean {
  const wnd = c.rcvWindow();
  const nxt = c.rcvNxt;
  if (segLen === 0) {
    if (wnd === 0) return seq === nxt;
    return seqGe(seq, nxt) && seqLt(seq, (nxt + wnd) >>> 0);
  }
  if (wnd === 0) return false;
  const end = (nxt + wnd) >>> 0;
  const last = (seq + segLen - 1) >>> 0;
  return (seqGe(seq, nxt) && seqLt(seq, end)) || (seqGe(last, nxt) && seqLt(last, end));
}

function otherStates(c: TcpConnection, g: SegmentView, o: TcpOptions): void {
  const tcp = c.tcp;
  const stats = tcp.stats;
  let f = g.flags;
  let seq = g.seq;
  c.touched(tcp.host.clock.now());

  // A SYN at IRS is the peer's SYN again: in SYN-RECEIVED with ACK it is simultaneous open's
  // SYN,ACK (trim the SYN and process the ACK); otherwise our ACK/SYN,ACK was lost: resend it.
  if ((f & TCP_SYN) && seq === c.irs && !(f & TCP_RST)) {
    if (c.state === TcpState.SYN_RECEIVED) {
      if (!(f & TCP_ACK)) {
        c.sendSyn(true);
        return;
      }
      f &= ~TCP_SYN;
      seq = (seq + 1) >>> 0;
    } else {
      c.sendAck();
      return;
    }
  }

  // RFC 7323 §5.3 PAWS: a timestamp older than TS.Recent marks an old duplicate.
  if (c.tsOk && o.hasTs && !(f & TCP_RST) && seqLt(o.tsVal, c.tsRecent)) {
    stats.pawsDrops++;
    c.sendAck();
    return;
  }

  let dlen = g.dlen;
  let dataOff = g.dataOff;
  const segLen = dlen + (f & TCP_SYN ? 1 : 0) + (f & TCP_FIN ? 1 : 0);
  if (!acceptable(c, seq, segLen)) {
    // RFC 9293 §3.10.7.4: with a zero window, still take the ACK of a segment at RCV.NXT.
    const zeroWndAtEdge = c.rcvWindow() === 0 && seq === c.rcvNxt && (f & TCP_ACK) && !(f & TCP_RST);
    if (!zeroWndAtEdge) {
      if (!(f & TCP_RST)) {
        stats.outOfWindow++;
        if (c.state === TcpState.TIME_WAIT && (f & TCP_FIN)) c.armLinger(2 * tcp.config.msl);
        c.sendAck();
      }
      return;
    }
    dlen = 0;
    f &= ~TCP_FIN;
    c.ackNow = true;
  }

  // RFC 7323 §4.3: remember the timestamp to echo (segment covers Last.ACK.sent).
  if (c.tsOk && o.hasTs && seqLe(seq, c.lastAckSent)) c.tsRecent = o.tsVal;

  // Second: RST (RFC 5961 §3.2: exact match resets, otherwise a challenge ACK).
  if (f & TCP_RST) {
    if (seq !== c.rcvNxt) {
      tcp.challengeAck(c);
      return;
    }
    resetReceived(c);
    return;
  }

  // Fourth: SYN in a synchronized state (RFC 5961 §4): challenge ACK.
  if (f & TCP_SYN) {
    c.tcp.challengeAck(c);
    return;
  }

  // Fifth: the ACK field.
  if (!(f & TCP_ACK)) return;
  if (c.state === TcpState.SYN_RECEIVED) {
    if (!(seqLt(c.sndUna, g.ack) && seqLe(g.ack, c.sndNxt))) {
      tcp.sendRstRaw(c.localAddr, c.remoteAddr, c.localPort, c.remotePort, g.ack, 0, TCP_RST);
      return;
    }
    if (!handshakeDone(c, seq, g.ack, g.wnd)) return;
  }
  if (!processAck(c, g, o, seq, dlen, f)) return;
  if (c.state === TcpState.CLOSED) return;

  // Seventh: segment text.
  if (dlen > 0) {
    const s = c.state;
    if (s === TcpState.ESTABLISHED || s === TcpState.FIN_WAIT_1 || s === TcpState.FIN_WAIT_2) {
      if (c.orphan) {
        // Data after close(): nobody will read it (Linux TCPAbortOnData).
        stats.abortOnData++;
        c.abort();
        return;
      }
      // Trim what we already have and what lies beyond the window.
      if (seqLt(seq, c.rcvNxt)) {
        const skip = seqDiff(c.rcvNxt, seq);
        seq = c.rcvNxt;
        dataOff += skip;
        dlen -= skip;
      }
      const room = seqDiff((c.rcvNxt + c.rcvWindow()) >>> 0, seq);
      if (dlen > room) {
        dlen = room;
        f &= ~TCP_FIN;
      }
      if (dlen > 0) receiveData(c, g.b, dataOff, dlen, seq);
      if (c.state === TcpState.CLOSED) return;
    }
  }

  // Eighth: FIN.
  if (f & TCP_FIN) {
    const finSeq = (seq + dlen) >>> 0;
    if (finSeq === c.rcvNxt) finReceived(c);
    else if (seqGt(finSeq, c.rcvNxt)) c.finSeqPending = finSeq;
  } else if (c.finSeqPending !== -1 && c.finSeqPending === c.rcvNxt) {
    finReceived(c);
  }
}

/** SYN-RECEIVED → ESTABLISHED. Returns false when the listener's accept queue is full. */
function handshakeDone(c: TcpConnection, seq: number, ack: number, wnd: number): boolean {
  const l = c.listener;
  if (l !== null && !l.canAccept()) {
    // Linux (tcp_abort_on_overflow = 0): drop the ACK; the SYN,ACK will be retransmitted.
    c.tcp.stats.listenOverflows++;
    c.tcp.stats.listenDrops++;
    return false;
  }
  c.sndUna = ack;
  c.bufSeq = ack;
  c.sndWnd = wnd << c.sndShift;
  c.maxSndWnd = c.sndWnd;
  c.sndWl1 = seq;
  c.sndWl2 = ack;
  c.recover = ack;
  if (c.backoff === 0) c.rto.sample(c.tcp.host.clock.now() - c.synSentAt);
  c.backoff = 0;
  c.rtoCancelAfterHandshake();
  c.setState(c.finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED);
  if (l !== null) {
    c.listener = null;
    l.established(c);
  } else {
    c.handler?.onTcpConnect(c);
  }
  return c.state !== TcpState.CLOSED;
}

/** An acceptable RST (§3.10.7.4 second). */
function resetReceived(c: TcpConnection): void {
  const stats = c.tcp.stats;
  switch (c.state) {
    case TcpState.SYN_RECEIVED:
      // Passive: back to LISTEN (the embryo just vanishes); active (simultaneous open): refused.
      stats.attemptFails++;
      c.done(c.listener !== null ? 0 : ECONNREFUSED);
      return;
    case TcpState.ESTABLISHED:
    case TcpState.CLOSE_WAIT:
      stats.estabResets++;
      c.done(ECONNRESET);
      return;
    case TcpState.FIN_WAIT_1:
    case TcpState.FIN_WAIT_2:
      c.done(ECONNRESET);
      return;
    default:
      c.done(0); // CLOSING, LAST_ACK, TIME_WAIT
  }
}

/** §3.10.7.4 fifth, synchronized states. Returns false when the segment must be dropped. */
function processAck(c: TcpConnection, g: SegmentView, o: TcpOptions, seq: number, dlen: number, f: number): boolean {
  const ack = g.ack;
  if (seqGt(ack, c.sndNxt)) {
    // Acknowledges something not yet sent.
    c.sendAck();
    return false;
  }
  // RFC 5961 §5.2: too old to be in any window we ever had.
  if (seqLt(ack, (c.sndUna - c.maxSndWnd - 1) >>> 0)) {
    c.tcp.challengeAck(c);
    return false;
  }
  let finAcked = false;
  let newlySacked = 0;
  if (c.sackOk && o.sackCount > 0) newlySacked = c.sb.update(o.sack, o.sackCount, c.sndUna, c.sndNxt);
  if (seqGt(ack, c.sndUna)) {
    c.updateWindow(seq, ack, g.wnd);
    finAcked = c.onNewAck(ack);
    if (c.state === TcpState.CLOSED) return false;
  } else {
    const oldWnd = c.sndWnd;
    c.updateWindow(seq, ack, g.wnd);
    // RFC 5681 §2 duplicate ACK (or RFC 6675 new SACK information).
    const isDup = ack === c.sndUna && c.sndNxt !== c.sndUna && dlen === 0 &&
      !(f & (TCP_SYN | TCP_FIN)) && c.sndWnd === oldWnd;
    if (isDup || newlySacked > 0) c.onDupAck();
  }
  switch (c.state) {
    case TcpState.FIN_WAIT_1:
      if (finAcked) {
        c.setState(TcpState.FIN_WAIT_2);
        if (c.orphan) c.armLinger(c.tcp.config.finTimeout);
      }
      break;
    case TcpState.CLOSING:
      if (finAcked) {
        c.enterTimeWait();
        return false;
      }
      break;
    case TcpState.LAST_ACK:
      if (finAcked) {
        c.done(0);
        return false;
      }
      break;
    case TcpState.TIME_WAIT:
      break;
  }
  return true;
}

/** In-window data at or after RCV.NXT: deliver in order, queue the rest (§3.10.7.4 seventh). */
function receiveData(c: TcpConnection, b: Uint8Array, off: number, len: number, seq: number): void {
  if (len > c.rcvMss) c.rcvMss = Math.min(len, c.advMss);
  if (seq !== c.rcvNxt) {
    c.tcp.stats.ofoQueue++;
    c.reasm.insert(seq, b, off, len);
    c.ackNow = true; // RFC 5681 §4.2: out-of-order data is ACKed at once (with SACK blocks)
    return;
  }
  // Copy the payload once, out of the shared packet.
  const data = c.tcp.slab.alloc(len);
  data.set(b.subarray(off, off + len));
  c.rcvNxt = (c.rcvNxt + len) >>> 0;
  const hadHoles = !c.reasm.empty;
  c.deliver(data);
  if (hadHoles) {
    let next: Uint8Array | null;
    while ((next = c.reasm.shift(c.rcvNxt)) !== null) {
      c.rcvNxt = (c.rcvNxt + next.length) >>> 0;
      c.deliver(Buffer.from(next.buffer, next.byteOffset, next.length));
      if (c.state === TcpState.CLOSED) return;
    }
    c.ackNow = true; // a segment that fills a hole is ACKed at once
  }
  if (c.finSeqPending !== -1 && c.finSeqPending === c.rcvNxt) finReceived(c);
}

/** The peer's FIN is in sequence (§3.10.7.4 eighth). */
function finReceived(c: TcpConnection): void {
  if (c.finReceived) {
    c.ackNow = true;
    return;
  }
  c.finReceived = true;
  c.finSeqPending = -1;
  c.rcvNxt = (c.rcvNxt + 1) >>> 0;
  c.ackNow = true;
  switch (c.state) {
    case TcpState.SYN_RECEIVED:
    case TcpState.ESTABLISHED:
      c.setState(TcpState.CLOSE_WAIT);
      break;
    case TcpState.FIN_WAIT_1:
      c.setState(TcpState.CLOSING);
      break;
    case TcpState.FIN_WAIT_2:
      c.sendAck();
      c.deliverEnd();
      if ((c.state as number) !== TcpState.CLOSED) c.enterTimeWait();
      return;
    default:
      return;
  }
  c.deliverEnd();
}
