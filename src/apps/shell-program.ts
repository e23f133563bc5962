import { getopt } from './getopt.js';
import type { Proc, Program } from './process.js';
import { Shell, type ProgramLookup } from './sh.js';

/** The prompt a root shell shows: bash "root@host:/# ", busybox sh "/ # ". */
export function promptFor(p: Proc, bash: boolean): string {
  return bash ? `root@${p.sys.hostname()}:/# ` : '/ # ';
}

/**
 * `sh` / `bash`: `-c SCRIPT`, or read commands from stdin line by line (interactive with a
 * prompt when stdin is a terminal). Exits on EOF or `exit`.
 */
export function makeShellProgram(lookup: ProgramLookup, bash: boolean): Program {
  return async (p: Proc): Promise<number> => {
    const name = bash ? 'bash' : 'sh';
    const o = getopt(p.argv.slice(1), 'c:eilx');
    const sh = new Shell(p, lookup, name);
    const script = o.opts.get('c');
    if (typeof script === 'string') return sh.run(script);
    let buf = '';
    let status = 0;
    const prompt = (): void => {
      if (p.tty) p.stdout.write(promptFor(p, bash));
    };
    prompt();
    for (;;) {
      const c = await p.stdin.read();
      if (c === null) break;
      buf += Buffer.from(c).toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        status = await sh.run(line);
        if (sh.exited !== null) {
          if (p.tty) p.stdout.write('exit\n');
          return sh.exited;
        }
        prompt();
      }
    }
    if (buf.trim()) status = await sh.run(buf);
    if (p.tty) p.stdout.write('exit\n');
    return status;
  };
}
