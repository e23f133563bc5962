#!/usr/bin/env node
/**
 * `vnet`: the command-line face of the emulator — `play` (replay a tutorial script, print or
 * check its transcript), `shell` (an interactive emulated Docker host), `capture`, `bench`,
 * `version`, and docker verbs on a fresh host. Errors follow the Docker CLI's wording and exit
 * statuses: 125 for flag errors, 1 for missing arguments and failed operations.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Engine } from '../index.js';
import { FlagError, parseFlags, type FlagResult, type FlagSpec } from '../engine/cli-flags.js';
import { applyFormat } from '../engine/docker-cli.js';
import { bench } from './bench.js';
import { BENCH_HELP, CAPTURE_HELP, DOCKER_VERBS, MAIN_HELP, PLAY_HELP, SHELL_HELP, SHORT, VERSION_HELP } from './help.js';
import { runShell } from './interactive.js';
import { isLogLevel, makeLogger } from './logger.js';
import { play, type CaptureSpec } from './player.js';
import { Runner } from './runner.js';
import { decodeScript, ScriptError, scriptLines } from './script.js';
import { checkTranscript } from './transcript-check.js';
import { vnetVersion } from './version.js';

/** Where a vnet command writes; tests pass collectors, the binary passes the process's streams. */
export interface CliIo {
  out(s: string): void;
  err(s: string): void;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A command-line mistake: message to stderr, Docker's exit status for it. */
class UsageError extends Error {
  constructor(msg: string, readonly code: number) {
    super(msg);
  }
}

const LOG_FLAGS: FlagSpec = { 'log-level': { value: true }, 'log-file': { value: true } };

function parse(verb: string, argv: string[], spec: FlagSpec, interspersed = true): FlagResult {
  try {
    return parseFlags(argv, { ...spec, help: { short: 'h', value: false } }, interspersed);
  } catch (e) {
    if (e instanceof FlagError) throw new UsageError(`${e.message}\nSee '${verb} --help'.\n`, 125);
    throw e;
  }
}

const last = (f: FlagResult, k: string): string | undefined => f.values.get(k)?.at(-1);

function intFlag(verb: string, f: FlagResult, k: string, min: number): number | undefined {
  const v = last(f, k);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new UsageError(`invalid argument "${v}" for "--${k}" flag: ${/^-?\d+$/.test(v) ? `must be at least ${min}` : `strconv.ParseInt: parsing "${v}": invalid syntax`}\nSee '${verb} --help'.\n`, 125);
  return Number(v);
}

function loggerFrom(verb: string, f: FlagResult, inherited: { level: string; file?: string }): Logger {
  const level = last(f, 'log-level') ?? inherited.level;
  if (!isLogLevel(level)) throw new UsageError(`invalid argument "${level}" for "--log-level" flag: not a level (trace, debug, info, warn, error, fatal, silent)\nSee '${verb} --help'.\n`, 125);
  return makeLogger(level, last(f, 'log-file') ?? inherited.file);
}

function needArgs(verb: string, args: string[], n: number, usage: string): void {
  if (args.length !== n) {
    const usageLine = usage.split('\n')[0]!;
    const short = SHORT[verb.replace(/^vnet /, '')] ?? '';
    throw new UsageError(`"${verb}" requires exactly ${n} argument${n === 1 ? '' : 's'}.\nSee '${verb} --help'.\n\n${usageLine}\n\n${short}\n`, 1);
  }
}

function readScript(path: string): string {
  let bytes: Uint8Array;
  try {
    bytes = path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`vnet: open ${path}: ${why}\n`, 1);
  }
  return decodeScript(bytes, path);
}

interface PlayFlags {
  script: string;
  captures: CaptureSpec[];
  check?: string;
  update: boolean;
  realTime: boolean;
  seed?: number;
  strict: boolean;
  timeout?: number;
  logger: Logger;
}

const PLAY_SPEC: FlagSpec = {
  capture: { value: true },
  check: { value: true },
  update: { value: false },
  'real-time': { value: false },
  seed: { value: true },
  strict: { value: false },
  timeout: { value: true },
  ...LOG_FLAGS,
};

async function runPlay(p: PlayFlags, io: CliIo): Promise<number> {
  const text = readScript(p.script);
  let expected: string | undefined;
  if (p.check && !p.update) {
    try {
      expected = readFileSync(p.check, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`vnet: open ${p.check}: ${code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}\n`, 1);
    }
  }
  const live = !p.check;
  const r = await play(scriptLines(text), { realTime: p.realTime, seed: p.seed, timeoutSec: p.timeout, captures: p.captures, logger: p.logger }, live ? io.out : undefined);
  let code = 0;
  for (const [file, n] of Object.entries(r.captured)) io.err(`${n} packet${n === 1 ? '' : 's'} captured to ${file}\n`);
  for (const miss of r.captureMisses) {
    io.err(`vnet: capture ${miss}: no such device (it never appeared)\n`);
    code = 1;
  }
  if (p.check && p.update) {
    writeFileSync(p.check, r.transcript);
    io.err(`vnet: wrote ${p.check}\n`);
  } else if (expected !== undefined) {
    const c = checkTranscript(expected, r.transcript, { expected: p.check!, actual: `${p.script} (actual)` });
    if (c.ok) io.err(`vnet: transcript matches ${p.check}\n`);
    else {
      io.out(c.diff);
      io.err(`vnet: transcript differs from ${p.check}\n`);
      code = 1;
    }
  }
  if (p.strict && r.failures.length) {
    io.err(`vnet: ${r.failures.length} line${r.failures.length === 1 ? '' : 's'} failed:\n${r.failures.map((f) => `  line ${f.lineNo}: ${f.text} (exit status ${f.exitCode})\n`).join('')}`);
    code = 1;
  }
  return code;
}

function playFlags(verb: string, f: FlagResult, logger: Logger, captures: CaptureSpec[]): Omit<PlayFlags, 'script'> {
  for (const c of f.values.get('capture') ?? []) {
    const eq = c.indexOf('=');
    if (eq <= 0 || eq === c.length - 1) throw new UsageError(`invalid argument "${c}" for "--capture" flag: want IFACE=FILE\nSee '${verb} --help'.\n`, 125);
    captures.push({ dev: c.slice(0, eq), file: c.slice(eq + 1) });
  }
  if (f.bools.has('update') && !f.values.has('check')) throw new UsageError(`--update needs --check FILE\nSee '${verb} --help'.\n`, 125);
  return {
    captures,
    check: last(f, 'check'),
    update: f.bools.has('update'),
    realTime: f.bools.has('real-time'),
    seed: intFlag(verb, f, 'seed', 0),
    strict: f.bools.has('strict'),
    timeout: intFlag(verb, f, 'timeout', 1),
    logger,
  };
}

/** A docker verb at the top level: one command on a fresh emulated host. */
async function dockerOnce(argv: string[], io: CliIo, logger: Logger): Promise<number> {
  const engine = await Engine.create({ logger });
  try {
    const runner = new Runner(engine);
    const ac = new AbortController();
    const code = await engine.clock.run(runner.docker(argv, { out: (c) => io.out(text(c)), err: (c) => io.err(text(c)), signal: ac.signal, stdin: Runner.noInput() }));
    if (runner.inContainer) {
      io.err("vnet: a container terminal needs state that outlives one command: use 'vnet shell' (interactive) or 'vnet play SCRIPT'\n");
      return 1;
    }
    const stateful = ['run', 'create', 'start', 'network', 'exec', 'container'].includes(argv[0]!) && !argv.includes('--help') && !(argv[0] === 'network' && ['ls', 'list', 'inspect', undefined].includes(argv[1]));
    if (stateful && code === 0) io.err("vnet: note: that ran on a fresh emulated host which is now gone; use 'vnet shell' or 'vnet play SCRIPT' to keep state between commands\n");
    return code;
  } finally {
    await engine.close();
  }
}

function text(c: Uint8Array | string): string {
  return typeof c === 'string' ? c : Buffer.from(c).toString('utf8');
}

/** The vnet command. Returns the exit status. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message);
      return e.code;
    }
    if (e instanceof ScriptError) {
      io.err(`vnet: ${e.message}\n`);
      return 1;
    }
    // A bug, not a user mistake: one line, and the stack only when debugging.
    io.err(`vnet: internal error: ${(e as Error).message ?? String(e)}\n`);
    if (process.env['VNET_DEBUG']) io.err(`${(e as Error).stack ?? ''}\n`);
    return 70;
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  // Global options before the command.
  let i = 0;
  const inherited: { level: string; file?: string } = { level: 'warn' };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--(log-level|log-file)(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[2] ?? argv[++i];
      if (v === undefined) throw new UsageError(`flag needs an argument: --${m[1]}\nSee 'vnet --help'.\n`, 125);
      if (m[1] === 'log-level') inherited.level = v;
      else inherited.file = v;
      continue;
    }
    if (a === '-h' || a === '--help') {
      io.out(MAIN_HELP);
      return 0;
    }
    if (a === '-v' || a === '--version') {
      io.out(`vnet version ${vnetVersion()}\n`);
      return 0;
    }
    if (a.startsWith('-')) throw new UsageError(`unknown ${a.startsWith('--') ? `flag: ${a.replace(/=.*/, '')}` : `shorthand flag: '${a[1]}' in ${a}`}\nSee 'vnet --help'.\n`, 125);
    break;
  }
  const verb = argv[i];
  const rest = argv.slice(i + 1);
  if (verb === undefined) {
    io.out(MAIN_HELP);
    return 0;
  }
  switch (verb) {
    case 'help':
      io.out(MAIN_HELP);
      return 0;
    case 'play': {
      const f = parse('vnet play', rest, PLAY_SPEC);
      if (f.bools.has('help')) return io.out(PLAY_HELP), 0;
      needArgs('vnet play', f.args, 1, PLAY_HELP);
      const logger = loggerFrom('vnet play', f, inherited);
      return runPlay({ script: f.args[0]!, ...playFlags('vnet play', f, logger, []) }, io);
    }
    case 'capture': {
      const { capture: _c, update: _u, ...playSpec } = PLAY_SPEC;
      const f = parse('vnet capture', rest, { ...playSpec, interface: { short: 'i', value: true }, write: { short: 'w', value: true } });
      if (f.bools.has('help')) return io.out(CAPTURE_HELP), 0;
      needArgs('vnet capture', f.args, 1, CAPTURE_HELP);
      const file = last(f, 'write');
      if (!file) throw new UsageError(`required flag "write" (-w FILE) not set\nSee 'vnet capture --help'.\n`, 125);
      const logger = loggerFrom('vnet capture', f, inherited);
      const dev = last(f, 'interface') ?? 'docker0';
      return runPlay({ script: f.args[0]!, ...playFlags('vnet capture', f, logger, [{ dev, file }]) }, io);
    }
    case 'shell': {
      const f = parse('vnet shell', rest, { seed: { value: true }, ...LOG_FLAGS });
      if (f.bools.has('help')) return io.out(SHELL_HELP), 0;
      if (f.args.length) throw new UsageError(`"vnet shell" accepts no arguments.\nSee 'vnet shell --help'.\n\nUsage:  vnet shell [OPTIONS]\n\n${SHORT['shell']}\n`, 1);
      const logger = loggerFrom('vnet shell', f, inherited);
      return runShell({ seed: intFlag('vnet shell', f, 'seed', 0), logger }, io);
    }
    case 'bench':
      if (rest[0] === '--help' || rest[0] === '-h') return io.out(BENCH_HELP), 0;
      return bench(rest, io.err);
    case 'version': {
      const f = parse('vnet version', rest, { format: { short: 'f', value: true } });
      if (f.bools.has('help')) return io.out(VERSION_HELP), 0;
      const info = { Version: vnetVersion(), Node: process.version, Os: process.platform, Arch: process.arch, DockerApi: '1.47 (emulated Docker 27.5.1)' };
      const fmt = last(f, 'format');
      if (fmt === 'json') io.out(JSON.stringify(info) + '\n');
      else if (fmt) io.out(applyFormat(fmt, info) + '\n');
      else io.out(`vnet:\n Version:     ${info.Version}\n Node:        ${info.Node}\n OS/Arch:     ${info.Os}/${info.Arch}\n Emulates:    Docker Engine 27.5.1 (API 1.47)\n`);
      return 0;
    }
    case 'docker':
      return dockerOnce(rest, io, loggerFrom('vnet', parse('vnet', [], LOG_FLAGS), inherited));
    default:
      if (DOCKER_VERBS.includes(verb)) return dockerOnce([verb, ...rest], io, loggerFrom('vnet', parse('vnet', [], LOG_FLAGS), inherited));
      io.err(`vnet: '${verb}' is not a vnet command.\nSee 'vnet --help'\n`);
      return 1;
  }
}

function isEntry(): boolean {
  const a = process.argv[1];
  if (!a) return false;
  try {
    return realpathSync(a) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const io: CliIo = {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    stdin: process.stdin,
    stdout: process.stdout,
  };
  // A closed pipe on stdout (vnet play x | head) ends quietly, like a Unix tool.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const code = await main(process.argv.slice(2), io);
  process.exitCode = code;
  // Wait for stdout/stderr to drain, then leave even if a stray handle lingers.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
