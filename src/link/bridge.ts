import type { Clock } from '../sim/clock.js';
import { readMac } from '../wire/mac.js';
import { NetDev } from './netdev.js';

/** Linux's default FDB ageing time (brctl setageing / ageing_time): 300 s. */
export const DEFAULT_AGEING_MS = 300_000;

interface FdbEntry {
  port: NetDev;
  updated: number;
  /** Set when the entry leaves the FDB, so per-port caches drop it. */
  dead: boolean;
}

/**
 * Per-port state (Linux's net_bridge_port): a one-entry cache of the last source and the last
 * destination seen on this port. A port behind a veth almost always carries one MAC talking
 * to a few peers, so most frames skip both FDB lookups.
 */
class BridgePort {
  /** Cached MACs as int halves (high 16 bits, low 32 bits): compared without float math. */
  srcHi = -1;
  srcLo = 0;
  srcEntry: FdbEntry | null = null;
  dstHi = -1;
  dstLo = 0;
  dstEntry: FdbEntry | null = null;
  constructor(readonly dev: NetDev) {}
}

export interface BridgeStats {
  forwarded: number;
  flooded: number;
  /** Frames whose destination was learned on the ingress port (never sent back). */
  filtered: number;
  /** Frames too short to carry an Ethernet header. */
  runts: number;
}

/**
 * A Linux bridge: a learning switch whose own device (docker0, br-…) is the self-port in
 * the host namespace. Frames received on a port are learned by source MAC, then forwarded to
 * the port that owns the destination, flooded when it is unknown or a group address, and
 * never sent back out the port they came in on. Frames for the bridge's own MAC (and
 * floods) also go up to the host stack through this device.
 */
export class BridgeDev extends NetDev {
  readonly kind = 'bridge' as const;
  readonly ports: NetDev[] = [];
  readonly fdb = new Map<number, FdbEntry>();
  ageingMs = DEFAULT_AGEING_MS;
  readonly bstats: BridgeStats = { forwarded: 0, flooded: 0, filtered: 0, runts: 0 };

  constructor(name: string, index: number, mac: number, clock: Clock) {
    super(name, index, mac, clock);
  }

  addPort(dev: NetDev): void {
    dev.master = this.name;
    const bp = new BridgePort(dev);
    dev.rx = (frame) => this.input(frame, bp);
    this.ports.push(dev);
  }

  removePort(dev: NetDev): void {
    const i = this.ports.indexOf(dev);
    if (i >= 0) this.ports.splice(i, 1);
    dev.master = null;
    for (const [mac, e] of this.fdb) {
      if (e.port === dev) {
        e.dead = true;
        this.fdb.delete(mac);
      }
    }
  }

  /** A frame arriving on a port. */
  private input(frame: Uint8Array, bp: BridgePort): void {
    const inPort = bp.dev;
    if (frame.length < 14) {
      this.bstats.runts++;
      inPort.stats.rxErrors++;
      return;
    }
    const now = this.clock.now();
    // Learn the source unless it is a group address (never a valid source).
    if ((frame[6]! & 1) === 0) {
      const hi = (frame[6]! << 8) | frame[7]!;
      const lo = (frame[8]! << 24) | (frame[9]! << 16) | (frame[10]! << 8) | frame[11]!;
      let e = bp.srcEntry;
      if (lo !== bp.srcLo || hi !== bp.srcHi || e === null || e.dead) {
        const src = readMac(frame, 6);
        e = this.fdb.get(src) ?? null;
        if (e === null) {
          e = { port: inPort, updated: now, dead: false };
          this.fdb.set(src, e);
        }
        bp.srcHi = hi;
        bp.srcLo = lo;
        bp.srcEntry = e;
      }
      e.port = inPort;
      e.updated = now;
    }
    if ((frame[0]! & 1) !== 0) {
      this.flood(frame, inPort);
      this.receive(frame); // broadcast/multicast also goes up to the host stack
      return;
    }
    const hi = (frame[0]! << 8) | frame[1]!;
    const lo = (frame[2]! << 24) | (frame[3]! << 16) | (frame[4]! << 8) | frame[5]!;
    let e = bp.dstEntry;
    if (lo !== bp.dstLo || hi !== bp.dstHi || e === null || e.dead) {
      const dst = readMac(frame, 0);
      if (dst === this.mac) {
        this.receive(frame);
        return;
      }
      e = this.fdb.get(dst) ?? null;
      bp.dstHi = hi;
      bp.dstLo = lo;
      bp.dstEntry = e;
    }
    if (e !== null) {
      if (now - e.updated <= this.ageingMs) {
        if (e.port === inPort) {
          this.bstats.filtered++;
          return;
        }
        this.bstats.forwarded++;
        e.port.xmit(frame);
        return;
      }
      e.dead = true;
      this.fdb.delete(readMac(frame, 0));
      bp.dstEntry = null;
    }
    this.flood(frame, inPort);
  }

  /** The host stack sending out of the bridge device (e.g. docker0 → a container). */
  xmit(frame: Uint8Array): void {
    this.countTx(frame);
    if ((frame[0]! & 1) !== 0) {
      this.flood(frame, null);
      return;
    }
    const e = this.fdb.get(readMac(frame, 0));
    if (e !== undefined && this.clock.now() - e.updated <= this.ageingMs) {
      this.bstats.forwarded++;
      e.port.xmit(frame);
    } else this.flood(frame, null);
  }

  private flood(frame: Uint8Array, inPort: NetDev | null): void {
    this.bstats.flooded++;
    const ports = this.ports;
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i]!;
      if (p !== inPort) p.xmit(frame);
    }
  }

  /** `bridge fdb show`-like rows. */
  fdbRows(): { mac: number; port: string; ageMs: number }[] {
    const now = this.clock.now();
    return [...this.fdb].map(([mac, e]) => ({ mac, port: e.port.name, ageMs: now - e.updated }));
  }
}
