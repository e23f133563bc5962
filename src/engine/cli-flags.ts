/**
 * pflag-style flag parsing for docker verbs: -abc groups, --name=value, --name value,
 * repeated flags collect. Parsing stops at the first positional argument when
 * `interspersed` is false (docker run/exec: everything after the image is the command).
 */
export interface FlagSpec {
  /** long name → short letter (or '') and whether it takes a value. */
  [long: string]: { short?: string; value: boolean };
}

export interface FlagResult {
  values: Map<string, string[]>;
  bools: Set<string>;
  args: string[];
}

export class FlagError extends Error {}

export function parseFlags(argv: string[], spec: FlagSpec, interspersed: boolean): FlagResult {
  const byShort = new Map<string, string>();
  for (const [long, s] of Object.entries(spec)) if (s.short) byShort.set(s.short, long);
  const values = new Map<string, string[]>();
  const bools = new Set<string>();
  const args: string[] = [];
  const add = (long: string, v: string): void => {
    const a = values.get(long);
    if (a) a.push(v);
    else values.set(long, [v]);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const s = spec[name];
      if (!s) throw new FlagError(`unknown flag: --${name}`);
      if (s.value) {
        if (eq > 0) add(name, a.slice(eq + 1));
        else if (i + 1 < argv.length) add(name, argv[++i]!);
        else throw new FlagError(`flag needs an argument: --${name}`);
      } else {
        if (eq > 0 && a.slice(eq + 1) === 'false') bools.delete(name);
        else bools.add(name);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const long = byShort.get(c);
        if (!long) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        if (spec[long]!.value) {
          let v = a.slice(j + 1);
          if (v.startsWith('=')) v = v.slice(1);
          if (!v) {
            if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
            v = argv[++i]!;
          }
          add(long, v);
          break;
        }
        bools.add(long);
      }
      continue;
    }
    if (!interspersed) {
      args.push(...argv.slice(i));
      break;
    }
    args.push(a);
  }
  return { values, bools, args };
}
