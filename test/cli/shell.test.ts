import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { MAIN, ROOT } from './helpers.js';

/** A user at a terminal: types lines, waits for what the screen shows. */
class Terminal {
  private buf = '';
  private waiters: (() => void)[] = [];
  readonly exited: Promise<number>;
  constructor(readonly p: ChildProcessWithoutNullStreams) {
    p.stdout.on('data', (d: Buffer) => this.feed(d.toString()));
    p.stderr.on('data', (d: Buffer) => this.feed(d.toString()));
    this.exited = new Promise((r) => p.on('close', (code) => r(code ?? -1)));
  }
  private feed(s: string): void {
    this.buf += s;
    for (const w of this.waiters.splice(0)) w();
  }
  get pending(): string {
    return this.buf;
  }
  type(s: string): void {
    this.p.stdin.write(s);
  }
  /** Wait until the output since the last expect() matches; return it and move on. */
  async expect(re: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const m = re.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m.index + m[0].length);
        return m;
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

let term: Terminal | null = null;
afterEach((ctx) => {
  // what the screen showed since the last match, to see where a hung test stopped
  if (term && ctx.task.result?.state === 'fail') console.error(`vnet shell output not matched:\n${term.pending}`);
  if (term && term.p.exitCode === null) term.p.kill();
  term = null;
});

function start(): Terminal {
  const p = spawn(process.execPath, ['--import', 'tsx', MAIN, 'shell'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  term = new Terminal(p);
  return term;
}

describe('vnet shell', () => {
  it('`exit N` at the host prompt quits with N', async () => {
    const t = start();
    await t.expect(/\$ $/);
    t.type('exit 4\n');
    await t.expect(/^exit\n$/);
    expect(await t.exited).toBe(4);
  }, 60_000);

  it('run, attach, hostname, exit; Ctrl-C stops a ping; Ctrl-D leaves the container, then quits', async () => {
    const t = start();
    await t.expect(/^vnet shell: .*\n\$ $/);
    t.type('docker run -dit --name c1 ubuntu\n');
    const id1 = (await t.expect(/^([0-9a-f]{12})[0-9a-f]{52}\n\$ $/))[1]!;
    t.type('docker run -dit --name c2 ubuntu\n');
    await t.expect(/^[0-9a-f]{64}\n\$ $/);

    // Ctrl-C of a container-to-container ping, at the host prompt (docker exec)
    t.type('docker exec c1 ping 172.17.0.3\n');
    await t.expect(/^PING 172\.17\.0\.3 \(172\.17\.0\.3\) 56\(84\) bytes of data\.\n64 bytes from 172\.17\.0\.3: icmp_seq=1 ttl=64 time=[\d.]+ ms\n/);
    t.type('\x03');
    await t.expect(/^(64 bytes from .*\n)*\^C\n--- 172\.17\.0\.3 ping statistics ---\n\d+ packets transmitted, \d+ received, (\+\d+ errors, )?\d+% packet loss, time \d+ms\nrtt min\/avg\/max\/mdev = [\d./]+ ms\n\$ $/);

    // docker attach: the container's bash prompt, commands run inside
    t.type('docker attach c1\n');
    await t.expect(new RegExp(`^root@${id1}:/# $`));
    t.type('hostname\n');
    await t.expect(new RegExp(`^${id1}\nroot@${id1}:/# $`));
    // Ctrl-C inside the container shell stops the ping, not the shell
    t.type('ping 172.17.0.3\n');
    await t.expect(/icmp_seq=1 ttl=64/);
    t.type('\x03');
    await t.expect(new RegExp(`\\^C\\n--- 172\\.17\\.0\\.3 ping statistics ---\\n[\\s\\S]*\\nroot@${id1}:/# $`));
    t.type('exit\n');
    await t.expect(/^exit\n\$ $/);
    t.type('docker ps -a --format "{{.Names}} {{.State}}"\n');
    await t.expect(/^c2 running\nc1 exited\n\$ $/);

    // docker exec -it … bash, then Ctrl-D: back at the host; c2 keeps running
    t.type('docker exec -it c2 bash\n');
    await t.expect(/^root@[0-9a-f]{12}:\/# $/);
    t.type('\x04');
    await t.expect(/^exit\n\$ $/);
    t.type('docker ps --format "{{.Names}}"\n');
    await t.expect(/^c2\n\$ $/);

    // errors go to the terminal in Docker's words; the shell carries on
    t.type('docker attach nope\n');
    await t.expect(/^Error response from daemon: No such container: nope\n\$ $/);

    // Ctrl-D at the host prompt quits
    t.type('\x04');
    await t.expect(/^exit\n$/);
    expect(await t.exited).toBe(0);
  }, 60_000);

  it('quits at the end of its input, after running what was typed', async () => {
    const t = start();
    t.type('docker network create net1\ndocker network ls --format "{{.Name}}"\n');
    t.p.stdin.end();
    await t.expect(/\$ bridge\nhost\nnet1\nnone\n\$ $/);
    expect(await t.exited).toBe(0);
  }, 60_000);
});
