import { findImage } from '../apps/images.js';
import { findProgram } from '../apps/programs.js';
import { Pipe } from '../apps/pipe.js';
import { parseShell, ShellSyntaxError, type ListItem, type SimpleCommand } from '../apps/sh-parse.js';
import { dockerCli } from '../engine/docker-cli.js';
import type { Engine } from '../engine/engine.js';
import { scanAttach, scanExec, scanRun, wantsTerminal } from './docker-argv.js';
import { ContainerSession, imageHas, interactiveShell, type LineIo } from './session.js';

export type { LineIo } from './session.js';

/** A prompt a tutorial shows before a command typed inside a container (root: `#`). */
const CONTAINER_PROMPT = /^(?:[\w.-]+@[\w.-]+:[^#$\s]*#|\/[^\s#]*\s#)\s/;
/** A user's prompt on the host (`alice@laptop:~$ docker ps`). */
const USER_PROMPT = /^[\w.-]+@[\w.-]+:[^#$\s]*\$\s/;

/** Control characters a typed line never carries (tab is fine; ESC sequences are not). */
// eslint-disable-next-line no-control-regex
const GARBAGE = /[\x00-\x08\x0b-\x1f\x7f]|\uFFFD/;

const ATTACH_USAGE = 'Usage:  docker attach [OPTIONS] CONTAINER\n\nAttach local standard input, output, and error streams to a running container\n';

const EXIT = /^(?:exit|logout)(?:\s+(\d+))?\s*$/;

export interface SplitLine {
  /** The command, without a tutorial prompt or a trailing `&`. */
  command: string;
  /** Written with a container prompt (`root@abc:/# cmd`, `/ # cmd`). */
  containerPrompt: boolean;
  /** `cmd &` at the terminal's top level. */
  background: boolean;
}

/** Strip what a tutorial prints before a command: `$ `, or a container shell's prompt. */
export function splitLine(raw: string): SplitLine {
  let s = raw.trim();
  let containerPrompt = false;
  const user = USER_PROMPT.exec(s);
  if (s.startsWith('$ ')) s = s.slice(2).trim();
  else if (user) s = s.slice(user[0].length).trim();
  else {
    const m = CONTAINER_PROMPT.exec(s);
    if (m) {
      containerPrompt = true;
      s = s.slice(m[0].length).trim();
    }
  }
  const background = /(^|[^&])&$/.test(s);
  if (background) s = s.slice(0, -1).trimEnd();
  return { command: s, containerPrompt, background };
}

/** `^C`-style spellings of control keys in scripts, and the raw bytes a terminal sends. */
function controlKey(s: string): 'detach' | 'eof' | null {
  const t = s.replace(/\s+/g, '');
  if (t === '^P^Q' || t === '\x10\x11') return 'detach';
  if (t === '^D' || t === '\x04') return 'eof';
  return null;
}

/** How a terminal echoes control characters: ^A, ^[, ^? (so a transcript stays printable). */
export function caretNotation(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => (c === '\x7f' ? '^?' : `^${String.fromCharCode(c.charCodeAt(0) + 64)}`));
}

/** Quote one word for the host shell. */
export function shQuote(w: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
  return `'${w.replace(/'/g, `'\\''`)}'`;
}

function commandText(c: SimpleCommand): string {
  const parts = [
    ...Object.entries(c.assigns).map(([k, v]) => `${k}=${shQuote(v)}`),
    ...c.argv.map(shQuote),
    ...c.redirects.map((r) => `${r.fd === 1 || r.op === '<' ? '' : r.fd}${r.op}${shQuote(r.target)}`),
  ];
  return parts.join(' ');
}

export class LineError extends Error {}

/**
 * What a terminal on the emulated host does with a typed line: `docker …` goes to the engine,
 * other commands to bash in the host namespace, and after `docker attach` / `docker exec -it …
 * sh` / `docker run -it … bash`, lines go to the container's shell until `exit`.
 * Shared by `vnet play` (virtual time, transcript) and `vnet shell` (real time, live terminal).
 * Nothing here advances the clock: callers wrap foreground work in `engine.clock.run`.
 */
export class Runner {
  session: ContainerSession | null = null;
  /** Set by `exit [N]` at the host prompt: the terminal (play, shell) should end with N. */
  exitRequested: number | null = null;
  /** The host terminal's own bash: variables and `cd` persist from line to line. */
  private readonly host: ContainerSession;

  constructor(readonly engine: Engine) {
    this.host = new ContainerSession(engine, engine.hostCtx, 'exec', 'bash');
  }

  /** The prompt the terminal shows now. */
  prompt(): string {
    this.dropDeadSession();
    return this.session ? this.session.prompt() : '$ ';
  }

  get inContainer(): boolean {
    this.dropDeadSession();
    return this.session !== null;
  }

  private dropDeadSession(): void {
    // The container stopped under us (docker stop elsewhere, main exited): back at the host.
    if (this.session && !this.session.alive) this.session = null;
  }

  /**
   * Run one line (already split by splitLine) to completion and return its exit status.
   * Errors a real terminal would print go to io.err; LineError is for input vnet can't run.
   */
  async execute(line: SplitLine, io: LineIo): Promise<number> {
    const cmd = line.command;
    if (GARBAGE.test(cmd) && !controlKey(cmd)) throw new LineError('unreadable input (binary or control characters); line skipped');
    this.dropDeadSession();
    if (this.session) return this.inSession(this.session, line.background ? `${cmd} &` : cmd, io);
    if (line.containerPrompt) throw new LineError('this line has a container prompt but no container shell is open (use `docker attach NAME`, `docker exec -it NAME sh` or `docker run -it IMAGE bash` first)');
    const ck = controlKey(cmd);
    if (ck) throw new LineError(`${ck === 'eof' ? '^D' : '^P^Q'} only means something inside a container shell`);
    const exit = EXIT.exec(cmd);
    if (exit) {
      this.exitRequested = exit[1] ? Number(exit[1]) & 255 : 0;
      return this.exitRequested;
    }
    return this.onHost(cmd, io, line.background);
  }

  private async inSession(s: ContainerSession, cmd: string, io: LineIo): Promise<number> {
    const ck = controlKey(cmd);
    if (ck === 'detach') {
      s.detach(io);
      this.session = null;
      return 0;
    }
    const exit = EXIT.exec(cmd);
    if (ck === 'eof' || exit) {
      this.session = null;
      return s.exit(io, exit?.[1] ? Number(exit[1]) & 255 : undefined);
    }
    return s.run(cmd, io);
  }

  /** A host line: `$(…)` substituted, then docker commands to the engine and the rest to bash. */
  private async onHost(cmd: string, io: LineIo, background: boolean): Promise<number> {
    const expanded = await this.substitute(cmd, io);
    let items: ListItem[];
    try {
      items = parseShell(expanded, this.host.env);
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        io.err(`bash: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    // `sudo docker …`, as many tutorials write it: the emulated host needs no root.
    for (const it of items) for (const c of it.pipeline.commands) if (c.argv[0] === 'sudo' && c.argv[1] === 'docker') c.argv.shift();
    const hasDocker = items.some((it) => it.pipeline.commands.some((c) => c.argv[0] === 'docker'));
    if (!hasDocker) return this.hostShell(expanded, io);
    // A list mixing docker and host commands: run item by item with the shell's && / || rules.
    let status = 0;
    let skip = false;
    for (const it of items) {
      if (!skip) {
        const cmds = it.pipeline.commands;
        let run: Promise<number>;
        if (cmds.length === 1 && cmds[0]!.argv[0] === 'docker') {
          if (cmds[0]!.redirects.length) throw new LineError('redirecting docker output is not supported by vnet yet');
          run = this.docker(cmds[0]!.argv.slice(1), io, background || it.sep === '&');
        } else if (cmds.some((c) => c.argv[0] === 'docker')) {
          throw new LineError('piping docker output into other commands is not supported by vnet yet');
        } else run = this.hostShell(cmds.map(commandText).join(' | '), io);
        if (it.sep === '&') {
          void run.catch(() => {});
          status = 0;
        } else status = await run;
        if (it.pipeline.negate) status = status === 0 ? 1 : 0;
      }
      skip = (it.sep === '&&' && status !== 0) || (it.sep === '||' && status === 0);
    }
    return status;
  }

  /** `$(docker ps -q)` and friends: run the inner line, splice its output in as words. */
  private async substitute(cmd: string, io: LineIo): Promise<string> {
    let out = '';
    let i = 0;
    while (i < cmd.length) {
      const start = cmd.indexOf('$(', i);
      if (start < 0 || cmd[start - 1] === "'") break;
      let depth = 0;
      let end = -1;
      for (let j = start + 1; j < cmd.length; j++) {
        if (cmd[j] === '(') depth++;
        else if (cmd[j] === ')' && --depth === 0) {
          end = j;
          break;
        }
      }
      if (end < 0) throw new LineError('unterminated $( … ) in this line');
      const inner = cmd.slice(start + 2, end);
      const chunks: string[] = [];
      const sink = (c: Uint8Array | string): void => void chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
      await this.onHost(inner, { ...io, out: sink }, false);
      out += cmd.slice(i, start) + chunks.join('').trim().split(/\s+/).filter(Boolean).map(shQuote).join(' ');
      i = end + 1;
    }
    return out + cmd.slice(i);
  }

  private hostShell(line: string, io: LineIo): Promise<number> {
    return this.host.run(line, io);
  }

  /** A docker command line (argv without `docker`). */
  async docker(argv: string[], io: LineIo, background = false): Promise<number> {
    let a = argv;
    if (a[0] === 'container' && (a[1] === 'attach' || a[1] === 'exec' || a[1] === 'run')) a = a.slice(1);
    const verb = a[0];
    const rest = a.slice(1);
    const help = rest.includes('--help');
    if (verb === 'attach') {
      if (help) {
        io.out(ATTACH_USAGE);
        return 0;
      }
      return this.attach(rest, io, background);
    }
    if (!help && !background && verb === 'exec') {
      const s = scanExec(rest);
      const [ref, ...cmd] = s.positional;
      const c = ref ? this.engine.tryContainer(ref) : null;
      const sh = interactiveShell(cmd);
      if (wantsTerminal(s) && c?.running && sh && imageHas(c, cmd[0]!)) {
        this.session = new ContainerSession(this.engine, c, 'exec', sh);
        return 0;
      }
    }
    if (!help && !background && verb === 'run') {
      const s = scanRun(rest);
      const [image, ...cmd] = s.positional;
      const img = image ? findImage(image) : null;
      const argvCmd = cmd.length ? cmd : img?.cmd ?? [];
      const sh = interactiveShell(argvCmd);
      if (wantsTerminal(s) && img && sh && findProgram(argvCmd[0]!, img.flavour)) {
        // Start it detached, then open the terminal on its shell (what -it shows you).
        const chunks: string[] = [];
        const code = await this.dockerRaw(['run', '-d', ...rest], { ...io, out: (c) => void chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8')) });
        const id = chunks.join('').trim();
        const c = code === 0 ? this.engine.tryContainer(id) : null;
        if (!c) {
          if (code === 0) io.out(chunks.join(''));
          return code;
        }
        this.session = new ContainerSession(this.engine, c, 'run', sh);
        return 0;
      }
    }
    if (verb === 'run' && !help && !scanRun(rest).flags.has('d') && !scanRun(rest).flags.has('detach')) return this.foregroundRun(a, io);
    return this.dockerRaw(a, io);
  }

  private async dockerRaw(argv: string[], io: LineIo): Promise<number> {
    const r = await dockerCli(this.engine, argv, { onStdout: io.out, onStderr: io.err, signal: io.signal, stdin: io.stdin });
    return r.exitCode;
  }

  /**
   * `docker run` in the foreground. Ctrl-C reaches the container's process (docker's
   * sig-proxy), which the engine's run doesn't take as a signal: stop what this line started.
   */
  private async foregroundRun(argv: string[], io: LineIo): Promise<number> {
    const before = new Set(this.engine.containers.keys());
    const onAbort = (): void => {
      for (const c of this.engine.containers.values()) {
        if (!before.has(c.id) && c.running) void this.engine.stopContainer(c, 0);
      }
    };
    io.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const code = await this.dockerRaw(argv, io);
      return io.signal.aborted ? 130 : code;
    } finally {
      io.signal.removeEventListener('abort', onAbort);
    }
  }

  private async attach(rest: string[], io: LineIo, background: boolean): Promise<number> {
    const s = scanAttach(rest);
    const bad = [...s.flags].find((f) => !['detach-keys', 'no-stdin', 'sig-proxy', 'help'].includes(f.replace(/=.*/, '')));
    if (bad) {
      io.err(`unknown ${bad.length === 1 ? 'shorthand flag' : 'flag'}: ${bad.length === 1 ? `'${bad}' in -${bad}` : `--${bad}`}\nSee 'docker attach --help'.\n`);
      return 125;
    }
    if (s.positional.length !== 1) {
      io.err(`"docker attach" requires exactly 1 argument.\nSee 'docker attach --help'.\n\n${ATTACH_USAGE}`);
      return 1;
    }
    const ref = s.positional[0]!;
    const c = this.engine.tryContainer(ref);
    if (!c) {
      io.err(`Error response from daemon: No such container: ${ref}\n`);
      return 1;
    }
    if (!c.running) {
      io.err('You cannot attach to a stopped container, start it first\n');
      return 1;
    }
    const sh = interactiveShell(c.cmd);
    if (sh && c.tty && c.openStdin && !s.flags.has('no-stdin')) {
      if (background) throw new LineError('a container shell cannot be opened in the background');
      this.session = new ContainerSession(this.engine, c, 'attach', sh);
      return 0;
    }
    // Not a shell: stream the main process's output until it exits (or Ctrl-C stops it).
    const fwd = (b: Uint8Array): void => io.out(b);
    c.attached.add(fwd);
    try {
      const done = c.mainDone;
      if (!done) return c.exitCode;
      const aborted = new Promise<'abort'>((r) => {
        if (io.signal.aborted) r('abort');
        io.signal.addEventListener('abort', () => r('abort'), { once: true });
      });
      const r = await Promise.race([done, aborted]);
      if (r === 'abort') {
        // docker's sig-proxy forwards Ctrl-C to a non-tty container's process; with a tty, the
        // keystroke goes to the container's terminal instead and the CLI stays attached — here
        // we detach, leaving it running.
        if (!c.tty) await this.engine.stopContainer(c, 0);
        return 130;
      }
      return r;
    } finally {
      c.attached.delete(fwd);
    }
  }

  /** A pipe that is already at EOF: what a script's commands read when nothing is typed. */
  static noInput(): Pipe {
    const p = new Pipe();
    p.end();
    return p;
  }
}
