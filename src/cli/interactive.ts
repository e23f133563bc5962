import { createInterface, type Interface } from 'node:readline';
import type { Logger } from 'pino';
import { Pipe } from '../apps/pipe.js';
import { Engine } from '../engine/engine.js';
import { setLogClock } from './logger.js';
import type { CliIo } from './main.js';
import { LineError, Runner, splitLine } from './runner.js';

export interface ShellOptions {
  seed?: number;
  logger: Logger;
}

/**
 * Standard input of the foreground command, fed from what the user types — but only while the
 * command is actually reading: lines typed ahead for the shell stay with the shell, as a tty's
 * line discipline keeps them until someone reads.
 */
class TypedInput extends Pipe {
  waitingForInput = false;
  constructor(private readonly want: () => void) {
    super();
  }
  override read(): Promise<Uint8Array | null> {
    const p = super.read();
    if (!this.ended) {
      this.waitingForInput = true;
      this.want();
    }
    return p.finally(() => (this.waitingForInput = false));
  }
}

/**
 * `vnet shell`: a terminal on a fresh emulated host, on the wall clock. Typed lines run like a
 * line of `vnet play`; Ctrl-C aborts the foreground command; Ctrl-D leaves a container shell,
 * and at the host prompt quits. With a terminal on stdin, node:readline gives editing and
 * history; from a pipe (scripts, tests) the control bytes \x03 / \x04 / \x10\x11 act as keys.
 */
export async function runShell(opts: ShellOptions, io: CliIo): Promise<number> {
  const input = io.stdin ?? process.stdin;
  const engine = await Engine.create({ clock: 'real', seed: opts.seed, logger: opts.logger });
  const runner = new Runner(engine);
  setLogClock(engine.clock);
  let lastChar = '\n';
  const write = (c: Uint8Array | string): void => {
    const s = typeof c === 'string' ? c : Buffer.from(c).toString('utf8');
    if (!s) return;
    lastChar = s[s.length - 1]!;
    io.out(s);
  };
  const writeErr = (c: Uint8Array | string): void => {
    const s = typeof c === 'string' ? c : Buffer.from(c).toString('utf8');
    if (!s) return;
    lastChar = s[s.length - 1]!;
    io.err(s);
  };

  const queue: string[] = [];
  let running: { ac: AbortController; stdin: TypedInput } | null = null;
  let inputClosed = false;
  let quitting = false;
  let rl: Interface | null = null;
  const tty = !!input.isTTY;
  let history: string[] = [];

  let finish!: (code: number) => void;
  const finished = new Promise<number>((r) => (finish = r));

  const showPrompt = (): void => {
    if (lastChar !== '\n') write('\n');
    const p = runner.prompt();
    if (rl) {
      rl.setPrompt(p);
      rl.prompt(true);
    } else write(p);
    // the prompt itself doesn't count as "output on the line" for newline fixing
    lastChar = '\n';
  };

  const quit = (code: number): void => {
    if (quitting) return;
    quitting = true;
    rl?.close();
    input.removeListener('data', onData);
    if ('pause' in input && typeof input.pause === 'function') input.pause();
    void engine.close().then(() => finish(code));
  };

  const pump = (): void => {
    if (quitting) return;
    if (running) {
      // The foreground command is reading: give it the next typed line.
      if (running.stdin.waitingForInput && queue.length) running.stdin.write(queue.shift()! + '\n');
      else if (running.stdin.waitingForInput && inputClosed) running.stdin.end();
      return;
    }
    if (queue.length) {
      void start(queue.shift()!);
      return;
    }
    if (inputClosed) quit(0);
  };

  const start = async (raw: string): Promise<void> => {
    const line = splitLine(raw);
    if (line.command === '' || line.command.startsWith('#')) {
      showPrompt();
      return pump();
    }
    const ac = new AbortController();
    const stdin = new TypedInput(() => pump());
    running = { ac, stdin };
    const hostBackground = line.background && !runner.inContainer;
    const p = engine.clock
      .run(runner.execute(line, { out: write, err: writeErr, signal: ac.signal, stdin }))
      .catch((e: unknown) => {
        writeErr(e instanceof LineError ? `vnet: ${e.message}\n` : `vnet: internal error: ${(e as Error).message}\n`);
        return 1;
      });
    if (!hostBackground) await p;
    running = null;
    if (runner.exitRequested !== null) {
      write('exit\n');
      quit(runner.exitRequested);
      return;
    }
    showPrompt();
    pump();
  };

  const interrupt = (): void => {
    if (running) {
      write('^C');
      running.ac.abort();
      running.stdin.end();
    } else {
      queue.length = 0;
      write('^C\n');
      showPrompt();
    }
  };

  const endOfFile = (): void => {
    if (running) {
      running.stdin.end();
      return;
    }
    if (runner.inContainer) {
      queue.unshift('^D');
      pump();
      return;
    }
    write('exit\n');
    quit(0);
  };

  // From a pipe: our own line discipline over the raw bytes.
  let partial = '';
  const onData = (chunk: Buffer | string): void => {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (const ch of s) {
      if (ch === '\x03') {
        partial = '';
        interrupt();
      } else if (ch === '\x04') {
        if (partial) {
          queue.push(partial);
          partial = '';
          pump();
        } else endOfFile();
      } else if (ch === '\n') {
        queue.push(partial);
        partial = '';
        pump();
      } else if (ch !== '\r') partial += ch;
    }
  };

  const openReadline = (): void => {
    rl = createInterface({ input, output: io.stdout ?? process.stdout, terminal: true, history, historySize: 1000, prompt: runner.prompt() });
    rl.on('line', (l) => {
      queue.push(l);
      pump();
    });
    rl.on('SIGINT', interrupt);
    rl.on('history', (h: string[]) => (history = h));
    rl.on('close', () => {
      if (quitting) return;
      // Ctrl-D closes readline: handle it, then give the user a fresh line editor.
      rl = null;
      endOfFile();
      if (!quitting) openReadline();
    });
  };

  if (tty) openReadline();
  else {
    input.on('data', onData);
    input.on('end', () => {
      if (partial) queue.push(partial);
      partial = '';
      inputClosed = true;
      pump();
    });
  }
  write(`vnet shell: an emulated Docker host (Ctrl-D to quit, 'docker --help' for commands)\n`);
  showPrompt();
  return finished;
}
