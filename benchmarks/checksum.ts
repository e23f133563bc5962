/** The Internet checksum: vnet's sum16 against a plain RFC 1071 loop, same buffers, same run. */
import { checksum } from '../src/wire/checksum.js';
import { medianOf, report, row, type Row } from './harness.js';

function naive(b: Uint8Array, len: number): number {
  let s = 0;
  for (let i = 0; i + 1 < len; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (len & 1) s += b[len - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function bench(size: number, fn: (b: Uint8Array, n: number) => number): () => number {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7) & 255;
  const iters = Math.max(1000, Math.floor(200_000_000 / size / 4));
  return () => {
    let x = 0;
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) x ^= fn(b, size);
    const dt = (performance.now() - t0) / 1000;
    if (x === -1) console.log(x);
    return (iters * size) / dt / 1e6;
  };
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of [20, 64, 1500, 65535]) {
    const v = await medianOf(5, bench(size, (b, n) => checksum(b, 0, n)));
    const ref = await medianOf(5, bench(size, naive));
    rows.push(row(`checksum ${size} B`, 'MB/s', v, 'plain RFC 1071 loop', ref));
  }
  report('checksum', rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
