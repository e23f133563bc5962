/**
 * Parsing a POSIX-shell subset: words with '…', "…", \ escapes and $VAR expansion;
 * pipelines `a | b`; lists with `;`, `&&`, `||`, `&`; redirections `>`, `>>`, `<`, `2>&1`,
 * `2>/dev/null`; leading `VAR=value` assignments; `#` comments.
 */
export interface Redirect {
  fd: number;
  op: '>' | '>>' | '<' | '>&';
  target: string;
}

export interface SimpleCommand {
  assigns: Record<string, string>;
  argv: string[];
  redirects: Redirect[];
}

export interface Pipeline {
  commands: SimpleCommand[];
  negate: boolean;
}

export interface ListItem {
  pipeline: Pipeline;
  /** How this item connects to the next: ';' (or end), '&&', '||', or '&' (background). */
  sep: ';' | '&&' | '||' | '&';
}

export class ShellSyntaxError extends Error {}

type Tok = { t: 'word'; v: string; quoted: boolean } | { t: 'op'; v: string };

function tokenize(src: string, env: Record<string, string>): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  const expand = (name: string): string => env[name] ?? '';
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '\n') {
      out.push({ t: 'op', v: ';' });
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '>>' || two === '>&') {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if (c === '|' || c === '&' || c === ';' || c === '<' || c === '>' || c === '(' || c === ')') {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    // a word, possibly made of several quoted parts
    let w = '';
    let quoted = false;
    while (i < n) {
      const d = src[i]!;
      if (d === ' ' || d === '\t' || d === '\n' || '|&;<>()'.includes(d)) break;
      if (d === "'") {
        const j = src.indexOf("'", i + 1);
        if (j < 0) throw new ShellSyntaxError('unterminated quoted string');
        w += src.slice(i + 1, j);
        quoted = true;
        i = j + 1;
      } else if (d === '"') {
        quoted = true;
        i++;
        while (i < n && src[i] !== '"') {
          if (src[i] === '\\' && i + 1 < n && '"\\$`'.includes(src[i + 1]!)) {
            w += src[i + 1];
            i += 2;
          } else if (src[i] === '$') {
            const [v, len] = dollar(src, i, expand);
            w += v;
            i += len;
          } else w += src[i++];
        }
        if (i >= n) throw new ShellSyntaxError('unterminated quoted string');
        i++;
      } else if (d === '\\') {
        if (i + 1 < n) w += src[i + 1];
        i += 2;
      } else if (d === '$') {
        const [v, len] = dollar(src, i, expand);
        w += v;
        i += len;
      } else {
        w += d;
        i++;
      }
    }
    out.push({ t: 'word', v: w, quoted });
  }
  return out;
}

function dollar(src: string, i: number, expand: (n: string) => string): [string, number] {
  const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*|[?$#0-9]))/.exec(src.slice(i));
  if (!m) return ['$', 1];
  return [expand(m[1] ?? m[2]!), m[0].length];
}

export function parseShell(src: string, env: Record<string, string> = {}): ListItem[] {
  const toks = tokenize(src, env);
  const items: ListItem[] = [];
  let k = 0;
  const parseCommand = (): SimpleCommand => {
    const cmd: SimpleCommand = { assigns: {}, argv: [], redirects: [] };
    while (k < toks.length) {
      const t = toks[k]!;
      if (t.t === 'op') {
        if (t.v === '>' || t.v === '>>' || t.v === '<' || t.v === '>&') {
          k++;
          const tgt = toks[k];
          if (!tgt || tgt.t !== 'word') throw new ShellSyntaxError(`syntax error: unexpected ${tgt ? `"${tgt.v}"` : 'newline'}`);
          k++;
          // "2>&1" arrives as word "2" then op ">&" then "1"; a bare number before > is an fd.
          let fd = t.v === '<' ? 0 : 1;
          const last = cmd.argv[cmd.argv.length - 1];
          const prev = toks[k - 3];
          if (last !== undefined && /^\d$/.test(last) && prev && prev.t === 'word' && !prev.quoted && prev.v === last) {
            fd = Number(cmd.argv.pop());
          }
          cmd.redirects.push({ fd, op: t.v as Redirect['op'], target: tgt.v });
          continue;
        }
        break;
      }
      if (cmd.argv.length === 0 && !t.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t.v)) {
        const eq = t.v.indexOf('=');
        cmd.assigns[t.v.slice(0, eq)] = t.v.slice(eq + 1);
      } else cmd.argv.push(t.v);
      k++;
    }
    return cmd;
  };
  while (k < toks.length) {
    const t0 = toks[k]!;
    if (t0.t === 'op' && t0.v === ';') {
      k++;
      continue;
    }
    let negate = false;
    if (t0.t === 'word' && t0.v === '!' && !t0.quoted) {
      negate = true;
      k++;
    }
    const commands: SimpleCommand[] = [parseCommand()];
    while (k < toks.length && toks[k]!.t === 'op' && toks[k]!.v === '|') {
      k++;
      commands.push(parseCommand());
    }
    for (const c of commands) {
      if (c.argv.length === 0 && Object.keys(c.assigns).length === 0 && c.redirects.length === 0) {
        const t = toks[k];
        throw new ShellSyntaxError(`syntax error: unexpected "${t ? t.v : 'newline'}"`);
      }
    }
    let sep: ListItem['sep'] = ';';
    const t = toks[k];
    if (t && t.t === 'op') {
      if (t.v === ';' || t.v === '&&' || t.v === '||' || t.v === '&') {
        sep = t.v;
        k++;
        if ((sep === '&&' || sep === '||') && k >= toks.length) throw new ShellSyntaxError('syntax error: unexpected end of file');
      } else throw new ShellSyntaxError(`syntax error: unexpected "${t.v}"`);
    }
    items.push({ pipeline: { commands, negate }, sep });
  }
  return items;
}
