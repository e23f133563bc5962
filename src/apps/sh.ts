import { Collector, Pipe, type Writer } from './pipe.js';
import type { Proc, Program } from './process.js';
import { ExitError } from './process.js';
import { parseShell, ShellSyntaxError, type SimpleCommand } from './sh-parse.js';

/** Finds a program by name for the image the shell runs in. */
export type ProgramLookup = (name: string) => Program | undefined;

const NULL_WRITER: Writer = { write() {}, end() {} };

/**
 * A small sh: runs parsed lists/pipelines, with builtins (cd, exit, true, false, export,
 * wait, :) and background jobs. Programs run concurrently inside a pipeline, wired by Pipes.
 */
export class Shell {
  readonly jobs = new Set<Promise<number>>();
  private lastStatus = 0;
  /** Set once `exit` ran: the status the shell leaves with. */
  exited: number | null = null;
  constructor(private readonly p: Proc, private readonly lookup: ProgramLookup, private readonly name = 'sh') {}

  /** Run a script/command line. Returns the exit status of the last command. */
  async run(src: string): Promise<number> {
    let items;
    try {
      items = parseShell(src, { ...this.p.env, '?': String(this.lastStatus) });
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        this.p.stderr.write(`${this.name}: ${e.message}\n`);
        return (this.lastStatus = 2);
      }
      throw e;
    }
    let status = this.lastStatus;
    let skip = false;
    for (const it of items) {
      if (!skip) {
        if (it.sep === '&') {
          const job = this.runPipeline(it.pipeline.commands, it.pipeline.negate);
          this.jobs.add(job);
          void job.finally(() => this.jobs.delete(job));
          status = 0;
        } else {
          try {
            status = await this.runPipeline(it.pipeline.commands, it.pipeline.negate);
          } catch (e) {
            if (e instanceof ExitError) return (this.exited = this.lastStatus = e.code);
            throw e;
          }
        }
        this.lastStatus = status;
      }
      skip = (it.sep === '&&' && status !== 0) || (it.sep === '||' && status === 0);
    }
    return status;
  }

  private async runPipeline(cmds: SimpleCommand[], negate: boolean): Promise<number> {
    const n = cmds.length;
    const runs: Promise<number>[] = [];
    let stdin: Pipe = this.p.stdin;
    for (let i = 0; i < n; i++) {
      const last = i === n - 1;
      const out = last ? null : new Pipe();
      runs.push(this.runCommand(cmds[i]!, stdin, out ?? this.p.stdout, !last));
      if (out) stdin = out;
    }
    const statuses = await Promise.all(runs);
    const s = statuses[n - 1]!;
    return negate ? (s === 0 ? 1 : 0) : s;
  }

  private async runCommand(cmd: SimpleCommand, stdin: Pipe, stdout: Writer, endOut: boolean): Promise<number> {
    const files = this.p.sys.files;
    let out: Writer = stdout;
    let err: Writer = this.p.stderr;
    let input = stdin;
    const fileOuts: { path: string; c: Collector; append: boolean }[] = [];
    for (const r of cmd.redirects) {
      if (r.op === '<') {
        const text = r.target === '/dev/null' ? '' : files.read(r.target);
        if (text === undefined) {
          this.p.stderr.write(`${this.name}: can't open '${r.target}': No such file or directory\n`);
          if (endOut) stdout.end();
          return 1;
        }
        input = new Pipe();
        input.write(text);
        input.end();
      } else if (r.op === '>&') {
        const target = r.target === '1' ? out : r.target === '2' ? err : null;
        if (target === null) continue;
        if (r.fd === 2) err = target;
        else out = target;
      } else {
        let w: Writer;
        if (r.target === '/dev/null') w = NULL_WRITER;
        else {
          const c = new Collector();
          fileOuts.push({ path: r.target, c, append: r.op === '>>' });
          w = c;
        }
        if (r.fd === 2) err = w;
        else out = w;
      }
    }
    const env = { ...this.p.env, ...cmd.assigns };
    try {
      if (cmd.argv.length === 0) {
        Object.assign(this.p.env, cmd.assigns);
        return 0;
      }
      const name = cmd.argv[0]!;
      const builtin = this.builtin(name, cmd.argv, out);
      if (builtin !== null) return await builtin;
      const prog = this.lookup(name);
      if (!prog) {
        err.write(this.name === 'bash' ? `bash: ${name}: command not found\n` : `${this.name}: ${name}: not found\n`);
        return 127;
      }
      return await prog({ ...this.p, argv: cmd.argv, env, stdin: input, stdout: out, stderr: err });
    } finally {
      for (const f of fileOuts) files.write(f.path, (f.append ? files.read(f.path) ?? '' : '') + f.c.text());
      if (endOut) stdout.end();
    }
  }

  private builtin(name: string, argv: string[], out: Writer): Promise<number> | null {
    switch (name) {
      case ':':
      case 'true':
      case 'cd':
        return Promise.resolve(0);
      case 'false':
        return Promise.resolve(1);
      case 'exit':
        throw new ExitError(argv[1] !== undefined ? Number(argv[1]) & 255 : this.lastStatus);
      case 'export':
        for (const a of argv.slice(1)) {
          const eq = a.indexOf('=');
          if (eq > 0) this.p.env[a.slice(0, eq)] = a.slice(eq + 1);
        }
        return Promise.resolve(0);
      case 'wait':
        return Promise.all([...this.jobs]).then(() => 0);
      case 'echo': {
        let args = argv.slice(1);
        let nl = true;
        if (args[0] === '-n') {
          nl = false;
          args = args.slice(1);
        }
        out.write(args.join(' ') + (nl ? '\n' : ''));
        return Promise.resolve(0);
      }
      default:
        return null;
    }
  }
}
