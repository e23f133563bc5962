/**
 * Errors shaped like Node's libuv errors (lib/internal/errors.js): `code`, negative `errno`,
 * `syscall`, `address`, `port`, and the same message text.
 */
import {
  EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED, ECONNRESET, EHOSTUNREACH, EINVAL, EMSGSIZE, ENETUNREACH, ETIMEDOUT,
} from '../stack/l4.js';

const EPIPE = 32;
const EPERM = 1;
const ENOTCONN = 107;

const CODES: Record<number, [string, string]> = {
  [ECONNREFUSED]: ['ECONNREFUSED', 'connection refused'],
  [ECONNRESET]: ['ECONNRESET', 'connection reset by peer'],
  [ETIMEDOUT]: ['ETIMEDOUT', 'connection timed out'],
  [EHOSTUNREACH]: ['EHOSTUNREACH', 'host is unreachable'],
  [ENETUNREACH]: ['ENETUNREACH', 'network is unreachable'],
  [EADDRINUSE]: ['EADDRINUSE', 'address already in use'],
  [EADDRNOTAVAIL]: ['EADDRNOTAVAIL', 'address not available'],
  [EINVAL]: ['EINVAL', 'invalid argument'],
  [EMSGSIZE]: ['EMSGSIZE', 'message too long'],
  [EPIPE]: ['EPIPE', 'broken pipe'],
  // Netfilter dropped the packet in OUTPUT (iptables -j DROP/REJECT on the sending side).
  [EPERM]: ['EPERM', 'operation not permitted'],
  [ENOTCONN]: ['ENOTCONN', 'socket is not connected'],
};

export { EPIPE };

/**
 * Node's exceptionWithHostPort: `connect ECONNREFUSED 172.17.0.2:80`. With `describe`
 * (listen errors, uvExceptionWithHostPort) the text is `listen EADDRINUSE: address already in use 0.0.0.0:80`.
 */
export function netError(errno: number, syscall: string, address?: string, port?: number, describe = false): NodeJS.ErrnoException {
  const [code, desc] = CODES[errno] ?? [`E${errno}`, 'unknown error'];
  let details = '';
  if (address !== undefined) details = port !== undefined && port > 0 ? ` ${address}:${port}` : ` ${address}`;
  const msg = describe ? `${syscall} ${code}: ${desc}${details}` : `${syscall} ${code}${details}`;
  const e = new Error(msg) as NodeJS.ErrnoException & { address?: string; port?: number };
  e.errno = -errno;
  e.code = code;
  e.syscall = syscall;
  if (address !== undefined) e.address = address;
  if (port !== undefined && port > 0) e.port = port;
  return e;
}

/** getaddrinfo failure: `getaddrinfo ENOTFOUND foo` (errno -3008 as libuv's UV_EAI_NONAME). */
export function lookupError(host: string): NodeJS.ErrnoException {
  const e = new Error(`getaddrinfo ENOTFOUND ${host}`) as NodeJS.ErrnoException & { hostname: string };
  e.errno = -3008;
  e.code = 'ENOTFOUND';
  e.syscall = 'getaddrinfo';
  e.hostname = host;
  return e;
}

/** Node's ERR_* errors (TypeError/RangeError with a code). */
export function codeError(code: string, message: string, Ctor: ErrorConstructor = Error): Error & { code: string } {
  const e = new Ctor(message) as Error & { code: string };
  e.code = code;
  return e;
}
