import type { Proc } from './process.js';

/** `cat [FILE]...` — files from the container's filesystem, or stdin. */
export async function cat(p: Proc): Promise<number> {
  const files = p.argv.slice(1).filter((a) => a !== '-u');
  if (files.length === 0) {
    for (;;) {
      const c = await p.stdin.read();
      if (c === null) return 0;
      p.stdout.write(c);
    }
  }
  let rc = 0;
  for (const f of files) {
    const t = p.sys.files.read(f);
    if (t === undefined) {
      p.stderr.write(`cat: ${f}: No such file or directory\n`);
      rc = 1;
    } else p.stdout.write(t);
  }
  return rc;
}

export async function hostname(p: Proc): Promise<number> {
  const a = p.argv[1];
  if (a === '-i' || a === '-I') {
    const ips = p.sys.ns.addrs.filter((x) => x.dev.kind !== 'loopback').map((x) => x.addr);
    const { ipToString } = await import('../wire/addr.js');
    p.stdout.write(ips.map(ipToString).join(' ') + (a === '-I' ? ' ' : '') + '\n');
    return 0;
  }
  p.stdout.write(p.sys.hostname() + '\n');
  return 0;
}

/** `sleep N` in the namespace's clock (virtual or real); interruptible. */
export async function sleep(p: Proc): Promise<number> {
  const arg = p.argv[1];
  const m = arg ? /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg) : null;
  if (!m) {
    p.stderr.write(arg ? `sleep: invalid number '${arg}'\n` : 'sleep: missing operand\n');
    return 1;
  }
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  try {
    await p.sys.clock.sleep(Number(m[1]) * mult * 1000, p.signal);
    return 0;
  } catch {
    return 130;
  }
}

export async function env(p: Proc): Promise<number> {
  for (const [k, v] of Object.entries(p.env)) p.stdout.write(`${k}=${v}\n`);
  return 0;
}
