import type { Clock } from '../sim/clock.js';
import type { Prng } from '../sim/prng.js';
import type { Namespace } from '../stack/namespace.js';
import type { Pipe, Writer } from './pipe.js';

/** Which userland an image ships: busybox applets or GNU/iputils/iproute2 tools. */
export type Flavour = 'busybox' | 'gnu';

/** A container's small filesystem: only the files tools read (/etc/hosts, resolv.conf…). */
export class Files {
  private readonly m = new Map<string, string>();
  read(path: string): string | undefined {
    return this.m.get(path);
  }
  write(path: string, text: string): void {
    this.m.set(path, text);
  }
  has(path: string): boolean {
    return this.m.has(path);
  }
  list(): string[] {
    return [...this.m.keys()].sort();
  }
}

/**
 * What a running program can reach: its namespace and transports, its container's files and
 * identity, the clock, and stdio. Facades for sockets/DNS are attached by the engine as the
 * lower layers provide them.
 */
export interface System {
  readonly ns: Namespace;
  readonly clock: Clock;
  readonly prng: Prng;
  readonly files: Files;
  readonly flavour: Flavour;
  /** Image name, e.g. 'ubuntu', for programs whose output differs by distribution. */
  readonly image: string;
  hostname(): string;
  /** Extra services (transports, resolver) keyed by name; see apps that use them. */
  readonly services: Record<string, unknown>;
}

export interface Proc {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly stdin: Pipe;
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly sys: System;
  /** Aborted on Ctrl-C / docker stop / exec timeout. */
  readonly signal: AbortSignal;
  /** Whether stdin is a terminal (interactive). */
  readonly tty: boolean;
}

/** A program returns its exit status. */
export type Program = (p: Proc) => Promise<number>;

export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
