import type { Clock } from '../sim/clock.js';
import type { Prng } from '../sim/prng.js';
import type { Namespace } from '../stack/namespace.js';
import type { Image } from '../apps/images.js';
import { Collector, Pipe, type Writer } from '../apps/pipe.js';
import { Files, type Proc, type System } from '../apps/process.js';
import { findProgram } from '../apps/programs.js';
import type { Endpoint } from './endpoint.js';

export type ContainerState = 'created' | 'running' | 'exited';

export interface PortBinding {
  hostIp: string;
  /** '' = dynamic, assigned at start. */
  hostPort: string;
  containerPort: number;
  proto: 'tcp' | 'udp';
}

/** A network the container asked for, kept across restarts. */
export interface NetworkRequest {
  network: string;
  aliases: string[];
  ip: string | null;
  links: string[];
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Pipe;
  tty?: boolean;
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Live output (e.g. a terminal), in addition to the returned text. */
  onStdout?: (c: Uint8Array) => void;
  onStderr?: (c: Uint8Array) => void;
}

/** A container: identity, config, its namespace (or the host's), files, and processes. */
export class Container {
  state: ContainerState = 'created';
  /** Creation order (ties in `created` time sort by it). */
  seq = 0;
  exitCode = 0;
  startedAt = 0;
  finishedAt = 0;
  pid = 0;
  restartCount = 0;
  ns: Namespace | null = null;
  readonly files = new Files();
  /** Endpoints by network ID, in connection order. */
  readonly endpoints = new Map<string, Endpoint>();
  networkRequests: NetworkRequest[] = [];
  portBindings: PortBinding[] = [];
  /** Ports actually bound while running (dynamic ports resolved). */
  activePorts: PortBinding[] = [];
  readonly log = new Collector();
  /** The main process's stdin (attach / -i). */
  stdin: Pipe | null = null;
  mainDone: Promise<number> | null = null;
  mainAbort: AbortController | null = null;
  /** Attached terminals see the main process's output live. */
  readonly attached = new Set<(c: Uint8Array, stream: 'stdout' | 'stderr') => void>();
  /** The log with each chunk's stream, for attach without a TTY (stdout and stderr apart). */
  readonly logChunks: { stream: 'stdout' | 'stderr'; data: Uint8Array }[] = [];
  /** Services (transports, resolver facades) for programs, filled by the engine at start. */
  services: Record<string, unknown> = {};
  hostnameValue: string;
  env: Record<string, string>;
  exposed: string[];
  extraHosts: string[] = [];
  dns: string[] = [];
  dnsSearch: string[] = [];
  dnsOptions: string[] = [];
  autoRemove = false;
  tty = false;
  openStdin = false;
  publishAll = false;
  networkMode: string;
  /** The namespace is the host's (--network host). */
  hostMode = false;

  constructor(
    readonly id: string,
    public name: string,
    readonly image: Image,
    readonly imageRef: string,
    readonly cmd: string[],
    readonly created: number,
    readonly clock: Clock,
    readonly prng: Prng,
    networkMode: string,
    hostname?: string,
  ) {
    this.hostnameValue = hostname ?? id.slice(0, 12);
    this.networkMode = networkMode;
    this.env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: this.hostnameValue, HOME: '/root' };
    this.exposed = [...image.exposed];
  }

  /** What `docker ps` shows as COMMAND: entrypoint + command. */
  get commandLine(): string {
    return [...(this.image.entrypoint ?? []), ...this.cmd].join(' ');
  }

  get hostname(): string {
    return this.hostnameValue;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  system(): System {
    if (!this.ns) throw new Error(`container ${this.name} has no namespace`);
    const c = this;
    return {
      ns: this.ns,
      clock: this.clock,
      prng: this.prng,
      files: this.files,
      flavour: this.image.flavour,
      image: this.image.name,
      hostname: () => c.hostnameValue,
      services: this.services,
    };
  }

  /** Start a program (argv[0] looked up in the image). Resolves with its exit status. */
  spawn(argv: string[], io: { stdin: Pipe; stdout: Writer; stderr: Writer; tty: boolean; signal: AbortSignal; env?: Record<string, string> }): Promise<number> {
    const sys = this.system();
    const prog = findProgram(argv[0] ?? '', this.image.flavour);
    if (!prog) {
      io.stderr.write(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown\n`);
      return Promise.resolve(127);
    }
    const p: Proc = { argv, env: { ...this.env, ...io.env }, stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, sys, signal: io.signal, tty: io.tty };
    return prog(p).catch((e: unknown) => {
      io.stderr.write(`${argv[0]}: ${(e as Error).message}\n`);
      return 1;
    });
  }

  /** Run a program to completion, capturing its output (docker exec). */
  async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const out = new Collector();
    const err = new Collector();
    if (opts.onStdout) out.onData = opts.onStdout;
    if (opts.onStderr) err.onData = opts.onStderr;
    let stdin: Pipe;
    if (opts.stdin instanceof Pipe) stdin = opts.stdin;
    else {
      stdin = new Pipe();
      if (opts.stdin) stdin.write(opts.stdin);
      stdin.end();
    }
    const ac = new AbortController();
    const onAbort = (): void => ac.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // docker stop also ends exec'd processes
    this.mainAbort?.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const code = await this.spawn(argv, { stdin, stdout: out, stderr: err, tty: opts.tty ?? false, signal: ac.signal, env: opts.env });
      return { exitCode: code, stdout: out.text(), stderr: err.text() };
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      this.mainAbort?.signal.removeEventListener('abort', onAbort);
    }
  }
}
