/** One logical line of a scenario script (continuations joined), with where it started. */
export interface ScriptLine {
  lineNo: number;
  text: string;
}

export class ScriptError extends Error {}

/**
 * Decode a script file. Refuses what is clearly not a text script (NUL bytes, invalid UTF-8)
 * with a message naming the first bad byte, rather than running garbage line by line.
 */
export function decodeScript(bytes: Uint8Array, name: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new ScriptError(`${name}: binary file (NUL byte at offset ${nul}), not a script`);
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) throw new ScriptError(`${name}: not UTF-8 text (invalid byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad}), not a script`);
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

/** Offset of the first byte that breaks UTF-8, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const x = b[i]!;
    const n = x < 0x80 ? 0 : x >= 0xc2 && x < 0xe0 ? 1 : x >= 0xe0 && x < 0xf0 ? 2 : x >= 0xf0 && x < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Split into logical lines: CRLF tolerated, `\` at the end of a line continues it (as in the
 * tutorials' long `docker run \` lines). Blank lines are kept (the player skips them).
 */
export function scriptLines(text: string): ScriptLine[] {
  const raw = text.split(/\r?\n/);
  if (raw.length && raw[raw.length - 1] === '') raw.pop();
  const out: ScriptLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1;
    let t = raw[i]!;
    while (/(^|[^\\])\\$/.test(t) && !t.trimStart().startsWith('#') && i + 1 < raw.length) {
      t = t.slice(0, -1).trimEnd() + ' ' + raw[++i]!.trimStart();
    }
    out.push({ lineNo, text: t });
  }
  return out;
}
