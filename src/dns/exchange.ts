/**
 * One DNS exchange over UDP from a namespace: a fresh connected socket on an ephemeral port
 * (what glibc, musl and Go all do), a reply matched by ID and source, a clock-based timeout.
 */
import type { Udp } from '../stack/udp.js';
import { FLAG_QR, HEADER_LEN, msgFlags, msgId } from './message.js';

export type ExchangeResult =
  | { ok: true; response: Uint8Array }
  | { ok: false; reason: 'timeout' | 'refused' | 'unreachable' | 'error'; errno?: number };

export function udpExchange(udp: Udp, server: number, port: number, query: Uint8Array, timeoutMs: number): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const s = udp.socket();
    let done = false;
    const t = udp.host.clock.timer(() => finish({ ok: false, reason: 'timeout' }));
    function finish(r: ExchangeResult): void {
      if (done) return;
      done = true;
      t.cancel();
      s.close();
      resolve(r);
    }
    const id = msgId(query);
    s.onMessage = (data) => {
      // RFC 5452 §9.1-style matching: same ID, a response, from the server we asked
      // (the connected socket already filters the source).
      if (data.length < HEADER_LEN || msgId(data) !== id || !(msgFlags(data) & FLAG_QR)) return;
      finish({ ok: true, response: data });
    };
    s.onError = (errno) => finish({ ok: false, reason: errno === 111 ? 'refused' : 'unreachable', errno });
    let r = s.connect(server, port);
    if (r >= 0) r = s.send(query);
    if (r < 0) {
      finish({ ok: false, reason: 'unreachable', errno: -r });
      return;
    }
    t.arm(timeoutMs);
  });
}

/** A forwarder for EmbeddedDnsBackend.forward over a namespace's UDP (port 53). */
export function createUdpForwarder(udp: Udp, port = 53): (query: Uint8Array, server: number, timeoutMs: number) => Promise<Uint8Array | null> {
  return (query, server, timeoutMs) => udpExchange(udp, server, port, query, timeoutMs).then((r) => (r.ok ? r.response : null));
}

/**
 * A resolver's long-lived socket to one nameserver (glibc keeps one per server for the whole
 * res_send, so a late reply to an earlier try still counts: retries resend the same ID).
 */
export class DnsChannel {
  private readonly sock: ReturnType<Udp['socket']>;
  private inbox: Uint8Array[] = [];
  private waiter: { id: number; done: (r: ExchangeResult) => void } | null = null;
  private refused = 0;
  readonly openErrno: number;

  constructor(private readonly udp: Udp, server: number, port = 53) {
    this.sock = udp.socket();
    this.sock.onMessage = (data) => {
      if (data.length < HEADER_LEN || !(msgFlags(data) & FLAG_QR)) return;
      const w = this.waiter;
      if (w && msgId(data) === w.id) w.done({ ok: true, response: data });
      else this.inbox.push(data);
    };
    this.sock.onError = (errno) => {
      const w = this.waiter;
      if (w) w.done({ ok: false, reason: errno === 111 ? 'refused' : 'unreachable', errno });
      else this.refused = errno;
    };
    const r = this.sock.connect(server, port);
    this.openErrno = r < 0 ? -r : 0;
  }

  /** Send a query; 0 or a negative errno. */
  send(query: Uint8Array): number {
    const r = this.sock.send(query);
    return r < 0 ? r : 0;
  }

  /** Wait up to `timeoutMs` for a response with `id` (one already received counts). */
  wait(id: number, timeoutMs: number): Promise<ExchangeResult> {
    const i = this.inbox.findIndex((d) => msgId(d) === id);
    if (i >= 0) return Promise.resolve({ ok: true, response: this.inbox.splice(i, 1)[0]! });
    if (this.refused) {
      const e = this.refused;
      this.refused = 0;
      return Promise.resolve({ ok: false, reason: e === 111 ? 'refused' : 'unreachable', errno: e });
    }
    return new Promise((resolve) => {
      const t = this.udp.host.clock.after(timeoutMs, () => done({ ok: false, reason: 'timeout' }));
      const done = (r: ExchangeResult): void => {
        t.cancel();
        this.waiter = null;
        resolve(r);
      };
      this.waiter = { id, done };
    });
  }

  close(): void {
    this.sock.close();
  }
}
