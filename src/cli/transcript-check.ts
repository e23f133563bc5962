/**
 * Comparing a transcript with an expected one. Values that legitimately change between runs or
 * with timing-model tweaks (IDs, ping times, dates, durations) are matched by pattern, not text.
 */
const VOLATILE: [RegExp, string][] = [
  [/\b[0-9a-f]{64}\b/g, '<ID>'],
  [/\b[0-9a-f]{12}\b/g, '<SHORT-ID>'],
  // ping replies: busybox/iputils "time=0.123 ms", "time<1 ms"
  [/\btime[=<]\d+(?:\.\d+)? ?ms\b/g, 'time=<T> ms'],
  // iputils summary "…, time 1001ms"
  [/\btime \d+ms\b/g, 'time <T>ms'],
  [/(min\/avg\/max(?:\/mdev)? = )\d[\d./]*( ms)/g, '$1<RTT>$2'],
  [/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g, '<DATE>'],
  [/\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4} \w+/g, '<DATE>'],
  // HTTP Date: headers
  [/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\b/g, '<DATE>'],
  // docker ps CREATED/STATUS durations
  [/\b(?:Less than a second|About a minute|About an hour|\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?))\b/g, '<DURATION>'],
];

export function normalizeLine(line: string): string {
  let s = line.replace(/\s+$/, '');
  for (const [re, sub] of VOLATILE) s = s.replace(re, sub);
  return s;
}

function lines(text: string): string[] {
  const l = text.split('\n');
  if (l.length && l[l.length - 1] === '') l.pop();
  return l;
}

type Op = { op: ' ' | '-' | '+'; a: number; b: number };

/** Line diff (LCS over normalized lines). */
function diffOps(a: string[], b: string[]): Op[] {
  const na = a.map(normalizeLine);
  const nb = b.map(normalizeLine);
  // Trim the common prefix/suffix so the quadratic table covers only the changed middle.
  let pre = 0;
  while (pre < na.length && pre < nb.length && na[pre] === nb[pre]) pre++;
  let suf = 0;
  while (suf < na.length - pre && suf < nb.length - pre && na[na.length - 1 - suf] === nb[nb.length - 1 - suf]) suf++;
  const A = na.slice(pre, na.length - suf);
  const B = nb.slice(pre, nb.length - suf);
  const n = A.length;
  const m = B.length;
  const L = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      L[i * (m + 1) + j] = A[i] === B[j] ? L[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(L[(i + 1) * (m + 1) + j]!, L[i * (m + 1) + j + 1]!);
    }
  }
  const ops: Op[] = [];
  for (let k = 0; k < pre; k++) ops.push({ op: ' ', a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && A[i] === B[j]) {
      ops.push({ op: ' ', a: pre + i++, b: pre + j++ });
    } else if (i < n && (j >= m || L[(i + 1) * (m + 1) + j]! >= L[i * (m + 1) + j + 1]!)) {
      ops.push({ op: '-', a: pre + i++, b: pre + j });
    } else {
      ops.push({ op: '+', a: pre + i, b: pre + j++ });
    }
  }
  for (let k = 0; k < suf; k++) ops.push({ op: ' ', a: na.length - suf + k, b: nb.length - suf + k });
  return ops;
}

export interface CheckResult {
  ok: boolean;
  /** Unified-style diff (expected → actual), empty when ok. */
  diff: string;
}

/** Compare an actual transcript with the expected one; volatile values match by pattern. */
export function checkTranscript(expected: string, actual: string, names = { expected: 'expected', actual: 'actual' }, context = 3): CheckResult {
  const a = lines(expected);
  const b = lines(actual);
  const ops = diffOps(a, b);
  if (ops.every((o) => o.op === ' ')) return { ok: true, diff: '' };
  const out: string[] = [`--- ${names.expected}`, `+++ ${names.actual}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.op === ' ') {
      k++;
      continue;
    }
    // A hunk: changes plus up to `context` lines around, merging nearby changes.
    let start = Math.max(0, k - context);
    let end = k;
    for (;;) {
      while (end < ops.length && ops[end]!.op !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next]!.op === ' ' && next - end < 2 * context) next++;
      if (next < ops.length && ops[next]!.op !== ' ' && next - end <= 2 * context) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + context);
    const h = ops.slice(start, stop);
    const aStart = h[0]!.a;
    const bStart = h[0]!.b;
    const aLen = h.filter((o) => o.op !== '+').length;
    const bLen = h.filter((o) => o.op !== '-').length;
    out.push(`@@ -${aStart + 1},${aLen} +${bStart + 1},${bLen} @@`);
    for (const o of h) out.push(o.op === '+' ? `+${b[o.b]}` : `${o.op}${a[o.a]}`);
    k = stop;
    start = stop;
  }
  return { ok: false, diff: out.join('\n') + '\n' };
}
