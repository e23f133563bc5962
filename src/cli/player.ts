import type { Logger } from 'pino';
import { Engine } from '../engine/engine.js';
import { setLogClock } from './logger.js';
import type { Capture } from '../link/capture.js';
import { caretNotation, LineError, Runner, splitLine, type LineIo } from './runner.js';
import type { ScriptLine } from './script.js';

export interface CaptureSpec {
  dev: string;
  file: string;
}

export interface PlayOptions {
  realTime?: boolean;
  seed?: number;
  /** A foreground line still running after this many (virtual) seconds gets a Ctrl-C. */
  timeoutSec?: number;
  captures?: CaptureSpec[];
  logger?: Logger;
}

export interface LineFailure {
  lineNo: number;
  text: string;
  exitCode: number;
}

export interface PlayResult {
  transcript: string;
  failures: LineFailure[];
  /** Lines stopped by the timeout (Ctrl-C), by line number. */
  interrupted: number[];
  /** Captures that never found their device, as "dev=file". */
  captureMisses: string[];
  /** Packets written per capture file. */
  captured: Record<string, number>;
}

const DEFAULT_TIMEOUT_SEC = 30;

/**
 * `vnet play`: replay a script against a fresh engine and produce the terminal transcript —
 * each command after its prompt, then what it printed (stdout and stderr interleaved as a
 * terminal shows them). Foreground lines run to completion in engine time; `cmd &` lines run
 * alongside; a line still running after the timeout is interrupted like Ctrl-C.
 */
export async function play(script: ScriptLine[], opts: PlayOptions = {}, write: (s: string) => void = () => {}): Promise<PlayResult> {
  const engine = await Engine.create({ clock: opts.realTime ? 'real' : 'virtual', seed: opts.seed, logger: opts.logger });
  const runner = new Runner(engine);
  setLogClock(engine.clock);
  const clock = engine.clock;
  const timeoutMs = (opts.timeoutSec ?? DEFAULT_TIMEOUT_SEC) * 1000;
  const parts: string[] = [];
  let lastChar = '\n';
  const emit = (s: string): void => {
    if (!s) return;
    parts.push(s);
    lastChar = s[s.length - 1]!;
    write(s);
  };
  const emitChunk = (c: Uint8Array | string): void => emit(typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
  const failures: LineFailure[] = [];
  const interrupted: number[] = [];
  const background: { p: Promise<unknown>; ac: AbortController }[] = [];
  const pendingCaps = [...(opts.captures ?? [])];
  const caps: Capture[] = [];
  const log = engine.log.child({ component: 'play' });

  const tryCaptures = (): void => {
    for (let i = pendingCaps.length - 1; i >= 0; i--) {
      const spec = pendingCaps[i]!;
      try {
        caps.push(engine.capture(spec.dev, spec.file));
        pendingCaps.splice(i, 1);
        log.info({ dev: spec.dev, file: spec.file }, 'capture started');
      } catch {
        /* the device (a br-… or a container's eth0) may appear after a later line */
      }
    }
  };

  try {
    tryCaptures();
    for (const sl of script) {
      const trimmed = sl.text.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const line = splitLine(trimmed);
      if (line.command === '') continue;
      const hostLine = !runner.inContainer;
      emit(runner.prompt() + caretNotation(line.command) + (line.background ? ' &' : '') + '\n');
      const ac = new AbortController();
      const io: LineIo = { out: emitChunk, err: emitChunk, signal: ac.signal, stdin: Runner.noInput() };
      log.debug({ line: sl.lineNo, command: line.command }, 'line');
      const run = runner.execute(line, io).catch((e: unknown) => {
        if (lastChar !== '\n') emit('\n');
        if (e instanceof LineError) emit(`vnet: line ${sl.lineNo}: ${e.message}\n`);
        else {
          // A bug in vnet, not in the script: say so on this line and go on with the next.
          log.error({ err: e, line: sl.lineNo }, 'internal error');
          emit(`vnet: line ${sl.lineNo}: internal error: ${(e as Error)?.message ?? String(e)}\n`);
        }
        return e instanceof LineError ? 2 : 70;
      });
      if (line.background && hostLine) {
        background.push({ p: run.catch(() => {}), ac });
        tryCaptures();
        continue;
      }
      let code = await clock.run(raceTimeout(engine, run, timeoutMs));
      if (code === TIMED_OUT) {
        emit('^C');
        ac.abort();
        interrupted.push(sl.lineNo);
        code = await clock.run(raceTimeout(engine, run, 5000));
        if (code === TIMED_OUT) emit(`\nvnet: line ${sl.lineNo}: still running after Ctrl-C; left in the background\n`);
      } else if (code !== 0) failures.push({ lineNo: sl.lineNo, text: line.command, exitCode: code });
      if (lastChar !== '\n') emit('\n');
      tryCaptures();
      // `exit` at the host prompt ends the script, as in bash
      if (runner.exitRequested !== null) break;
    }
    // Let background jobs finish (up to the timeout), then interrupt what is left.
    if (background.length) {
      const all = Promise.all(background.map((b) => b.p));
      if ((await clock.run(raceTimeout(engine, all, timeoutMs))) === TIMED_OUT) {
        for (const b of background) b.ac.abort();
        await clock.run(raceTimeout(engine, all, 5000));
      }
    }
    if (lastChar !== '\n') emit('\n');
  } finally {
    for (const c of caps) c.close();
    await engine.close();
  }
  const captured: Record<string, number> = {};
  for (const c of caps) captured[c.path] = c.packets;
  return { transcript: parts.join(''), failures, interrupted, captureMisses: pendingCaps.map((c) => `${c.dev}=${c.file}`), captured };
}

const TIMED_OUT = -1000 as const;

/** `p`, or TIMED_OUT if the engine clock passes `ms` first (the timer is cancelled either way). */
async function raceTimeout<T>(engine: Engine, p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  const ac = new AbortController();
  const timer: Promise<typeof TIMED_OUT> = engine.clock.sleep(ms, ac.signal).then(
    () => TIMED_OUT,
    () => TIMED_OUT,
  );
  try {
    return await Promise.race([p, timer]);
  } finally {
    ac.abort();
  }
}
