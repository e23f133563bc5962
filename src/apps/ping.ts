import { ipToString } from '../wire/addr.js';
import { ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED } from '../wire/icmp.js';
import { EHOSTUNREACH, EMSGSIZE, ENETUNREACH } from '../stack/l4.js';
import type { EchoError, EchoReply } from '../stack/icmp.js';
import { getopt } from './getopt.js';
import type { Proc } from './process.js';
import { resolveHost, resolverOf } from './resolve.js';

/** Typed result of a ping run, beside the text (for API users). */
export interface PingStats {
  transmitted: number;
  received: number;
  errors: number;
  rttsMs: number[];
}

const ICMP_NAMES: Record<number, string> = { 0: 'Echo Reply', 3: 'Destination Unreachable', 4: 'Source Quench', 5: 'Redirect', 8: 'Echo Request', 11: 'Time Exceeded', 12: 'Parameter Problem' };
const UNREACH_TEXT: Record<number, string> = {
  0: 'Destination Net Unreachable', 1: 'Destination Host Unreachable', 2: 'Destination Protocol Unreachable',
  3: 'Destination Port Unreachable', 4: 'Frag needed', 9: 'Destination Net Prohibited', 10: 'Destination Host Prohibited',
  13: 'Packet filtered',
};

/** busybox prints "%u.%03u" of microseconds. */
function bbTime(ms: number): string {
  const us = Math.round(ms * 1000);
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

/** iputils: <1 ms three decimals, <10 two, <100 one, else integer. */
function iputilsTime(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return String(Math.floor(ms));
}

/** printf("%g") for the loss percentage. */
function fmtG(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** `ping` — busybox (FEATURE_FANCY_PING) or iputils text, by the image's flavour. */
export async function ping(p: Proc): Promise<number> {
  const gnu = p.sys.flavour === 'gnu';
  const o = getopt(p.argv.slice(1), gnu ? 'c:i:W:w:s:t:qnvI:4' : 'c:i:W:w:s:t:qI:4');
  const fail = gnu ? 2 : 1;
  if (o.error || o.args.length !== 1) {
    if (o.error) p.stderr.write(`ping: ${o.error}\n`);
    p.stderr.write(gnu ? '\nUsage\n  ping [options] <destination>\n' : 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n');
    return gnu ? 2 : 1;
  }
  const num = (k: string, d: number): number => {
    const v = o.opts.get(k);
    return typeof v === 'string' ? Number(v) : d;
  };
  const count = num('c', Infinity);
  const interval = num('i', 1) * 1000;
  const size = num('s', 56);
  const ttl = o.opts.has('t') ? num('t', 64) : undefined;
  const deadline = o.opts.has('w') ? num('w', 0) * 1000 : Infinity;
  const waitMs = num('W', 10) * 1000;
  const quiet = o.opts.has('q');
  for (const [k, v] of [['c', count], ['i', interval], ['s', size], ['w', deadline], ['W', waitMs]] as const) {
    if (Number.isNaN(v) || v < 0) {
      p.stderr.write(gnu ? `ping: invalid argument: '${o.opts.get(k)}'\n` : `ping: invalid number '${o.opts.get(k)}'\n`);
      return fail;
    }
  }
  const host = o.args[0]!;
  const res = await resolveHost(p.sys, host);
  if (!res.ok) {
    if (gnu) p.stderr.write(res.error === 'EAI_AGAIN' ? `ping: ${host}: Temporary failure in name resolution\n` : `ping: ${host}: Name or service not known\n`);
    else p.stderr.write(`ping: bad address '${host}'\n`);
    return fail;
  }
  const dst = res.addresses[0]!;
  const dstS = ipToString(dst);
  const ns = p.sys.ns;
  const clock = p.sys.clock;
  const byName = dstS !== host;
  if (gnu && ns.routeSource(dst) < 0) {
    p.stderr.write('ping: connect: Network is unreachable\n');
    return 2;
  }
  // iputils shows "name (ip)" for replies when given a name: the PTR answer, else the IP.
  let fromLabel = dstS;
  if (gnu && byName) {
    const rev = await resolverOf(p.sys).reverse(dst);
    fromLabel = rev ? `${rev} (${dstS})` : dstS;
  }
  p.stdout.write(gnu ? `PING ${host} (${dstS}) ${size}(${size + 28}) bytes of data.\n` : `PING ${host} (${dstS}): ${size} data bytes\n`);

  const sock = ns.icmp.openPing();
  const sentAt = new Map<number, number>();
  const seen = new Set<number>();
  const rtts: number[] = [];
  let transmitted = 0;
  let received = 0;
  let dups = 0;
  let errors = 0;
  const firstSeq = gnu ? 1 : 0;
  const start = clock.now();
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (i + 8) & 0xff;

  const code = await new Promise<number>((resolve) => {
    let done = false;
    const sendTimer = clock.timer(() => sendOne());
    const lingerTimer = clock.timer(() => finish());
    const deadlineTimer = clock.timer(() => finish());
    if (deadline !== Infinity) deadlineTimer.arm(deadline);
    const onAbort = (): void => finish();
    p.signal.addEventListener('abort', onAbort, { once: true });

    function finish(exit?: number): void {
      if (done) return;
      done = true;
      sendTimer.cancel();
      lingerTimer.cancel();
      deadlineTimer.cancel();
      p.signal.removeEventListener('abort', onAbort);
      sock.close();
      resolve(exit ?? -1);
    }
    // Both exit as soon as every probe is answered (busybox: nreceived >= count; iputils
    // also counts errors); otherwise they linger after the last probe (see sendOne).
    function maybeDone(): void {
      if (transmitted < count) return;
      if (gnu ? received + errors >= transmitted : received >= count) finish();
    }
    function sendOne(): void {
      if (done) return;
      if (transmitted >= count) return;
      if (clock.now() - start >= deadline) return finish();
      const seq = firstSeq + transmitted;
      const r = sock.send(dst, seq & 0xffff, payload, { ttl });
      transmitted++;
      if (r < 0) {
        if (gnu) {
          errors++;
          if (r === -EMSGSIZE) p.stderr.write(`ping: local error: message too long, mtu: ${ns.routeMtu(dst)}\n`);
          else if (r === -ENETUNREACH) p.stdout.write(`From ${ipToString(ns.routeSource(dst) >= 0 ? ns.routeSource(dst) : 0)} icmp_seq=${seq} Destination Net Unreachable\n`);
        } else {
          const why = r === -ENETUNREACH ? 'Network unreachable' : r === -EHOSTUNREACH ? 'Host is unreachable' : r === -EMSGSIZE ? 'Message too long' : 'Operation not permitted';
          p.stderr.write(`ping: sendto: ${why}\n`);
          return finish(1);
        }
      } else sentAt.set(seq & 0xffff, clock.now());
      if (transmitted < count) sendTimer.arm(interval);
      else {
        const tmax = rtts.length ? Math.max(...rtts) : 0;
        lingerTimer.arm(received > 0 ? Math.max(1000, 2 * tmax) : waitMs);
        maybeDone();
      }
    }
    sock.onReply = (r: EchoReply): void => {
      if (done) return;
      const t0 = sentAt.get(r.seq);
      if (t0 === undefined) return;
      // the process wakes a few µs after the packet arrives
      const rtt = clock.now() - t0 + 0.004 + p.sys.prng.float() * 0.03;
      const dup = seen.has(r.seq);
      if (dup) dups++;
      else {
        seen.add(r.seq);
        received++;
        rtts.push(rtt);
      }
      if (!quiet) {
        if (gnu) p.stdout.write(`${r.bytes} bytes from ${fromLabel}: icmp_seq=${r.seq} ttl=${r.ttl} time=${iputilsTime(rtt)} ms${dup ? ' (DUP!)' : ''}\n`);
        else p.stdout.write(`${r.bytes} bytes from ${ipToString(r.from)}: seq=${r.seq} ttl=${r.ttl} time=${bbTime(rtt)} ms${dup ? ' (DUP!)' : ''}\n`);
      }
      maybeDone();
    };
    sock.onError = (e: EchoError): void => {
      if (done) return;
      if (gnu) {
        errors++;
        const what = e.type === ICMP_DEST_UNREACH ? (UNREACH_TEXT[e.code] ?? `Dest Unreachable, Bad Code: ${e.code}`) : e.type === ICMP_TIME_EXCEEDED ? 'Time to live exceeded' : `Bad ICMP type: ${e.type}`;
        if (!quiet) p.stdout.write(`From ${ipToString(e.from)} icmp_seq=${e.seq} ${what}\n`);
        maybeDone();
      } else {
        p.stderr.write(`ping: warning: got ICMP ${e.type} (${ICMP_NAMES[e.type] ?? 'unknown'})\n`);
      }
    };
    sendOne();
  });
  if (code >= 0) return code;

  const elapsed = Math.floor(clock.now() - start);
  p.stdout.write(`\n--- ${host} ping statistics ---\n`);
  const lossPct = transmitted ? ((transmitted - received) * 100) / transmitted : 0;
  if (gnu) {
    let line = `${transmitted} packets transmitted, ${received} received`;
    if (dups) line += `, +${dups} duplicates`;
    if (errors) line += `, +${errors} errors`;
    line += `, ${fmtG(lossPct)}% packet loss, time ${elapsed}ms\n`;
    p.stdout.write(line);
    if (received > 0) {
      const min = Math.min(...rtts), max = Math.max(...rtts);
      const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
      const mdev = Math.sqrt(Math.max(0, rtts.reduce((a, b) => a + b * b, 0) / rtts.length - avg * avg));
      p.stdout.write(`rtt min/avg/max/mdev = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)}/${mdev.toFixed(3)} ms\n`);
    } else if (transmitted > 0) p.stdout.write('\n');
  } else {
    let line = `${transmitted} packets transmitted, ${received} packets received, `;
    if (dups) line += `${dups} duplicates, `;
    line += `${Math.floor(lossPct)}% packet loss\n`;
    p.stdout.write(line);
    if (received > 0) {
      const min = Math.min(...rtts), max = Math.max(...rtts);
      const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
      p.stdout.write(`round-trip min/avg/max = ${bbTime(min)}/${bbTime(avg)}/${bbTime(max)} ms\n`);
    }
  }
  const stats: PingStats = { transmitted, received, errors, rttsMs: rtts };
  (p.sys.services['lastPing'] as ((s: PingStats) => void) | undefined)?.(stats);
  if (received === 0) return 1;
  // iputils: -w deadline with fewer replies than -c is a failure too
  if (gnu && count !== Infinity && received < count && deadline !== Infinity) return 1;
  return 0;
}
