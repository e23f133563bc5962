import { EXEC_FLAGS, RUN_FLAGS } from '../engine/docker-cli.js';
import type { FlagSpec } from '../engine/cli-flags.js';

/**
 * Just enough of docker's flag grammar to see what a `run`/`exec`/`attach` line will do before
 * handing it to the engine: which flags are set and where the image/container and command
 * start. The engine's docker CLI does the real parsing (and the error messages).
 */

/** Value-taking flags, long names and short letters, from the engine's own flag tables. */
function valueFlags(spec: FlagSpec): [Set<string>, Set<string>] {
  const long = new Set<string>();
  const short = new Set<string>();
  for (const [name, f] of Object.entries(spec)) {
    if (!f.value) continue;
    long.add(name);
    if (f.short) short.add(f.short);
  }
  return [long, short];
}

const [RUN_VALUE_LONG, RUN_VALUE_SHORT] = valueFlags(RUN_FLAGS);
const [EXEC_VALUE_LONG, EXEC_VALUE_SHORT] = valueFlags(EXEC_FLAGS);
const ATTACH_VALUE_LONG = new Set(['detach-keys']);

export interface ScannedArgs {
  /** Flags seen, by long name or short letter (`-it` → i, t). */
  flags: Set<string>;
  /** Positional arguments: the image/container, then the command. */
  positional: string[];
}

function scan(args: readonly string[], valueLong: Set<string>, valueShort: Set<string>): ScannedArgs {
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      flags.add(name);
      if (eq < 0 && valueLong.has(name)) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        flags.add(ch);
        if (valueShort.has(ch)) {
          if (j === a.length - 1) i++;
          break;
        }
      }
      continue;
    }
    // Interspersed flags stop at the first positional (everything after is the command).
    positional.push(...args.slice(i));
    break;
  }
  return { flags, positional };
}

export const scanRun = (args: readonly string[]): ScannedArgs => scan(args, RUN_VALUE_LONG, RUN_VALUE_SHORT);
export const scanExec = (args: readonly string[]): ScannedArgs => scan(args, EXEC_VALUE_LONG, EXEC_VALUE_SHORT);
export const scanAttach = (args: readonly string[]): ScannedArgs => scan(args, ATTACH_VALUE_LONG, new Set());

/** -i and -t (together, in any spelling) and not -d. */
export function wantsTerminal(s: ScannedArgs): boolean {
  const has = (short: string, long: string): boolean => s.flags.has(short) || s.flags.has(long);
  return has('i', 'interactive') && has('t', 'tty') && !has('d', 'detach');
}
