import pino, { type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { Clock } from '../sim/clock.js';

/** The engine clock of the command being run: every record carries its time in ms (`t`). */
let logClock: Clock | null = null;
export function setLogClock(c: Clock | null): void {
  logClock = c;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * The engine's logger for a vnet command: JSON lines to --log-file if given, else to stderr —
 * pretty-printed when stderr is a terminal, JSON otherwise (for tools). Synchronous writes, so
 * nothing is lost when the process exits right after.
 */
export function makeLogger(level: string, file?: string): Logger {
  const opts: LoggerOptions = { level, base: { name: 'vnet' }, mixin: () => (logClock ? { t: Math.round(logClock.now() * 1000) / 1000 } : {}) };
  if (file) return pino(opts, pino.destination({ dest: file, sync: true, mkdir: true }));
  if (process.stderr.isTTY) return pino(opts, pretty({ destination: 2, sync: true, colorize: true }));
  return pino(opts, pino.destination({ dest: 2, sync: true }));
}

export function isLogLevel(s: string): boolean {
  return (LOG_LEVELS as readonly string[]).includes(s);
}
