import { closeSync, openSync, writeSync } from 'node:fs';
import type { Clock } from '../sim/clock.js';
import { pcapFileHeader, pcapRecord } from '../wire/pcap.js';
import type { NetDev } from './netdev.js';

/**
 * A pcap capture of everything a device sends and receives (like `tcpdump -i dev -w file`).
 * Records are buffered and written in chunks; close() flushes and detaches.
 */
export class Capture {
  private fd: number;
  private buf: Uint8Array[] = [];
  private bytes = 0;
  private detach: (() => void)[] = [];
  packets = 0;
  closed = false;

  constructor(readonly path: string, devs: NetDev[], private readonly clock: Clock, readonly direction: 'both' | 'rx' | 'tx' = 'both') {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, pcapFileHeader());
    for (const d of devs) {
      this.detach.push(
        d.addTap((frame, _dev, dir) => {
          // On lo every frame is both sent and received; libpcap drops the outgoing copy
          // (pcap-linux.c: "we'll see the packet as an incoming packet as well").
          if (d.kind === 'loopback') {
            if (dir === 'tx') return;
          } else if (this.direction !== 'both' && dir !== this.direction) return;
          this.record(frame);
        }),
      );
    }
  }

  private record(frame: Uint8Array): void {
    const r = pcapRecord(this.clock.epochMs(), frame);
    this.buf.push(r);
    this.bytes += r.length;
    this.packets++;
    if (this.bytes > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.closed || this.buf.length === 0) return;
    writeSync(this.fd, Buffer.concat(this.buf));
    this.buf = [];
    this.bytes = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    for (const d of this.detach) d();
    closeSync(this.fd);
    this.closed = true;
  }
}
