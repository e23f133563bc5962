import type { Clock } from '../sim/clock.js';

/** Per-device counters, as `ip -s link` shows them. */
export interface DevStats {
  rxPackets: number;
  rxBytes: number;
  rxErrors: number;
  rxDropped: number;
  txPackets: number;
  txBytes: number;
  txErrors: number;
  txDropped: number;
}

export function newStats(): DevStats {
  return { rxPackets: 0, rxBytes: 0, rxErrors: 0, rxDropped: 0, txPackets: 0, txBytes: 0, txErrors: 0, txDropped: 0 };
}

export type RxHandler = (frame: Uint8Array, dev: NetDev) => void;

/** A tap sees every frame a device sends or receives (capture). */
export type Tap = (frame: Uint8Array, dev: NetDev, dir: 'rx' | 'tx') => void;

export type DevKind = 'loopback' | 'veth' | 'bridge' | 'ether' | 'vxlan';

/**
 * A network device. It belongs to one namespace; frames it receives go to `rx` (the
 * namespace's input, or the bridge it is enslaved to). Subclasses implement `xmit`.
 */
export abstract class NetDev {
  abstract readonly kind: DevKind;
  readonly stats: DevStats = newStats();
  /** Where received frames go. Drops (counted) until the owner sets it. */
  rx: RxHandler = (_f, d) => {
    d.stats.rxDropped++;
  };
  taps: Tap[] | null = null;
  up = true;
  mtu = 1500;
  /**
   * Largest TCP super-segment the device carries whole (GSO/TSO, like a Linux veth, bridge or
   * lo); 0 when every frame must fit the MTU (a physical-style NIC).
   */
  gsoMaxSize = 65536;
  /** Name of the bridge this device is a port of, for `ip addr` ("master docker0"). */
  master: string | null = null;
  /** Namespace label that owns it (diagnostics). */
  owner = '';

  constructor(public name: string, public index: number, public mac: number, readonly clock: Clock) {}

  /** Send a frame out of this device. The frame must not be modified afterwards. */
  abstract xmit(frame: Uint8Array): void;

  /** Index of the peer device (veth), for `eth0@ifN`. */
  peerIndex(): number | null {
    return null;
  }

  /** Account and hand a received frame to the owner. */
  receive(frame: Uint8Array): void {
    const s = this.stats;
    if (!this.up) {
      s.rxDropped++;
      return;
    }
    s.rxPackets++;
    s.rxBytes += frame.length;
    if (this.taps !== null) for (const t of this.taps) t(frame, this, 'rx');
    this.rx(frame, this);
  }

  /** Account a transmitted frame (subclasses call this from xmit). */
  protected countTx(frame: Uint8Array): void {
    const s = this.stats;
    s.txPackets++;
    s.txBytes += frame.length;
    if (this.taps !== null) for (const t of this.taps) t(frame, this, 'tx');
  }

  addTap(t: Tap): () => void {
    (this.taps ??= []).push(t);
    return () => {
      if (!this.taps) return;
      this.taps = this.taps.filter((x) => x !== t);
      if (this.taps.length === 0) this.taps = null;
    };
  }
}
