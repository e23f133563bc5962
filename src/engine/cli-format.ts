/** Text formatting the Docker CLI uses: tabwriter tables and Go's HumanDuration. */

/** Go text/tabwriter with minwidth 10, tabwidth 1, padding 3, space padding (docker's tables). */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const cols = Math.max(...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < cols - 1; c++) {
    widths[c] = Math.max(10, ...rows.map((r) => [...(r[c] ?? '')].length + 3));
  }
  return rows
    .map((r) => r.map((cell, c) => (c < r.length - 1 ? cell + ' '.repeat(widths[c]! - [...cell].length) : cell)).join('') + '\n')
    .join('');
}

/** github.com/docker/go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3600000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

/** Natural ("version") sort used by docker network ls and port listings. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!, y = pb[i]!;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** docker ps COMMAND column: quoted, truncated to 20 chars with an ellipsis. */
export function truncCommand(cmd: string): string {
  const q = `"${cmd}"`;
  return [...q].length > 22 ? [...q].slice(0, 20).join('') + '…"' : q;
}
