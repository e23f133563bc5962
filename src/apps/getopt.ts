/**
 * Short-option parsing in the getopt(3) style: "c:i:W:qv" means -c takes a value, -q is a
 * flag. Values may be attached (-c2) or separate (-c 2); flags may be grouped (-qv).
 * Long options (--foo, --foo=bar) are collected as given. Stops at "--".
 */
export interface Parsed {
  opts: Map<string, string | true>;
  /** Repeat counts of flags (-vv). */
  counts: Map<string, number>;
  args: string[];
  error: string | null;
}

export function getopt(argv: string[], spec: string, longWithValue: string[] = []): Parsed {
  const takes = new Set<string>();
  const known = new Set<string>();
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === ':') continue;
    known.add(c);
    if (spec[i + 1] === ':') takes.add(c);
  }
  const opts = new Map<string, string | true>();
  const counts = new Map<string, number>();
  const args: string[] = [];
  let error: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) opts.set(a.slice(0, eq), a.slice(eq + 1));
      else if (longWithValue.includes(a)) {
        if (i + 1 >= argv.length) error ??= `option '${a}' requires an argument`;
        else opts.set(a, argv[++i]!);
      } else opts.set(a, true);
      continue;
    }
    if (a.length < 2 || a[0] !== '-') {
      args.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (!known.has(c)) {
        error ??= `invalid option -- '${c}'`;
        continue;
      }
      if (takes.has(c)) {
        const rest = a.slice(j + 1);
        if (rest) opts.set(c, rest);
        else if (i + 1 < argv.length) opts.set(c, argv[++i]!);
        else error ??= `option requires an argument -- '${c}'`;
        break;
      }
      opts.set(c, true);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
  }
  return { opts, counts, args, error };
}
