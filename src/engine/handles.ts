import { Pipe } from '../apps/pipe.js';
import type { Net } from '../node/net.js';
import type { DgramModule } from '../node/dgram.js';
import type { DnsModule } from '../node/dns.js';
import type { Container, ExecOptions, ExecResult } from './container.js';
import type { Engine } from './engine.js';
import { containerInspect, networkInspect } from './inspect.js';
import type { Network } from './network.js';

/**
 * What API users hold for a container (or the host): exec in its namespace, inspect, and the
 * Node-compatible facades (net, dgram, dns) installed by the layers that provide them.
 */
export class ContainerHandle {
  constructor(protected readonly engine: Engine, readonly c: Container) {}

  get id(): string {
    return this.c.id;
  }
  get name(): string {
    return this.c.name;
  }
  /** IPv4 address on its first network ('' if none). */
  get ip(): string {
    const ep = [...this.c.endpoints.values()][0];
    return ep ? ep.ipString : '';
  }

  /**
   * Run a command line in the container (through its shell, so pipes and `;` work) and
   * return what it printed. Virtual time advances as needed.
   */
  exec(cmd: string | string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const argv = Array.isArray(cmd) ? cmd : [this.c.image.shell === 'bash' ? 'bash' : 'sh', '-c', cmd];
    return this.engine.clock.run(this.c.exec(argv, opts));
  }

  /** Start a long-running command in the background; returns its stdin and a completion promise. */
  spawn(cmd: string, opts: ExecOptions = {}): { stdin: Pipe; done: Promise<ExecResult> } {
    const stdin = new Pipe();
    const done = this.c.exec([this.c.image.shell === 'bash' ? 'bash' : 'sh', '-c', cmd], { ...opts, stdin });
    return { stdin, done };
  }

  inspect(): Record<string, unknown> {
    return containerInspect(this.engine, this.c);
  }

  /** node:net-compatible sockets in this namespace (createServer, connect). */
  get net(): Net {
    return this.service<Net>('net');
  }
  /** node:dgram-compatible UDP sockets in this namespace. */
  get dgram(): DgramModule {
    return this.service<DgramModule>('dgram');
  }
  /** node:dns-compatible lookups through this container's resolver (hosts, then its nameservers). */
  get dns(): DnsModule {
    return this.service<DnsModule>('dns');
  }

  /** Services (e.g. `net`, `dgram`, `dns`) installed for this namespace. */
  service<T>(name: string): T {
    const s = this.c.services[name];
    if (s === undefined) throw new Error(`${name} is not available in ${this.c.name}`);
    return s as T;
  }
}

export class NetworkHandle {
  constructor(readonly n: Network) {}
  get id(): string {
    return this.n.id;
  }
  get name(): string {
    return this.n.name;
  }
  inspect(): Record<string, unknown> {
    return networkInspect(this.n);
  }
}
