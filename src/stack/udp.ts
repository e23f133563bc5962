import type { L4Host, L4Protocol } from './l4.js';
import { EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED, EHOSTUNREACH, EINVAL, EMSGSIZE, ENETUNREACH } from './l4.js';
import type { Timer } from '../sim/clock.js';
import { readU16, readU32, IP_ANY, IP_BROADCAST } from '../wire/addr.js';
import { buildUdp, udpChecksumOk, UDP_HLEN } from '../wire/udp.js';
import { PROTO_UDP } from '../wire/ipv4.js';

/** errno values this module adds to the shared set (Linux numbering). */
export const EACCES = 13;
export const EISCONN = 106;
export const EDESTADDRREQ = 89;
export const ENOPROTOOPT = 92;
export const EBADF = 9;

/** Linux net.ipv4.ip_local_port_range defaults. */
export const EPHEMERAL_LOW = 32768;
export const EPHEMERAL_HIGH = 60999;
/** Linux net.core.rmem_default. */
export const RCVBUF_DEFAULT = 212992;
/** Per-datagram accounting overhead, roughly an skb's truesize beyond the payload. */
const DGRAM_OVERHEAD = 256;
/** Largest UDP payload in one IPv4 datagram (RFC 768 length field minus headers). */
const MAX_PAYLOAD = 65535 - 20 - UDP_HLEN;

/** `netstat -s` "Udp:" counters (Linux /proc/net/snmp names). */
export interface UdpStats {
  InDatagrams: number;
  NoPorts: number;
  InErrors: number;
  OutDatagrams: number;
  RcvbufErrors: number;
  SndbufErrors: number;
  InCsumErrors: number;
  /** Broadcasts nobody listened to (not NoPorts: Linux __udp4_lib_mcast_deliver). */
  IgnoredMulti: number;
}

/** The two `Udp:` lines of /proc/net/snmp. */
export function udpSnmpLines(s: UdpStats): string {
  const keys = ['InDatagrams', 'NoPorts', 'InErrors', 'OutDatagrams', 'RcvbufErrors', 'SndbufErrors', 'InCsumErrors', 'IgnoredMulti'] as const;
  return `Udp: ${keys.join(' ')} MemErrors\nUdp: ${keys.map((k) => s[k]).join(' ')} 0\n`;
}

export interface UdpDatagram {
  data: Uint8Array;
  address: number;
  port: number;
  /** Local address it was sent to (may be a broadcast address). */
  dst: number;
}

export type UdpMessageHandler = (data: Uint8Array, address: number, port: number, dst: number) => void;

/**
 * A UDP socket (RFC 768). Received datagrams wait in a byte-limited queue like a socket's
 * receive buffer; with `onMessage` set the queue is drained at the next clock event (the
 * "process wakes up"), so handlers never run re-entrantly inside the packet path.
 */
export class UdpSocket {
  localAddress = IP_ANY;
  localPort = 0;
  remoteAddress = IP_ANY;
  remotePort = 0;
  broadcast = false;
  rcvbuf = RCVBUF_DEFAULT;
  ttl = 64;
  closed = false;
  /** Pending asynchronous error (SO_ERROR), e.g. ECONNREFUSED from ICMP port unreachable. */
  soError = 0;
  private handler: UdpMessageHandler | null = null;
  /** Called (from the drain) with a positive errno for asynchronous errors on connected sockets. */
  onError: ((errno: number) => void) | null = null;

  private queue: UdpDatagram[] = [];
  private qHead = 0;
  private queued = 0;
  private drainTimer: Timer | null = null;
  private readers: Array<(d: UdpDatagram | null) => void> = [];

  constructor(readonly udp: Udp) {}

  /** Push-style delivery; setting it drains anything already queued at the next event. */
  get onMessage(): UdpMessageHandler | null {
    return this.handler;
  }
  set onMessage(h: UdpMessageHandler | null) {
    this.handler = h;
    if (h && this.qHead < this.queue.length) this.wake();
  }

  get bound(): boolean {
    return this.localPort !== 0;
  }
  get connected(): boolean {
    return this.remotePort !== 0;
  }
  /** Bytes currently waiting in the receive queue (as accounted against rcvbuf). */
  get queuedBytes(): number {
    return this.queued;
  }

  /** bind(2). Returns 0 or a negative errno. Port 0 picks an ephemeral port. */
  bind(address = IP_ANY, port = 0): number {
    if (this.closed) return -EBADF;
    if (this.bound) return -EINVAL;
    return this.udp.bindSocket(this, address >>> 0, port);
  }

  /** connect(2): fixes the default destination and filters incoming datagrams by source. */
  connect(address: number, port: number): number {
    if (this.closed) return -EBADF;
    if (port <= 0 || port > 65535) return -EINVAL;
    address >>>= 0;
    if (address === IP_BROADCAST && !this.broadcast) return -EACCES;
    if (this.localAddress === IP_ANY) {
      const src = this.udp.host.routeSource(address);
      if (src < 0) return -ENETUNREACH;
      if (this.bound) this.udp.rehome(this, src >>> 0);
      else {
        const r = this.udp.bindSocket(this, src >>> 0, 0);
        if (r < 0) return r;
      }
    }
    this.remoteAddress = address;
    this.remotePort = port;
    this.soError = 0;
    return 0;
  }

  /** connect(AF_UNSPEC): back to an unconnected socket (the local address stays). */
  disconnect(): void {
    this.remoteAddress = IP_ANY;
    this.remotePort = 0;
  }

  /**
   * send/sendto. Returns the payload length or a negative errno. An unbound socket is
   * auto-bound to an ephemeral port on INADDR_ANY, as Linux does on the first send.
   */
  send(data: Uint8Array, address?: number, port?: number): number {
    if (this.closed) return -EBADF;
    let dst: number;
    let dport: number;
    if (address === undefined || port === undefined) {
      if (!this.connected) return -EDESTADDRREQ;
      dst = this.remoteAddress;
      dport = this.remotePort;
    } else {
      // Linux lets sendto() name any destination even on a connected UDP socket.
      dst = address >>> 0;
      dport = port;
    }
    if (dport <= 0 || dport > 65535) return -EINVAL;
    if (data.length > MAX_PAYLOAD) return -EMSGSIZE;
    // Sending to a broadcast address needs SO_BROADCAST (Linux: EACCES).
    if (dst === IP_BROADCAST && !this.broadcast) return -EACCES;
    if (this.soError) {
      const e = this.soError;
      this.soError = 0;
      return -e;
    }
    if (!this.bound) {
      const r = this.udp.bindSocket(this, IP_ANY, 0);
      if (r < 0) return r;
    }
    return this.udp.output(this, data, dst, dport);
  }

  /** Take the oldest queued datagram, or null. */
  read(): UdpDatagram | null {
    if (this.qHead >= this.queue.length) return null;
    const d = this.queue[this.qHead]!;
    this.queue[this.qHead++] = undefined as unknown as UdpDatagram;
    if (this.qHead > 64 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
    this.queued -= d.data.length + DGRAM_OVERHEAD;
    return d;
  }

  /** Wait for the next datagram (null once the socket is closed). */
  recv(): Promise<UdpDatagram | null> {
    const d = this.read();
    if (d || this.closed) return Promise.resolve(d);
    return new Promise((resolve) => this.readers.push(resolve));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.udp.unbind(this);
    this.drainTimer?.cancel();
    const rs = this.readers;
    this.readers = [];
    for (const r of rs) r(null);
  }

  /** @internal called by Udp.input for a datagram that matched this socket. */
  enqueue(data: Uint8Array, address: number, port: number, dst: number): boolean {
    const cost = data.length + DGRAM_OVERHEAD;
    if (this.queued + cost > this.rcvbuf) return false;
    if (this.readers.length > 0 && this.qHead >= this.queue.length) {
      this.readers.shift()!({ data, address, port, dst });
      return true;
    }
    this.queue.push({ data, address, port, dst });
    this.queued += cost;
    if (this.handler) this.wake();
    return true;
  }

  /** @internal an ICMP error reported for a datagram this connected socket sent. */
  setError(errno: number): void {
    this.soError = errno;
    this.wake();
  }

  private wake(): void {
    if (!this.drainTimer) this.drainTimer = this.udp.host.clock.timer(() => this.drain());
    if (!this.drainTimer.armed) this.drainTimer.arm(0);
  }

  private drain(): void {
    if (this.soError && this.onError) {
      const e = this.soError;
      this.soError = 0;
      this.onError(e);
    }
    const h = this.handler;
    if (!h) return;
    let d: UdpDatagram | null;
    while (!this.closed && this.handler === h && (d = this.read())) h(d.data, d.address, d.port, d.dst);
  }
}

/**
 * UDP for one namespace: port demultiplexing, checksums, ICMP port unreachable, counters.
 */
export class Udp implements L4Protocol {
  readonly stats: UdpStats = {
    InDatagrams: 0,
    NoPorts: 0,
    InErrors: 0,
    OutDatagrams: 0,
    RcvbufErrors: 0,
    SndbufErrors: 0,
    InCsumErrors: 0,
    IgnoredMulti: 0,
  };
  /** Sockets by local port; several only when their local addresses differ. */
  private ports = new Map<number, UdpSocket[]>();

  constructor(readonly host: L4Host) {
    host.registerProtocol(PROTO_UDP, this);
  }

  socket(): UdpSocket {
    return new UdpSocket(this);
  }

  /** Sockets currently bound (for `ss -u`-like listings). */
  sockets(): UdpSocket[] {
    const out: UdpSocket[] = [];
    for (const l of this.ports.values()) out.push(...l);
    return out;
  }

  /** @internal */
  bindSocket(s: UdpSocket, address: number, port: number): number {
    if (address !== IP_ANY && address !== IP_BROADCAST && !this.host.isLocalAddress(address)) return -EADDRNOTAVAIL;
    if (port === 0) {
      port = this.ephemeral(address);
      if (port < 0) return -EADDRINUSE;
    } else if (this.conflicts(port, address)) return -EADDRINUSE;
    s.localAddress = address;
    s.localPort = port;
    const l = this.ports.get(port);
    if (l) l.push(s);
    else this.ports.set(port, [s]);
    return 0;
  }

  /** @internal connect() on a socket bound to ANY fixes its local address. */
  rehome(s: UdpSocket, address: number): void {
    s.localAddress = address;
  }

  /** @internal */
  unbind(s: UdpSocket): void {
    if (!s.localPort) return;
    const l = this.ports.get(s.localPort);
    if (!l) return;
    const i = l.indexOf(s);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) this.ports.delete(s.localPort);
  }

  private conflicts(port: number, address: number): boolean {
    const l = this.ports.get(port);
    if (!l) return false;
    for (const o of l) {
      if (o.localAddress === IP_ANY || address === IP_ANY || o.localAddress === address) return true;
    }
    return false;
  }

  /** Random start in the local port range, then a linear probe (like Linux's inet_csk_get_port). */
  private ephemeral(address: number): number {
    const n = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    const start = this.host.prng.int(0, n - 1);
    for (let i = 0; i < n; i++) {
      const p = EPHEMERAL_LOW + ((start + i) % n);
      if (!this.conflicts(p, address)) return p;
    }
    return -1;
  }

  /** @internal */
  output(s: UdpSocket, data: Uint8Array, dst: number, dport: number): number {
    let src = s.localAddress;
    if (src === IP_ANY || src === IP_BROADCAST) {
      src = this.host.routeSource(dst);
      if (src < 0) return -ENETUNREACH;
      src >>>= 0;
    }
    const seg = buildUdp(src, dst, s.localPort, dport, data);
    const r = this.host.ipOutput(PROTO_UDP, src, dst, seg, s.ttl !== 64 ? { ttl: s.ttl } : undefined);
    if (r < 0) {
      if (r !== -ENETUNREACH) this.stats.SndbufErrors++;
      return r;
    }
    this.stats.OutDatagrams++;
    return data.length;
  }

  input(b: Uint8Array, ipOff: number, l4Off: number, l4Len: number, src: number, dst: number): void {
    // RFC 768: the length field covers header + data; anything beyond it is IP padding.
    if (l4Len < UDP_HLEN) {
      this.stats.InErrors++;
      return;
    }
    const len = readU16(b, l4Off + 4);
    if (len < UDP_HLEN || len > l4Len) {
      this.stats.InErrors++;
      return;
    }
    // RFC 1122 §4.1.3.4: a datagram with a bad checksum is silently discarded.
    if (!udpChecksumOk(src, dst, b, l4Off, len)) {
      this.stats.InCsumErrors++;
      this.stats.InErrors++;
      return;
    }
    const sport = readU16(b, l4Off);
    const dport = readU16(b, l4Off + 2);
    const l = this.ports.get(dport);
    const pOff = l4Off + UDP_HLEN;
    const pLen = len - UDP_HLEN;
    const local = this.host.isLocalAddress(dst);
    if (!local) {
      // Broadcast (limited or directed): every socket on the port bound to ANY or to that
      // broadcast address gets a copy (Linux __udp4_lib_mcast_deliver).
      let n = 0;
      if (l) {
        for (const s of l) {
          if (s.localAddress !== IP_ANY && s.localAddress !== dst) continue;
          if (s.connected && (s.remoteAddress !== src || s.remotePort !== sport)) continue;
          n++;
          this.deliver(s, b.slice(pOff, pOff + pLen), src, sport, dst);
        }
      }
      // RFC 1122 §3.2.2.1: no port unreachable for broadcasts.
      if (n === 0) this.stats.IgnoredMulti++;
      return;
    }
    const s = l ? this.lookup(l, dst, src, sport) : null;
    if (!s) {
      this.stats.NoPorts++;
      // RFC 1122 §4.1.3.1: SHOULD send ICMP Port Unreachable.
      this.host.icmpError(b, ipOff, 3, 3);
      return;
    }
    this.deliver(s, b.slice(pOff, pOff + pLen), src, sport, dst);
  }

  private deliver(s: UdpSocket, data: Uint8Array, src: number, sport: number, dst: number): void {
    if (s.enqueue(data, src, sport, dst)) this.stats.InDatagrams++;
    else {
      this.stats.RcvbufErrors++;
      this.stats.InErrors++;
    }
  }

  /** Best match: exact local address beats ANY; a connected socket only takes its peer. */
  private lookup(l: UdpSocket[], dst: number, src: number, sport: number): UdpSocket | null {
    let best: UdpSocket | null = null;
    let bestScore = -1;
    for (let i = 0; i < l.length; i++) {
      const s = l[i]!;
      let score = 0;
      if (s.localAddress !== IP_ANY) {
        if (s.localAddress !== dst) continue;
        score += 2;
      }
      if (s.connected) {
        if (s.remoteAddress !== src || s.remotePort !== sport) continue;
        score += 4;
      }
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }

  /**
   * ICMP error about a datagram we sent (RFC 1122 §4.1.3.3: pass it to the application).
   * Like Linux without IP_RECVERR, only connected sockets hear about it.
   */
  icmpError(type: number, code: number, q: Uint8Array, qOff: number, qLen: number): void {
    const hl = (q[qOff]! & 15) * 4;
    if (hl < 20 || qLen < hl + 4) return;
    const qsrc = readU32(q, qOff + 12);
    const qdst = readU32(q, qOff + 16);
    const sport = readU16(q, qOff + hl);
    const dport = readU16(q, qOff + hl + 2);
    const l = this.ports.get(sport);
    if (!l) return;
    for (const s of l) {
      if (!s.connected || s.remoteAddress !== qdst || s.remotePort !== dport) continue;
      if (s.localAddress !== IP_ANY && s.localAddress !== qsrc) continue;
      const e = icmpToErrno(type, code);
      if (e) s.setError(e);
      return;
    }
  }
}

/** Linux icmp_err_convert for destination unreachable; time exceeded → EHOSTUNREACH. */
export function icmpToErrno(type: number, code: number): number {
  if (type === 11) return EHOSTUNREACH;
  if (type !== 3) return 0;
  switch (code) {
    case 0:
      return ENETUNREACH;
    case 2:
      return ENOPROTOOPT;
    case 3:
      return ECONNREFUSED;
    case 4:
      return EMSGSIZE;
    case 9:
    case 10:
      return EACCES;
    default:
      return EHOSTUNREACH;
  }
}
