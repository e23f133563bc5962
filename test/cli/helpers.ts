import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** `vnet ARGS` in this process, output collected. */
export async function vnet(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

/** `vnet ARGS` as a child process (node + the tsx loader, as `npx tsx` would). */
export function vnetProcess(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    if (stdin !== undefined) p.stdin.end(stdin);
    else p.stdin.end();
  });
}

let dir: string | null = null;
/** A file in a per-run temporary directory. */
export function tmpFile(name: string, content?: string | Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), 'vnet-cli-'));
  const p = join(dir, name);
  if (content !== undefined) writeFileSync(p, content);
  return p;
}

/** A script file from lines. */
export function script(name: string, ...lines: string[]): string {
  return tmpFile(name, lines.join('\n') + '\n');
}
