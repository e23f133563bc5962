/**
 * node:dns-compatible lookups through a namespace's stub resolver (IPv4 only).
 * Error shapes follow Node 20: `getaddrinfo ENOTFOUND x` (errno -3008), `getaddrinfo EAI_AGAIN x`
 * (-3001) for lookup; c-ares codes (ENOTFOUND, ENODATA, ESERVFAIL, ETIMEOUT) for resolve4/reverse.
 */
import { ResolveError, type StubResolver } from '../dns/resolver.js';
import { ipToString, parseIp } from '../wire/addr.js';

export interface LookupAddress {
  address: string;
  family: 4;
}
export interface LookupOptions {
  family?: 0 | 4 | 6 | 'IPv4' | 'IPv6';
  all?: boolean;
  hints?: number;
  verbatim?: boolean;
}

type LookupCb = (err: NodeJS.ErrnoException | null, address?: string | LookupAddress[], family?: number) => void;

export interface DnsError extends NodeJS.ErrnoException {
  hostname: string;
}

const UV_EAI = { ENOTFOUND: -3008, EAI_AGAIN: -3001 } as const;

function dnsError(code: string, syscall: string, hostname: string, errno?: number): DnsError {
  const e = new Error(`${syscall} ${code} ${hostname}`) as DnsError;
  e.code = code;
  if (errno !== undefined) e.errno = errno;
  e.syscall = syscall;
  e.hostname = hostname;
  return e;
}

function lookupError(err: unknown, hostname: string): DnsError {
  if (err instanceof ResolveError) return dnsError(err.code, 'getaddrinfo', hostname, UV_EAI[err.code]);
  return err as DnsError;
}

/** c-ares error codes for resolve*(). */
function caresError(err: unknown, syscall: string, hostname: string): DnsError {
  if (!(err instanceof ResolveError)) return err as DnsError;
  const code = { NXDOMAIN: 'ENOTFOUND', NODATA: 'ENODATA', SERVFAIL: 'ESERVFAIL', TIMEOUT: 'ETIMEOUT' }[err.failure];
  return dnsError(code, syscall, hostname);
}

export interface DnsModule {
  lookup(hostname: string, options?: LookupOptions | number): Promise<LookupAddress>;
  lookup(hostname: string, options: LookupOptions & { all: true }): Promise<LookupAddress[]>;
  lookup(hostname: string, cb: LookupCb): void;
  lookup(hostname: string, options: LookupOptions | number, cb: LookupCb): void;
  resolve4(hostname: string): Promise<string[]>;
  resolve4(hostname: string, cb: (err: DnsError | null, addresses?: string[]) => void): void;
  reverse(ip: string): Promise<string[]>;
  reverse(ip: string, cb: (err: DnsError | null, hostnames?: string[]) => void): void;
  promises: {
    lookup(hostname: string, options?: LookupOptions | number): Promise<LookupAddress | LookupAddress[]>;
    resolve4(hostname: string): Promise<string[]>;
    reverse(ip: string): Promise<string[]>;
  };
}

export function createDns(resolver: StubResolver): DnsModule {
  const doLookup = async (hostname: string, options?: LookupOptions | number): Promise<LookupAddress | LookupAddress[]> => {
    const o: LookupOptions = typeof options === 'number' ? { family: options as 4 } : options ?? {};
    if (o.family === 6 || o.family === 'IPv6') throw dnsError('ENOTFOUND', 'getaddrinfo', hostname, UV_EAI.ENOTFOUND);
    try {
      const r = await resolver.lookup(hostname);
      const list = r.addresses.map((a): LookupAddress => ({ address: ipToString(a), family: 4 }));
      return o.all ? list : list[0]!;
    } catch (e) {
      throw lookupError(e, hostname);
    }
  };
  const resolve4 = async (hostname: string): Promise<string[]> => {
    try {
      return (await resolver.resolveDns(hostname)).addresses.map(ipToString);
    } catch (e) {
      throw caresError(e, 'queryA', hostname);
    }
  };
  const reverse = async (ip: string): Promise<string[]> => {
    const a = parseIp(ip);
    if (a < 0) {
      const e = new Error(`getHostByAddr EINVAL ${ip}`) as DnsError;
      e.code = 'EINVAL';
      e.syscall = 'getHostByAddr';
      e.hostname = ip;
      throw e;
    }
    const name = await resolver.reverse(a);
    if (!name) throw dnsError('ENOTFOUND', 'getHostByAddr', ip);
    return [name];
  };
  const mod = {
    lookup(hostname: string, options?: LookupOptions | number | LookupCb, cb?: LookupCb): Promise<LookupAddress | LookupAddress[]> | void {
      if (typeof options === 'function') {
        cb = options;
        options = undefined;
      }
      const p = doLookup(hostname, options);
      if (!cb) return p;
      const done = cb;
      p.then(
        (r) => (Array.isArray(r) ? done(null, r) : done(null, r.address, r.family)),
        (e: NodeJS.ErrnoException) => done(e),
      );
    },
    resolve4(hostname: string, cb?: (err: DnsError | null, addresses?: string[]) => void): Promise<string[]> | void {
      const p = resolve4(hostname);
      if (!cb) return p;
      p.then((r) => cb(null, r), (e: DnsError) => cb(e));
    },
    reverse(ip: string, cb?: (err: DnsError | null, hostnames?: string[]) => void): Promise<string[]> | void {
      const p = reverse(ip);
      if (!cb) return p;
      p.then((r) => cb(null, r), (e: DnsError) => cb(e));
    },
    promises: { lookup: doLookup, resolve4, reverse },
  };
  return mod as unknown as DnsModule;
}
