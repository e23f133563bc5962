import { Pipe, type Writer } from '../apps/pipe.js';
import type { Proc } from '../apps/process.js';
import { findProgram } from '../apps/programs.js';
import { Shell } from '../apps/sh.js';
import type { Container } from '../engine/container.js';
import type { Engine } from '../engine/engine.js';

/** How the terminal got into the container: which decides what `exit` does to it. */
export type SessionKind = 'attach' | 'run' | 'exec';

/** Where a line's output goes and how it can be interrupted. */
export interface LineIo {
  out: (chunk: Uint8Array | string) => void;
  err: (chunk: Uint8Array | string) => void;
  signal: AbortSignal;
  /** What the program reads; an ended empty pipe when nothing is typed into it. */
  stdin?: Pipe;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

/** `sh`, `/bin/bash`, … → the shell's name, or null if argv is not an interactive shell. */
export function interactiveShell(argv: readonly string[]): 'sh' | 'bash' | null {
  const a0 = argv[0];
  if (!a0) return null;
  const base = a0.slice(a0.lastIndexOf('/') + 1);
  if (!SHELLS.has(base)) return null;
  // `sh -c CMD` is a one-shot command, not a terminal session.
  if (argv.slice(1).some((x) => x === '-c' || /^-[a-z]*c/.test(x))) return null;
  return base === 'bash' ? 'bash' : 'sh';
}

/** Whether the container's image ships that program (bash is missing from busybox images). */
export function imageHas(c: Container, prog: string): boolean {
  return findProgram(prog, c.image.flavour) !== undefined;
}

/**
 * A terminal inside a container: `docker attach`, `docker run -it … bash`, `docker exec -it … sh`.
 *
 * Each typed line runs in one long-lived Shell (so `export`, background jobs persist) but with
 * its own output sinks and its own abort signal, so Ctrl-C stops the foreground command and
 * not the shell — which the container's own PID-1 shell cannot offer through a single signal.
 * `exit` ends the session; for attach/run it also ends the container's main shell (EOF on its
 * stdin, like Ctrl-D), so the container stops exactly as it would under Docker.
 */
export class ContainerSession {
  private readonly shell: Shell;
  private cur: LineIo;
  private readonly bg = new AbortController();
  private readonly emptyStdin: Pipe;
  /** Status of the last line, what a bare `exit` exits with. */
  private lastStatus = 0;
  /** The shell's variables (export, VAR=value) as they stand. */
  readonly env: Record<string, string>;
  ended = false;

  constructor(
    private readonly engine: Engine,
    readonly container: Container,
    readonly kind: SessionKind,
    readonly shellName: 'sh' | 'bash',
  ) {
    this.emptyStdin = new Pipe();
    this.emptyStdin.end();
    const noop = (): void => {};
    this.cur = { out: noop, err: noop, signal: this.bg.signal };
    const self = this;
    const writer = (which: 'out' | 'err'): Writer => ({
      write: (c) => self.cur[which](c),
      end() {},
    });
    const stdout = writer('out');
    const stderr = writer('err');
    const env = { ...container.env, TERM: 'xterm', PWD: container.image.workdir ?? '/' };
    this.env = env;
    // Getters: the Shell copies its Proc into every command it starts, so each command sees
    // the sinks and signal of the line that started it.
    const proc = {
      argv: [shellName],
      env,
      get stdin(): Pipe {
        return self.cur.stdin ?? self.emptyStdin;
      },
      stdout,
      stderr,
      sys: container.system(),
      get signal(): AbortSignal {
        return self.cur.signal;
      },
      tty: true,
    } satisfies Proc;
    const flavour = container.image.flavour;
    this.shell = new Shell(proc, (n) => findProgram(n, flavour), shellName);
  }

  /** The prompt a root shell in this image prints (bash, busybox ash, or dash). */
  prompt(): string {
    const cwd = this.container.image.workdir ?? '/';
    if (this.shellName === 'bash') return `root@${this.container.hostname}:${cwd}# `;
    return this.container.image.flavour === 'busybox' ? `${cwd} # ` : '# ';
  }

  get alive(): boolean {
    return !this.ended && this.container.running;
  }

  /** Run one typed line to completion. Background (`cmd &`) jobs outlive the line's Ctrl-C. */
  async run(line: string, io: LineIo): Promise<number> {
    const background = /[^&]&\s*$/.test(line) || /^&\s*$/.test(line);
    this.cur = background ? { ...io, signal: this.bg.signal, stdin: undefined } : io;
    this.lastStatus = await this.shell.run(line);
    return this.lastStatus;
  }

  /**
   * `exit [N]`: leave; the main shell (attach/run) ends too and the container stops with N
   * (or, as bash does, the last command's status).
   */
  async exit(io: LineIo, code?: number): Promise<number> {
    const status = code ?? this.lastStatus;
    await this.end(io);
    const c = this.container;
    if (this.kind !== 'exec' && c.state === 'exited') c.exitCode = status;
    return status;
  }

  private async end(io: LineIo): Promise<void> {
    this.ended = true;
    if (this.shellName === 'bash') io.out('exit\n');
    this.bg.abort();
    if (this.kind === 'exec') return;
    const c = this.container;
    const done = c.mainDone;
    // The PID-1 shell exits at EOF on its stdin (Ctrl-D); its status becomes the container's.
    c.stdin?.end();
    if (done) {
      const grace = new AbortController();
      await Promise.race([done, this.engine.clock.sleep(10_000, grace.signal).catch(() => {})]);
      grace.abort();
    }
    // A main program that ignores EOF (not a shell) is stopped like `docker stop` would.
    if (c.running) await this.engine.stopContainer(c, 0);
  }

  /** Ctrl-P Ctrl-Q: detach, leaving the container (and its main shell) running. */
  detach(io: LineIo): void {
    this.ended = true;
    io.err('read escape sequence\n');
  }
}
