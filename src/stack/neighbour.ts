import type { Timer } from '../sim/clock.js';
import type { NetDev } from '../link/netdev.js';
import { ARP_REPLY, ARP_REQUEST, buildArpFrame, parseArp } from '../wire/arp.js';
import { ETH_HLEN } from '../wire/ethernet.js';
import { MAC_BROADCAST, writeMac } from '../wire/mac.js';
import { ICMP_DEST_UNREACH, UNREACH_HOST } from '../wire/icmp.js';
import type { Namespace } from './namespace.js';

/** Neighbour states as `ip neigh` prints them (RFC 4861 §7.3.2 state machine, used by Linux ARP too). */
export type NeighState = 'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'PERMANENT';

/** Linux defaults (net.ipv4.neigh.default.*). */
const RETRANS_MS = 1000;
const MCAST_SOLICIT = 3;
const UCAST_SOLICIT = 3;
const DELAY_FIRST_PROBE_MS = 5000;
const BASE_REACHABLE_MS = 30_000;
/** unres_qlen: packets queued per entry while resolving. */
const UNRES_QLEN = 101;

export class NeighEntry {
  mac = -1;
  state: NeighState = 'INCOMPLETE';
  confirmed = 0;
  probes = 0;
  queue: Uint8Array[] = [];
  timer: Timer;
  reachableMs: number;
  constructor(readonly ip: number, readonly dev: NetDev, table: Neighbours) {
    this.timer = table.ns.clock.timer(() => table.onTimer(this));
    this.reachableMs = BASE_REACHABLE_MS * (0.5 + table.ns.prng.float());
  }
}

/** The ARP cache of one namespace: resolves next hops, queues while resolving, answers requests. */
export class Neighbours {
  private readonly byDev = new Map<NetDev, Map<number, NeighEntry>>();
  /** Packets dropped because resolution failed or the queue overflowed. */
  unresolvedDiscards = 0;

  constructor(readonly ns: Namespace) {}

  private table(dev: NetDev): Map<number, NeighEntry> {
    let t = this.byDev.get(dev);
    if (t === undefined) {
      t = new Map();
      this.byDev.set(dev, t);
    }
    return t;
  }

  entries(): NeighEntry[] {
    const out: NeighEntry[] = [];
    for (const t of this.byDev.values()) for (const e of t.values()) out.push(e);
    return out;
  }

  /** Current state with lazy REACHABLE → STALE ageing. */
  stateOf(e: NeighEntry): NeighState {
    if (e.state === 'REACHABLE' && this.ns.clock.now() - e.confirmed > e.reachableMs) e.state = 'STALE';
    return e.state;
  }

  /**
   * Send an IPv4 frame (Ethernet header space at 0..14, type already written) to `nexthop`
   * via `dev`, resolving its MAC first if needed.
   */
  output(dev: NetDev, nexthop: number, frame: Uint8Array): void {
    const t = this.table(dev);
    let e = t.get(nexthop);
    if (e !== undefined && e.mac >= 0 && e.state !== 'INCOMPLETE' && e.state !== 'FAILED') {
      const st = this.stateOf(e);
      if (st === 'STALE') {
        e.state = 'DELAY';
        e.timer.arm(DELAY_FIRST_PROBE_MS);
      }
      writeMac(frame, 0, e.mac);
      writeMac(frame, 6, dev.mac);
      dev.xmit(frame);
      return;
    }
    if (e === undefined) {
      e = new NeighEntry(nexthop, dev, this);
      t.set(nexthop, e);
    }
    if (e.state === 'FAILED' || e.queue.length === 0 && e.state !== 'INCOMPLETE') {
      e.state = 'INCOMPLETE';
      e.probes = 0;
    }
    if (e.queue.length >= UNRES_QLEN) {
      e.queue.shift();
      this.unresolvedDiscards++;
    }
    e.queue.push(frame);
    if (!e.timer.armed) this.solicit(e, MAC_BROADCAST);
  }

  private solicit(e: NeighEntry, dstMac: number): void {
    const dev = e.dev;
    const spa = this.ns.sourceFor(dev, e.ip);
    e.probes++;
    dev.xmit(buildArpFrame(dstMac, { op: ARP_REQUEST, sha: dev.mac, spa, tha: dstMac === MAC_BROADCAST ? 0 : dstMac, tpa: e.ip }));
    e.timer.arm(RETRANS_MS);
  }

  /** @internal */
  onTimer(e: NeighEntry): void {
    switch (e.state) {
      case 'INCOMPLETE':
        if (e.probes < MCAST_SOLICIT) this.solicit(e, MAC_BROADCAST);
        else this.fail(e);
        break;
      case 'DELAY':
        if (this.ns.clock.now() - e.confirmed < DELAY_FIRST_PROBE_MS) e.state = 'REACHABLE';
        else {
          e.state = 'PROBE';
          e.probes = 0;
          this.solicit(e, e.mac);
        }
        break;
      case 'PROBE':
        if (e.probes < UCAST_SOLICIT) this.solicit(e, e.mac);
        else this.fail(e);
        break;
      default:
        break;
    }
  }

  private fail(e: NeighEntry): void {
    e.state = 'FAILED';
    e.mac = -1;
    const q = e.queue;
    e.queue = [];
    // RFC 1122 §2.3.2.2 / Linux: each queued packet earns its sender a host unreachable.
    for (const f of q) {
      this.unresolvedDiscards++;
      this.ns.icmpError(f, ETH_HLEN, ICMP_DEST_UNREACH, UNREACH_HOST);
    }
  }

  /** An ARP frame received on `dev`. */
  arpInput(frame: Uint8Array, dev: NetDev): void {
    const p = parseArp(frame, ETH_HLEN);
    if (p === null || (p.op !== ARP_REQUEST && p.op !== ARP_REPLY)) {
      this.ns.stats.ArpErrors++;
      return;
    }
    const forUs = this.ns.answersArpFor(p.tpa, dev);
    const t = this.table(dev);
    const e = p.spa !== 0 ? t.get(p.spa) : undefined;
    if (e !== undefined) {
      const now = this.ns.clock.now();
      const wasWaiting = e.state === 'INCOMPLETE' || e.state === 'FAILED';
      if (e.state !== 'PERMANENT') {
        e.mac = p.sha;
        if (p.op === ARP_REPLY && p.tha === dev.mac) {
          e.state = 'REACHABLE';
          e.confirmed = now;
          e.timer.cancel();
        } else if (wasWaiting || e.state === 'REACHABLE' && this.stateOf(e) !== 'REACHABLE') {
          e.state = 'STALE';
          e.timer.cancel();
        }
      }
      if (e.queue.length > 0) {
        const q = e.queue;
        e.queue = [];
        for (const f of q) {
          writeMac(f, 0, e.mac);
          writeMac(f, 6, dev.mac);
          dev.xmit(f);
        }
      }
    } else if (forUs && p.op === ARP_REQUEST && p.spa !== 0) {
      const n = new NeighEntry(p.spa, dev, this);
      n.mac = p.sha;
      n.state = 'STALE';
      t.set(p.spa, n);
    }
    if (forUs && p.op === ARP_REQUEST) {
      dev.xmit(buildArpFrame(p.sha, { op: ARP_REPLY, sha: dev.mac, spa: p.tpa, tha: p.sha, tpa: p.spa }));
    }
  }

  /** Static entry (`ip neigh add … nud permanent`), used by overlay proxy-ARP. */
  addPermanent(dev: NetDev, ip: number, mac: number): void {
    const e = new NeighEntry(ip, dev, this);
    e.mac = mac;
    e.state = 'PERMANENT';
    this.table(dev).set(ip, e);
  }

  flushDev(dev: NetDev): void {
    const t = this.byDev.get(dev);
    if (!t) return;
    for (const e of t.values()) e.timer.cancel();
    this.byDev.delete(dev);
  }

  dispose(): void {
    for (const dev of [...this.byDev.keys()]) this.flushDev(dev);
  }
}
