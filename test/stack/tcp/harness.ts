/** Test-only helpers: two TCP stacks on a FakeWire, and a recording TcpHandler. */
import { createHash } from 'node:crypto';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { Tcp } from '../../../src/stack/tcp/tcp.js';
import type { TcpConnection } from '../../../src/stack/tcp/connection.js';
import type { TcpHandler } from '../../../src/stack/tcp/handler.js';
import type { TcpConfig } from '../../../src/stack/tcp/config.js';
import { FakeWire, type FakeWireOptions } from '../../support/fake-ip.js';
import { Prng } from '../../../src/sim/prng.js';
import { ipDst } from '../../../src/wire/ipv4.js';

export const A = 0x0a000001; // 10.0.0.1
export const B = 0x0a000002; // 10.0.0.2

export function pair(opts: FakeWireOptions & { config?: Partial<TcpConfig>; seedA?: number; seedB?: number } = {}) {
  const clock = new VirtualClock();
  const wire = new FakeWire(clock, opts);
  const ha = wire.host(A, opts.seedA ?? 1);
  const hb = wire.host(B, opts.seedB ?? 2);
  const a = new Tcp(ha, opts.config);
  const b = new Tcp(hb, opts.config);
  /** Advance virtual time by `ms` (VirtualClock.advance takes an absolute time). */
  const run = (ms: number): void => clock.advance(clock.now() + ms);
  return { clock, wire, ha, hb, a, b, run };
}

/** Records everything a connection reports. */
export class Recorder implements TcpHandler {
  conn: TcpConnection | null = null;
  connected = false;
  chunks: Buffer[] = [];
  bytes = 0;
  ended = false;
  closed = false;
  errno = -1;
  writable = 0;
  private hash = createHash('sha256');
  keep = true;
  /** Called on every event (for tests that act on events). */
  onEvent: ((what: string) => void) | null = null;
  onTcpConnect(c: TcpConnection): void {
    this.conn = c;
    this.connected = true;
    this.onEvent?.('connect');
  }
  onTcpData(_c: TcpConnection, d: Buffer): void {
    this.bytes += d.length;
    this.hash.update(d);
    if (this.keep) this.chunks.push(d);
    this.onEvent?.('data');
  }
  onTcpEnd(): void {
    this.ended = true;
    this.onEvent?.('end');
  }
  onTcpWritable(): void {
    this.writable++;
    this.onEvent?.('writable');
  }
  onTcpClose(_c: TcpConnection, errno: number): void {
    this.closed = true;
    this.errno = errno;
    this.onEvent?.('close');
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Accept connections on `port` of `tcp`, giving each a Recorder. */
export function acceptAll(tcp: Tcp, port: number, backlog?: number): Recorder[] {
  const got: Recorder[] = [];
  const l = tcp.listen(port, 0, backlog);
  if (typeof l === 'number') throw new Error(`listen failed ${l}`);
  l.onConnection = (c) => {
    const r = new Recorder();
    r.conn = c;
    r.connected = true;
    got.push(r);
    c.setHandler(r);
  };
  return got;
}

export function connect(tcp: Tcp, dst: number, port: number): Recorder {
  const r = new Recorder();
  const c = tcp.connect(dst, port, r);
  if (typeof c === 'number') throw new Error(`connect failed ${c}`);
  r.conn = c;
  return r;
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * A FakeWire filter that drops (`loss`), duplicates (`dup`, the copy 1–4 ms later) and
 * reorders (`reorder`: held back 3..3+`maxHold` ms) packets, deterministically from `seed`.
 */
export function impair(getWire: () => FakeWire, seed: number, loss: number, dup: number, reorder: number, maxHold = 5) {
  const rnd = new Prng(seed);
  return (pkt: Uint8Array): boolean => {
    const r = rnd.float();
    if (r < loss) return false;
    const w = getWire();
    const host = w.hosts.get(ipDst(pkt, 0));
    if (!host) return true;
    if (r < loss + dup) {
      w.clock.after(1 + rnd.float() * 3, () => host.receive(pkt));
      return true;
    }
    if (r < loss + dup + reorder) {
      w.clock.after(3 + rnd.float() * maxHold, () => host.receive(pkt));
      return false;
    }
    return true;
  };
}
