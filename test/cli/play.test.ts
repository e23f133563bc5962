import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPcap } from '../../src/index.js';
import { ROOT, script, tmpFile, vnet, vnetProcess } from './helpers.js';

describe('vnet play: transcripts', () => {
  it('prints each command after its prompt, then what it printed', async () => {
    const s = script('basic.sh', '# a comment is not printed', '', 'docker network ls', 'docker run -dit --name c1 busybox', 'docker run -dit --name c2 busybox', 'docker exec c1 ping -c 1 172.17.0.3');
    const r = await vnet('play', s);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('$ docker network ls');
    expect(lines[1]).toMatch(/^NETWORK ID +NAME +DRIVER +SCOPE$/);
    expect(r.out).not.toContain('a comment');
    expect(r.out).toMatch(/\$ docker run -dit --name c1 busybox\n[0-9a-f]{64}\n/);
    expect(r.out).toMatch(/\$ docker exec c1 ping -c 1 172\.17\.0\.3\nPING 172\.17\.0\.3 \(172\.17\.0\.3\): 56 data bytes\n64 bytes from 172\.17\.0\.3: seq=0 ttl=64 time=\d+\.\d{3} ms\n/);
    expect(r.out.endsWith('round-trip min/avg/max = ' + r.out.split('round-trip min/avg/max = ')[1])).toBe(true);
  });

  it('is deterministic for a seed, and the seed changes IDs', async () => {
    const s = script('seeded.sh', 'docker run -dit --name c1 busybox', 'docker exec c1 ping -c 2 172.17.0.1');
    const a = await vnet('play', s);
    const b = await vnet('play', s);
    const c = await vnet('play', '--seed', '7', s);
    expect(a.out).toBe(b.out);
    expect(c.out).not.toBe(a.out);
  });

  it('types lines into a container shell after docker attach, until exit (which stops it)', async () => {
    const s = script(
      'attach.sh',
      'docker run -dit --name web ubuntu',
      'docker attach web',
      'root@whatever:/# hostname',
      'cat /etc/hostname',
      'exit',
      'docker ps -a --format "{{.Names}} {{.State}}"',
    );
    const r = await vnet('play', s);
    expect(r.code).toBe(0);
    const id = /\n([0-9a-f]{12})[0-9a-f]{52}\n/.exec(r.out)![1]!;
    expect(r.out).toContain(`$ docker attach web\nroot@${id}:/# hostname\n${id}\nroot@${id}:/# cat /etc/hostname\n${id}\nroot@${id}:/# exit\nexit\n`);
    expect(r.out).toContain('\nweb exited\n');
  });

  it('docker exec -it … sh opens a busybox shell; ^P^Q detaches a run -it, leaving it running', async () => {
    const s = script(
      'exec.sh',
      'docker run -it --name bb busybox',
      '/ # echo inside',
      '^P^Q',
      'docker exec -it bb sh',
      'hostname',
      'exit',
      'docker ps --format "{{.Names}} {{.State}}"',
    );
    const r = await vnet('play', s);
    expect(r.out).toContain('$ docker run -it --name bb busybox\n/ # echo inside\ninside\n/ # ^P^Q\nread escape sequence\n$ docker exec -it bb sh\n/ # hostname\n');
    // busybox sh prints nothing on `exit`
    expect(r.out).toMatch(/\/ # exit\n\$ docker ps/);
    expect(r.out).toContain('\nbb running\n');
  });

  it('docker run -it --rm … bash: exit removes the container', async () => {
    const r = await vnet('play', script('rm.sh', 'docker run -it --rm --name tmp ubuntu bash', 'exit 3', 'docker ps -a -q'));
    expect(r.out).toMatch(/\$ docker run -it --rm --name tmp ubuntu bash\nroot@[0-9a-f]{12}:\/# exit 3\nexit\n\$ docker ps -a -q\n$/);
  });

  it('`exit N` in a run -it shell is the container\'s exit status; bare `exit` takes the last one', async () => {
    const r = await vnet('play', script('exitcode.sh', 'docker run -it --name a1 ubuntu', 'exit 3', 'docker run -it --name a2 busybox', 'false', 'exit', 'docker inspect -f "{{json .State}}" a1 a2'));
    const states = r.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { ExitCode: number; Status: string });
    expect(states.map((s) => [s.Status, s.ExitCode])).toEqual([['exited', 3], ['exited', 1]]);
  });

  it('runs `cmd &` in the background and `sleep` advances virtual time', async () => {
    const s = script('bg.sh', 'docker run -dit --name c1 busybox', 'ping -c 2 172.17.0.2 &', 'sleep 5', 'echo after');
    const r = await vnet('play', s);
    expect(r.out).toMatch(/\$ ping -c 2 172\.17\.0\.2 &\n\$ sleep 5\nPING 172\.17\.0\.2/);
    expect(r.out).toMatch(/rtt min\/avg\/max\/mdev = [\d./]+ ms\n\$ echo after\nafter\n$/);
  });

  it('interrupts a foreground command that outlives --timeout, like Ctrl-C', async () => {
    const s = script('timeout.sh', 'docker run -dit --name c1 busybox', 'docker run -dit --name c2 busybox', 'docker exec c1 ping 172.17.0.3', 'echo next');
    const r = await vnet('play', '--timeout', '3', s);
    expect(r.out).toMatch(/seq=2 ttl=64 time=[\d.]+ ms\n\^C\n--- 172\.17\.0\.3 ping statistics ---\n/);
    expect(r.out).toMatch(/\$ echo next\nnext\n$/);
  });

  it('a foreground docker run that outlives --timeout gets Ctrl-C, which reaches the container', async () => {
    const r = await vnet('play', '--timeout', '2', script('fg.sh', 'docker run --name s1 busybox sleep 100', 'docker ps -a --format "{{.Names}} {{.Status}}"'));
    expect(r.out).toBe('$ docker run --name s1 busybox sleep 100\n^C\n$ docker ps -a --format "{{.Names}} {{.Status}}"\ns1 Exited (130) Less than a second ago\n');
  });

  it('$( ) substitution on host lines: docker stop $(docker ps -q)', async () => {
    const s = script('subst.sh', 'docker run -d --name s1 busybox sleep 100', 'docker run -d --name s2 busybox sleep 100', 'docker stop $(docker ps -q)', 'docker ps -q');
    const r = await vnet('play', s);
    expect(r.out).toMatch(/\$ docker stop \$\(docker ps -q\)\n[0-9a-f]{12}\n[0-9a-f]{12}\n\$ docker ps -q\n$/);
  });

  it('a failing line shows its error as a terminal would and play goes on', async () => {
    const s = script('fail.sh', 'docker network inspect nope', 'nosuchcommand', 'docker run -it busybox bash', 'echo still here');
    const r = await vnet('play', s);
    expect(r.code).toBe(0);
    expect(r.out).toContain('$ docker network inspect nope\n');
    expect(r.out).toContain('Error response from daemon: network nope not found\n');
    expect(r.out).toContain('$ nosuchcommand\nbash: nosuchcommand: command not found\n');
    expect(r.out).toMatch(/\$ echo still here\nstill here\n$/);
  });
});

describe('vnet play: flags', () => {
  it('--strict exits 1 and lists the failed lines', async () => {
    const s = script('strict.sh', 'echo ok', 'docker attach nope', 'false');
    const r = await vnet('play', '--strict', s);
    expect(r.code).toBe(1);
    expect(r.out).toContain('$ docker attach nope\nError response from daemon: No such container: nope\n');
    expect(r.err).toBe('vnet: 2 lines failed:\n  line 2: docker attach nope (exit status 1)\n  line 3: false (exit status 1)\n');
    expect((await vnet('play', script('strict-ok.sh', 'echo ok'), '--strict')).code).toBe(0);
  });

  it('--check passes when only volatile values differ, fails with a diff otherwise', async () => {
    const s = script('check.sh', 'docker run -dit --name c1 ubuntu', 'docker exec c1 ping -c 2 172.17.0.1', 'docker ps');
    const first = await vnet('play', s);
    // Other IDs, ping times and durations: still a match.
    const volatile = first.out
      .replace(/[0-9a-f]{64}/g, 'f'.repeat(64))
      .replace(/[0-9a-f]{12}/g, 'abcdefabcdef')
      .replace(/time=[\d.]+ ms/g, 'time=9.99 ms')
      .replace(/time \d+ms/, 'time 1234ms')
      .replace(/= [\d./]+ ms/, '= 1.0/2.0/3.0/0.5 ms')
      .replace(/Up \d+ seconds|Up Less than a second/, 'Up About a minute');
    const exp = tmpFile('check.expected', volatile);
    const ok = await vnet('play', '--check', exp, s);
    expect(ok).toEqual({ code: 0, out: '', err: `vnet: transcript matches ${exp}\n` });
    writeFileSync(exp, volatile.replace('2 received, 0% packet loss', '1 received, 50% packet loss'));
    const bad = await vnet('play', '--check', exp, s);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(`vnet: transcript differs from ${exp}\n`);
    expect(bad.out).toMatch(new RegExp(`^--- ${exp}\n\\+\\+\\+ ${s} \\(actual\\)\n@@ -\\d+,\\d+ \\+\\d+,\\d+ @@\n`));
    expect(bad.out).toContain('\n-2 packets transmitted, 1 received, 50% packet loss');
    expect(bad.out).toContain('\n+2 packets transmitted, 2 received, 0% packet loss');
  });

  it('--check --update writes the expected transcript', async () => {
    const s = script('update.sh', 'echo hello');
    const exp = tmpFile('update.expected');
    expect((await vnet('play', '--check', exp, '--update', s)).code).toBe(0);
    expect(readFileSync(exp, 'utf8')).toBe('$ echo hello\nhello\n');
    expect((await vnet('play', '--check', exp, s)).code).toBe(0);
  });

  it('--capture IFACE=FILE writes a pcap of the interface, even one created later', async () => {
    const s = script('cap.sh', 'docker network create capnet', 'docker run -dit --name c1 --network capnet busybox', 'docker run -dit --name c2 --network capnet busybox', 'docker exec c1 ping -c 2 c2', 'docker run -dit --name d1 busybox', 'docker exec d1 ping -c 1 172.17.0.1');
    const pcap = tmpFile('docker0.pcap');
    const r = await vnet('play', '--capture', `docker0=${pcap}`, s);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^\d+ packets captured to .*docker0\.pcap\n$/);
    // ARP request/reply and the echo request/reply of d1's ping, on the default bridge
    expect(readPcap(readFileSync(pcap)).packets.length).toBe(4);
    expect(r.err).toMatch(/^4 packets captured to /);
    // the user network's bridge appears mid-script: vnet capture -i CONTAINER:eth0 -w …
    const pcap2 = tmpFile('c1.pcap');
    const r2 = await vnet('capture', '-i', 'c1:eth0', '-w', pcap2, s);
    expect(r2.code).toBe(0);
    expect(readPcap(readFileSync(pcap2)).packets.length).toBeGreaterThanOrEqual(6);
  });

  it('--real-time runs on the wall clock', async () => {
    const r = await vnet('play', '--real-time', script('rt.sh', 'docker run -dit --name c1 busybox', 'docker exec c1 ping -c 1 172.17.0.1'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 packets transmitted, 1 packets received, 0% packet loss\n/);
  });

  it('--log-level/--log-file write the engine\'s pino records as JSON lines, with engine time', async () => {
    const log = tmpFile('play.log');
    const r = await vnet('play', '--log-level', 'debug', '--log-file', log, script('log.sh', 'docker network create lognet'));
    expect(r.code).toBe(0);
    const recs = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toContainEqual(expect.objectContaining({ msg: 'network created', network: 'lognet', name: 'vnet', t: expect.any(Number) }));
    expect(recs).toContainEqual(expect.objectContaining({ msg: 'line', command: 'docker network create lognet', level: 20 }));
  });

  it('--capture of a device that never appears is reported', async () => {
    const r = await vnet('play', '--capture', `nope0=${tmpFile('nope.pcap')}`, script('nocap.sh', 'echo hi'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('vnet: capture nope0=');
    expect(r.err).toContain('no such device');
  });
});

describe('vnet: bad input', () => {
  it('an unknown verb', async () => {
    expect(await vnet('frobnicate')).toEqual({ code: 1, out: '', err: "vnet: 'frobnicate' is not a vnet command.\nSee 'vnet --help'\n" });
  });

  it('unknown flags, flag values, missing arguments', async () => {
    expect(await vnet('play', '--bogus', 'x.sh')).toEqual({ code: 125, out: '', err: "unknown flag: --bogus\nSee 'vnet play --help'.\n" });
    expect(await vnet('--bogus')).toMatchObject({ code: 125, err: "unknown flag: --bogus\nSee 'vnet --help'.\n" });
    expect(await vnet('play', '--seed', 'abc', 'x.sh')).toMatchObject({ code: 125, err: 'invalid argument "abc" for "--seed" flag: strconv.ParseInt: parsing "abc": invalid syntax\nSee \'vnet play --help\'.\n' });
    expect(await vnet('play', '--capture', 'docker0', 'x.sh')).toMatchObject({ code: 125 });
    expect(await vnet('play', '--log-level', 'loud', script('x.sh', 'true'))).toMatchObject({ code: 125 });
    const none = await vnet('play');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^"vnet play" requires exactly 1 argument\.\nSee 'vnet play --help'\.\n\nUsage:  vnet play \[OPTIONS\] SCRIPT\n/);
    expect((await vnet('capture', script('y.sh', 'true'))).err).toContain('required flag "write"');
  });

  it('a missing script, a directory', async () => {
    expect(await vnet('play', '/no/such/file.sh')).toEqual({ code: 1, out: '', err: 'vnet: open /no/such/file.sh: no such file or directory\n' });
    expect((await vnet('play', ROOT)).err).toBe(`vnet: open ${ROOT}: is a directory\n`);
  });

  it('binary garbage is refused, not run', async () => {
    const bin = tmpFile('garbage.bin', Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]));
    expect(await vnet('play', bin)).toEqual({ code: 1, out: '', err: `vnet: ${bin}: binary file (NUL byte at offset 6), not a script\n` });
    const latin1 = tmpFile('latin1.sh', Uint8Array.from([...Buffer.from('echo caf'), 0xe9, 0x0a]));
    expect((await vnet('play', latin1)).err).toBe(`vnet: ${latin1}: not UTF-8 text (invalid byte 0xe9 at offset 8), not a script\n`);
  });

  it('a line with control characters fails alone, printed in caret notation', async () => {
    const s = tmpFile('ctl.sh', 'echo one\nls\x01\x1b[2J\necho two\n');
    const r = await vnet('play', '--strict', s);
    expect(r.out).toBe('$ echo one\none\n$ ls^A^[[2J\nvnet: line 2: unreadable input (binary or control characters); line skipped\n$ echo two\ntwo\n');
    expect(r.code).toBe(1);
  });

  it('a container prompt with no container shell open is a clear error', async () => {
    const r = await vnet('play', script('noshell.sh', 'root@abc:/# hostname'));
    expect(r.out).toContain('vnet: line 1: this line has a container prompt but no container shell is open');
  });
});

describe('vnet: help and version', () => {
  it('--help on every verb', async () => {
    for (const v of ['play', 'shell', 'capture', 'bench', 'version']) {
      const r = await vnet(v, '--help');
      expect(r.code, v).toBe(0);
      expect(r.out, v).toMatch(new RegExp(`^Usage:  vnet ${v}`));
    }
    expect((await vnet('--help')).out).toMatch(/^Usage:  vnet \[OPTIONS\] COMMAND\n/);
    expect((await vnet()).out).toMatch(/^Usage:  vnet/);
    expect((await vnet('run', '--help')).out).toMatch(/^Usage:  docker run/);
    expect((await vnet('attach', '--help')).out).toMatch(/^Usage:  docker attach/);
  });

  it('--version and version --format read package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await vnet('--version')).toEqual({ code: 0, out: `vnet version ${pkg.version}\n`, err: '' });
    const j = await vnet('version', '--format', '{{json .}}');
    expect(JSON.parse(j.out)).toMatchObject({ Version: pkg.version });
    expect((await vnet('version', '-f', '{{.Version}}')).out).toBe(`${pkg.version}\n`);
  });

  it('docker verbs at the top level run on a fresh host', async () => {
    const r = await vnet('network', 'ls', '-q');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^([0-9a-f]{12}\n){3}$/);
    const run = await vnet('run', '-d', 'busybox');
    expect(run.code).toBe(0);
    expect(run.err).toContain('fresh emulated host');
    const bogus = await vnet('docker', 'ps', '--bogus');
    expect(bogus.code).not.toBe(0);
    expect(bogus.err).toBe("unknown flag: --bogus\nSee 'docker ps --help'.\n");
    expect((await vnet('run', '-it', 'busybox')).err).toContain("use 'vnet shell'");
  });

  it('bench runs benchmarks/run.ts (its exit status passes through), or explains it is missing', async () => {
    if (existsSync(join(ROOT, 'benchmarks', 'run.ts'))) {
      const r = await vnetProcess(['bench', 'no-such-benchmark']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('unknown benchmark: no-such-benchmark');
      return;
    }
    const r = await vnet('bench');
    expect(r.code).toBe(1);
    expect(r.err).toContain('vnet bench: no benchmark suite');
  });
});

describe('vnet as a process', () => {
  it('plays a script from a file and from stdin', async () => {
    const s = script('proc.sh', 'docker run -dit --name c1 busybox', 'docker exec c1 hostname');
    const r = await vnetProcess(['play', s]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\$ docker run -dit --name c1 busybox\n([0-9a-f]{12})[0-9a-f]{52}\n\$ docker exec c1 hostname\n\1\n$/);
    const fromStdin = await vnetProcess(['play', '-'], 'echo piped\n');
    expect(fromStdin).toMatchObject({ code: 0, out: '$ echo piped\npiped\n' });
  });

  it('exit codes: --strict failure, usage error, garbage — and never a stack trace', async () => {
    expect((await vnetProcess(['play', '--strict', script('p-fail.sh', 'docker rm nope')])).code).toBe(1);
    expect((await vnetProcess(['play', '--nope'])).code).toBe(125);
    const g = await vnetProcess(['play', tmpFile('p-garbage.bin', Uint8Array.from([1, 2, 3, 0, 255]))]);
    expect(g.code).toBe(1);
    expect(g.err).toMatch(/^vnet: .*binary file/);
    expect(g.err).not.toMatch(/\n\s+at /);
    expect((await vnetProcess(['--version'])).out).toMatch(/^vnet version \d+\.\d+\.\d+/);
  });
});

describe('vnet play: the host terminal', () => {
  it('takes `sudo docker …` as docker', async () => {
    const r = await vnet('play', script('sudo.sh', 'sudo docker network ls -q'));
    expect(r.out).toMatch(/^\$ sudo docker network ls -q\n([0-9a-f]{12}\n){3}$/);
  });

  it('keeps shell variables between lines and ends at `exit`', async () => {
    const r = await vnet('play', '--strict', script('vars.sh', 'NAME=web1', 'docker run -dit --name $NAME busybox', 'docker ps --format "{{.Names}}"', 'exit 3', 'echo never'));
    expect(r.out).toBe('$ NAME=web1\n$ docker run -dit --name $NAME busybox\n' + r.out.split('\n')[2] + '\n$ docker ps --format "{{.Names}}"\nweb1\n$ exit 3\n');
    expect(r.code).toBe(1);
    expect(r.err).toContain('line 4: exit 3 (exit status 3)');
  });
});
