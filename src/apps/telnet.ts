/**
 * `telnet HOST [PORT]` — busybox (networking/telnet.c, 1.36) or netkit/inetutils text by flavour.
 *
 * busybox: `Connected to <host as typed>` on stdout once connected; stdin EOF exits 0 at once;
 * the peer closing prints `Connection closed by foreign host` (CRLF) and exits 1; connect
 * failures are libbb's xconnect text `telnet: can't connect to remote host (IP): <strerror>`,
 * unknown names `telnet: bad address 'foo'`.
 * GNU: `Trying IP...`, `Connected to HOST.`, `Escape character is '^]'.`; failures
 * `telnet: Unable to connect to remote host: <strerror>`.
 */
import { Buffer } from 'node:buffer';
import { ipToString } from '../wire/addr.js';
import { getopt } from './getopt.js';
import type { Proc } from './process.js';
import { resolveHost } from './resolve.js';
import { parsePort, SockReader, strerror, tcpConnect } from './sock.js';

const IAC = 255;
const SB = 250;
const SE = 240;
const WILL = 251;
const WONT = 252;
const DO = 253;
const DONT = 254;

/** Strip telnet negotiation from server bytes and answer it "no" (RFC 854/855). */
class TelnetFilter {
  private state: 'data' | 'iac' | 'opt' | 'sb' | 'sbiac' = 'data';
  private verb = 0;
  filter(b: Buffer, reply: (r: Buffer) => void): Buffer {
    const out: number[] = [];
    const answers: number[] = [];
    for (const c of b) {
      switch (this.state) {
        case 'data':
          if (c === IAC) this.state = 'iac';
          else out.push(c);
          break;
        case 'iac':
          if (c === IAC) {
            out.push(c);
            this.state = 'data';
          } else if (c === SB) this.state = 'sb';
          else if (c >= WILL && c <= DONT) {
            this.verb = c;
            this.state = 'opt';
          } else this.state = 'data';
          break;
        case 'opt':
          if (this.verb === DO) answers.push(IAC, WONT, c);
          else if (this.verb === WILL) answers.push(IAC, DONT, c);
          this.state = 'data';
          break;
        case 'sb':
          if (c === IAC) this.state = 'sbiac';
          break;
        case 'sbiac':
          this.state = c === SE ? 'data' : 'sb';
          break;
      }
    }
    if (answers.length) reply(Buffer.from(answers));
    return Buffer.from(out);
  }
}

/** Console bytes to the wire: IAC doubled, CR sent as CR NUL (RFC 854). */
function toNet(b: Uint8Array): Buffer {
  const out: number[] = [];
  for (const c of b) {
    out.push(c);
    if (c === IAC) out.push(IAC);
    else if (c === 13) out.push(0);
  }
  return Buffer.from(out);
}

export async function telnet(p: Proc): Promise<number> {
  const gnu = p.sys.flavour === 'gnu';
  const o = getopt(p.argv.slice(1), gnu ? '46578EFKLNacdfrxb:e:l:n:X:' : 'al:');
  const args = o.args;
  if (o.error || args.length < 1 || args.length > 2) {
    if (o.error) p.stderr.write(`telnet: ${o.error}\n`);
    p.stderr.write(gnu ? 'usage: telnet [-l user] [-a] host-name [port]\n' : 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: telnet [-a] [-l USER] HOST [PORT]\n');
    return 1;
  }
  const host = args[0]!;
  const portArg = args[1] ?? '23';
  const port = parsePort(portArg);
  if (Number.isNaN(port)) {
    p.stderr.write(gnu ? `telnet: could not resolve ${host}/${portArg}: Servname not supported for ai_socktype\n` : `telnet: bad port '${portArg}'\n`);
    return 1;
  }
  const res = await resolveHost(p.sys, host);
  if (!res.ok) {
    if (gnu) p.stderr.write(`telnet: could not resolve ${host}/${portArg}: ${res.error === 'EAI_AGAIN' ? 'Temporary failure in name resolution' : 'Name or service not known'}\n`);
    else p.stderr.write(`telnet: bad address '${host}'\n`);
    return 1;
  }
  const ip = res.addresses[0]!;
  if (gnu) p.stdout.write(`Trying ${ipToString(ip)}...\n`);
  const c = await tcpConnect(p, ip, port);
  if (!c.ok) {
    if (c.code === 'ABORT') return 130;
    if (gnu) p.stderr.write(`telnet: Unable to connect to remote host: ${strerror(c.code)}\n`);
    else p.stderr.write(`telnet: can't connect to remote host (${ipToString(ip)}): ${strerror(c.code)}\n`);
    return 1;
  }
  const sock = c.sock;
  if (gnu) p.stdout.write(`Connected to ${host}.\nEscape character is '^]'.\n`);
  else p.stdout.write(`Connected to ${host}\n`);
  const reader = new SockReader(sock);
  const filter = new TelnetFilter();
  const closedText = gnu ? 'Connection closed by foreign host.\n' : 'Connection closed by foreign host\r\n';

  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      p.signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(code);
    };
    const onAbort = (): void => finish(130);
    p.signal.addEventListener('abort', onAbort, { once: true });
    void (async () => {
      for (;;) {
        const b = await reader.chunk(p.signal);
        if (done) return;
        if (b === null) {
          p.stdout.write(closedText);
          return finish(1);
        }
        const data = filter.filter(b, (r) => sock.write(r));
        if (data.length) p.stdout.write(data);
      }
    })();
    void (async () => {
      for (;;) {
        const b = await p.stdin.read();
        if (done) return;
        if (b === null) {
          // busybox exits at once on console EOF; netkit reports the connection closed.
          if (gnu) p.stdout.write(closedText);
          return finish(gnu ? 1 : 0);
        }
        sock.write(toNet(b));
      }
    })();
  });
}
