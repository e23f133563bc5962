import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One result row, as every benchmark writes them to benchmarks/results/<name>.json. */
export interface Row {
  name: string;
  unit: string;
  value: number;
  reference: string;
  referenceValue: number;
  /** value / referenceValue; higher is better. */
  ratio: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Run `fn` `runs` times (after one warm-up) and return the median of what it returns. */
export async function medianOf(runs: number, fn: () => number | Promise<number>): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await fn());
  return median(xs);
}

export function row(name: string, unit: string, value: number, reference: string, referenceValue: number): Row {
  return { name, unit, value, reference, referenceValue, ratio: referenceValue ? value / referenceValue : 0 };
}

function fmt(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(x < 10 ? 3 : 1);
}

/** Print a human table and write the JSON rows. */
export function report(bench: string, rows: Row[]): void {
  const cols = ['case', 'value', 'unit', 'reference', 'ref value', 'ratio'];
  const data = rows.map((r) => [r.name, fmt(r.value), r.unit, r.reference, fmt(r.referenceValue), r.ratio.toFixed(2)]);
  const w = cols.map((c, i) => Math.max(c.length, ...data.map((d) => d[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 3 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  console.log(`\n## ${bench} (medians)`);
  console.log(line(cols));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const d of data) console.log(line(d));
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${bench}.json`), JSON.stringify(rows, null, 2) + '\n');
}
