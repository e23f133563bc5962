/**
 * The stub resolver programs in a namespace use (glibc getaddrinfo/res_search behaviour):
 * /etc/hosts first, then DNS over UDP to the resolv.conf nameservers with search domains,
 * ndots, timeouts and attempts.
 */
import type { Udp } from '../stack/udp.js';
import { parseIp } from '../wire/addr.js';
import { hostsLookup, hostsReverse, parseHostsFile, parseResolverConfig, type ResolverConfig } from './config.js';
import { DnsChannel } from './exchange.js';
import {
  RCODE_NOERROR, RCODE_NOTIMP, RCODE_NXDOMAIN, RCODE_REFUSED, RCODE_SERVFAIL, TYPE_A, TYPE_AAAA, TYPE_PTR,
  buildQuery, parseResponse, reverseName, type Response,
} from './message.js';

/** Reads a file of the namespace's filesystem; undefined when absent. */
export type FileReader = (path: string) => string | undefined;

export interface StubResolverOptions {
  /** The container's files: a reader, or the two contents directly. */
  files: FileReader | { hosts?: string; resolvConf?: string };
  /** Also send an AAAA query next to each A query, as getaddrinfo(AF_UNSPEC) does. */
  aaaa?: boolean;
  /**
   * C library: 'glibc' (Debian/Ubuntu/busybox-glibc: servers in turn, per-try timeouts,
   * search then as-is) or 'musl' (Alpine: all servers at once, one overall timeout with
   * resends every timeout/attempts, SERVFAIL ignored, no search list when dots ≥ ndots).
   */
  libc?: 'glibc' | 'musl';
}

/** Why a lookup failed, in resolver terms. */
export type ResolveFailure = 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'TIMEOUT';

/**
 * A failed lookup. `code` is Node's dns error code: ENOTFOUND for NXDOMAIN/NODATA (Node maps
 * both EAI_NONAME and EAI_NODATA to it), EAI_AGAIN for SERVFAIL/timeouts.
 */
export class ResolveError extends Error {
  readonly code: 'ENOTFOUND' | 'EAI_AGAIN';
  /** getaddrinfo's return value name. */
  readonly gai: 'EAI_NONAME' | 'EAI_NODATA' | 'EAI_AGAIN';
  constructor(readonly hostname: string, readonly failure: ResolveFailure) {
    super(`${failure === 'NXDOMAIN' || failure === 'NODATA' ? 'ENOTFOUND' : 'EAI_AGAIN'} ${hostname}`);
    this.code = failure === 'NXDOMAIN' || failure === 'NODATA' ? 'ENOTFOUND' : 'EAI_AGAIN';
    this.gai = failure === 'NXDOMAIN' ? 'EAI_NONAME' : failure === 'NODATA' ? 'EAI_NODATA' : 'EAI_AGAIN';
  }
}

/** glibc gai_strerror text, as `ping: x: <text>` prints it. */
export function gaiMessage(err: ResolveError): string {
  switch (err.gai) {
    case 'EAI_NONAME':
      return 'Name or service not known';
    case 'EAI_NODATA':
      return 'No address associated with hostname';
    default:
      return 'Temporary failure in name resolution';
  }
}

/** How common tools report a failed lookup (first line of stderr, without trailing newline). */
export function resolveErrorText(tool: 'busybox' | 'glibc', prog: string, name: string, err: ResolveError): string {
  if (tool === 'busybox') return `${prog}: bad address '${name}'`;
  return `${prog}: ${name}: ${gaiMessage(err)}`;
}

export interface LookupResult {
  addresses: number[];
  /** Where the answer came from. */
  source: 'literal' | 'hosts' | 'dns';
  /** The name that was answered (with the search domain that matched). */
  name: string;
}

type QueryOutcome =
  | { kind: 'answer'; addresses: number[]; response: Response }
  | { kind: 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'TIMEOUT' | 'REFUSED' };

export interface ResolverStats {
  queries: number;
  timeouts: number;
}

export class StubResolver {
  readonly stats: ResolverStats = { queries: 0, timeouts: 0 };
  private nextId: number;
  private rotateIdx = 0;

  constructor(private readonly udp: Udp, private readonly opts: StubResolverOptions) {
    this.nextId = udp.host.prng.int(0, 0xffff);
  }

  private read(path: '/etc/hosts' | '/etc/resolv.conf'): string | undefined {
    const f = this.opts.files;
    if (typeof f === 'function') return f(path);
    return path === '/etc/hosts' ? f.hosts : f.resolvConf;
  }

  /** Current configuration (files are re-read on every call, like a fresh process). */
  config(): ResolverConfig {
    return parseResolverConfig(this.read('/etc/resolv.conf'));
  }

  /** getaddrinfo(name, AF_INET): literal, then hosts, then DNS. Rejects with ResolveError. */
  async lookup(name: string): Promise<LookupResult> {
    const ip = parseIp(name);
    if (ip >= 0) return { addresses: [ip], source: 'literal', name };
    const fromHosts = hostsLookup(parseHostsFile(this.read('/etc/hosts')), name);
    if (fromHosts) return { addresses: fromHosts, source: 'hosts', name };
    return this.search(name, this.config());
  }

  /** DNS only (no hosts file), with the search list: what c-ares' resolve4 does. */
  resolveDns(name: string): Promise<LookupResult> {
    return this.search(name, this.config());
  }

  /**
   * res_search: as-is first when it has ≥ ndots dots (or a trailing dot), then each search
   * domain, then as-is last if not tried. NXDOMAIN moves on; NODATA and SERVFAIL are
   * remembered; a timeout or refused connection ends the search.
   */
  private async search(name: string, cfg: ResolverConfig): Promise<LookupResult> {
    if (this.opts.libc === 'musl') return this.searchMusl(name, cfg);
    const trailing = name.endsWith('.');
    const bare = trailing ? name.slice(0, -1) : name;
    const dots = bare.split('.').length - 1;
    let saved: ResolveFailure | null = null; // glibc saved_herrno: the as-is-first outcome
    let last: ResolveFailure = 'NXDOMAIN';
    let triedAsIs = false;
    let gotNodata = false;
    let gotServfail = false;
    const attempt = async (fqdn: string): Promise<LookupResult | ResolveFailure> => {
      const r = await this.queryA(fqdn, cfg);
      if (r.kind === 'answer') return { addresses: r.addresses, source: 'dns', name: fqdn };
      if (r.kind === 'REFUSED') return 'TIMEOUT';
      return r.kind;
    };
    if (dots >= cfg.ndots || trailing) {
      const r = await attempt(bare);
      if (typeof r !== 'string') return r;
      saved = r;
      triedAsIs = true;
    }
    if (!trailing && cfg.search.length) {
      for (const dom of cfg.search) {
        const r = await attempt(`${bare}.${dom}`);
        if (typeof r !== 'string') return r;
        last = r;
        if (r === 'NODATA') gotNodata = true;
        else if (r === 'SERVFAIL') gotServfail = true;
        else if (r === 'TIMEOUT') throw new ResolveError(name, saved ?? 'TIMEOUT');
      }
    }
    if (!triedAsIs && !trailing) {
      const r = await attempt(bare);
      if (typeof r !== 'string') return r;
      last = r;
    }
    const f: ResolveFailure = saved ?? (gotNodata ? 'NODATA' : gotServfail ? 'SERVFAIL' : last);
    throw new ResolveError(name, f);
  }

  /**
   * musl name_from_dns_search: the search list only when dots < ndots (and no trailing dot),
   * then the name as-is; NXDOMAIN moves on, anything else (NODATA, failures) ends the search.
   */
  private async searchMusl(name: string, cfg: ResolverConfig): Promise<LookupResult> {
    const trailing = name.endsWith('.');
    const bare = trailing ? name.slice(0, -1) : name;
    const dots = bare.split('.').length - 1;
    const cands = dots >= cfg.ndots || trailing ? [] : cfg.search.map((d) => `${bare}.${d}`);
    cands.push(bare);
    for (const fqdn of cands) {
      const r = await this.queryMusl(fqdn, cfg);
      if (r.kind === 'answer') return { addresses: r.addresses, source: 'dns', name: fqdn };
      if (r.kind === 'NXDOMAIN') continue;
      throw new ResolveError(name, r.kind === 'REFUSED' ? 'TIMEOUT' : r.kind);
    }
    throw new ResolveError(name, 'NXDOMAIN');
  }

  /**
   * musl __res_msend: every query to every server at once from one socket; resend what is
   * unanswered every timeout/attempts; accept NOERROR/NXDOMAIN only (SERVFAIL triggers one
   * immediate resend and is otherwise ignored); give up after `timeout` seconds.
   */
  private queryMusl(fqdn: string, cfg: ResolverConfig): Promise<QueryOutcome> {
    const types = this.opts.aaaa ? [TYPE_A, TYPE_AAAA] : [TYPE_A];
    const clock = this.udp.host.clock;
    const want = fqdn.toLowerCase().replace(/\.$/, '');
    const qs = types.map((t) => {
      const id = this.nextId;
      this.nextId = (this.nextId + 1) & 0xffff;
      return { id, type: t, bytes: buildQuery(id, fqdn, t, cfg.edns0 ? 1200 : 0), resp: null as Response | null };
    });
    const sock = this.udp.socket();
    const total = cfg.timeout * 1000;
    const interval = total / cfg.attempts;
    let servfailRetry = 2 * qs.length;
    return new Promise((resolve) => {
      const sendAll = (): void => {
        for (const q of qs) {
          if (q.resp) continue;
          for (const ns of cfg.nameservers) {
            this.stats.queries++;
            sock.send(q.bytes, ns, 53);
          }
        }
      };
      const finish = (o: QueryOutcome): void => {
        retry.cancel();
        deadline.cancel();
        sock.close();
        resolve(o);
      };
      const retry = clock.timer(() => {
        sendAll();
        retry.arm(interval);
      });
      const deadline = clock.after(total, () => {
        this.stats.timeouts++;
        finish({ kind: 'TIMEOUT' });
      });
      sock.onMessage = (data, from, port) => {
        if (port !== 53 || !cfg.nameservers.includes(from)) return;
        const resp = parseResponse(data);
        if (!resp) return;
        const q = qs.find((x) => x.id === resp.id && !x.resp);
        if (!q || resp.qtype !== q.type || resp.qname !== want) return;
        if (resp.rcode === RCODE_SERVFAIL) {
          if (servfailRetry > 0) {
            servfailRetry--;
            sock.send(q.bytes, from, 53);
          }
          return;
        }
        if (resp.rcode !== RCODE_NOERROR && resp.rcode !== RCODE_NXDOMAIN) return;
        q.resp = resp;
        if (qs.some((x) => !x.resp)) return;
        const a = qs[0]!.resp!;
        if (qs.some((x) => x.resp!.rcode === RCODE_NXDOMAIN)) return finish({ kind: 'NXDOMAIN' });
        const addresses: number[] = [];
        for (const an of a.answers) if (an.type === TYPE_A && an.address !== undefined) addresses.push(an.address);
        finish(addresses.length ? { kind: 'answer', addresses, response: a } : { kind: 'NODATA' });
      };
      if (sock.bind() < 0) return finish({ kind: 'REFUSED' });
      sendAll();
      retry.arm(interval);
    });
  }

  /** One name, type A (plus AAAA when configured), over the nameservers with retries. */
  private async queryA(fqdn: string, cfg: ResolverConfig): Promise<QueryOutcome> {
    if (!this.opts.aaaa) return this.query(fqdn, TYPE_A, cfg);
    const [a] = await Promise.all([this.query(fqdn, TYPE_A, cfg), this.query(fqdn, TYPE_AAAA, cfg)]);
    return a;
  }

  /**
   * res_send: `attempts` rounds over the nameservers; per-server wait is timeout << i / n
   * (glibc send_dg). SERVFAIL/NOTIMP/REFUSED and ICMP-refused move to the next server.
   */
  async query(fqdn: string, type: number, cfg: ResolverConfig = this.config()): Promise<QueryOutcome> {
    const ns = cfg.nameservers;
    const n = ns.length;
    let sawServfail = false;
    let sawRefused = false;
    let sawTimeout = false;
    const start = cfg.rotate ? this.rotateIdx++ % n : 0;
    // One ID for the whole res_send: retries resend the same bytes.
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    const q = buildQuery(id, fqdn, type, cfg.edns0 ? 1200 : 0);
    const want = fqdn.toLowerCase().replace(/\.$/, '');
    const channels: (DnsChannel | undefined)[] = new Array(n);
    const dead: boolean[] = new Array(n).fill(false);
    try {
      for (let attempt = 0; attempt < cfg.attempts; attempt++) {
        for (let k = 0; k < n; k++) {
          const idx = (start + k) % n;
          if (dead[idx]) continue;
          let seconds = cfg.timeout << k;
          if (k > 0) seconds = Math.floor(seconds / n);
          if (seconds <= 0) seconds = 1;
          const ch = (channels[idx] ??= new DnsChannel(this.udp, ns[idx]!, 53));
          this.stats.queries++;
          if (ch.openErrno || ch.send(q) < 0) {
            sawRefused = true;
            dead[idx] = true;
            continue;
          }
          const r = await ch.wait(id, seconds * 1000);
          if (!r.ok) {
            if (r.reason === 'timeout') {
              this.stats.timeouts++;
              sawTimeout = true;
            } else {
              // ICMP refused/unreachable: glibc gives up on this server for the rest of the call.
              sawRefused = true;
              dead[idx] = true;
            }
            continue;
          }
          const resp = parseResponse(r.response);
          // res_queriesmatch: the answer must be for our question.
          if (!resp || resp.qtype !== type || resp.qname !== want) continue;
          if (resp.rcode === RCODE_SERVFAIL || resp.rcode === RCODE_NOTIMP || resp.rcode === RCODE_REFUSED) {
            sawServfail = true;
            continue;
          }
          if (resp.rcode === RCODE_NXDOMAIN) return { kind: 'NXDOMAIN' };
          if (resp.rcode !== RCODE_NOERROR) return { kind: 'SERVFAIL' };
          // A truncated (TC) answer is used as-is: there is no TCP retry here.
          const addresses: number[] = [];
          for (const a of resp.answers) if (a.type === TYPE_A && a.address !== undefined) addresses.push(a.address);
          if (type !== TYPE_A) return resp.answers.length ? { kind: 'answer', addresses, response: resp } : { kind: 'NODATA' };
          return addresses.length ? { kind: 'answer', addresses, response: resp } : { kind: 'NODATA' };
        }
      }
    } finally {
      for (const c of channels) c?.close();
    }
    if (sawServfail) return { kind: 'SERVFAIL' };
    if (sawRefused && !sawTimeout) return { kind: 'REFUSED' };
    return { kind: 'TIMEOUT' };
  }

  /** gethostbyaddr: hosts file first, then a PTR query. null when nothing is known. */
  async reverse(ip: number): Promise<string | null> {
    const h = hostsReverse(parseHostsFile(this.read('/etc/hosts')), ip);
    if (h) return h;
    const r = await this.query(reverseName(ip), TYPE_PTR);
    if (r.kind !== 'answer') return null;
    for (const a of r.response.answers) if (a.type === TYPE_PTR && a.target) return a.target;
    return null;
  }
}

/**
 * The shape apps use (`sys.services.resolver`, see src/apps/resolve.ts): failures as values.
 */
export function toAppResolver(r: StubResolver): {
  lookup(name: string): Promise<{ ok: true; addresses: number[] } | { ok: false; error: 'ENOTFOUND' | 'EAI_AGAIN'; failure: ResolveFailure }>;
  reverse(ip: number): Promise<string | null>;
} {
  return {
    async lookup(name) {
      try {
        return { ok: true, addresses: (await r.lookup(name)).addresses };
      } catch (e) {
        if (e instanceof ResolveError) return { ok: false, error: e.code, failure: e.failure };
        throw e;
      }
    },
    reverse: (ip) => r.reverse(ip),
  };
}
