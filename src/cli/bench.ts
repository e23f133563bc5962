import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './version.js';

/**
 * `vnet bench`: the benchmark suite (benchmarks/run.ts, what `npm run bench` runs), in a child
 * Node with the tsx loader, output straight to the terminal.
 */
export async function bench(args: string[], err: (s: string) => void): Promise<number> {
  const script = join(PACKAGE_ROOT, 'benchmarks', 'run.ts');
  if (!existsSync(script)) {
    err(`vnet bench: no benchmark suite in this installation (${script} not found).\nThe suite ships with the source tree: run 'npm run bench' in a checkout of vnet.\n`);
    return 1;
  }
  try {
    createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('tsx');
  } catch {
    err("vnet bench: the benchmark suite needs the 'tsx' package (a dev dependency): run 'npm install' first.\n");
    return 1;
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
    child.on('error', (e) => {
      err(`vnet bench: ${e.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 + 2 : 1)));
  });
}
