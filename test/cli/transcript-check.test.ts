import { describe, expect, it } from 'vitest';
import { checkTranscript, normalizeLine } from '../../src/cli/transcript-check.js';
import { decodeScript, scriptLines } from '../../src/cli/script.js';
import { splitLine } from '../../src/cli/runner.js';

describe('transcript matching', () => {
  it('volatile values match by pattern', () => {
    expect(normalizeLine('64 bytes from 172.17.0.3: seq=0 ttl=64 time=0.115 ms')).toBe('64 bytes from 172.17.0.3: seq=0 ttl=64 time=<T> ms');
    expect(normalizeLine('2 packets transmitted, 2 received, 0% packet loss, time 1001ms')).toBe('2 packets transmitted, 2 received, 0% packet loss, time <T>ms');
    expect(normalizeLine('rtt min/avg/max/mdev = 0.052/0.083/0.115/0.031 ms')).toBe('rtt min/avg/max/mdev = <RTT> ms');
    expect(normalizeLine('round-trip min/avg/max = 0.069/0.396/0.723 ms')).toBe('round-trip min/avg/max = <RTT> ms');
    expect(normalizeLine('root@cf2d53fead42:/# ping')).toBe('root@<SHORT-ID>:/# ping');
    expect(normalizeLine('        "Created": "2024-10-01T09:00:00.000000754Z",')).toBe('        "Created": "<DATE>",');
    expect(normalizeLine('cf2d53fead42   ubuntu    "/bin/bash"   2 seconds ago    Up About a minute')).toBe('<SHORT-ID>   ubuntu    "/bin/bash"   <DURATION> ago    Up <DURATION>');
    expect(normalizeLine('Date: Sun, 10 Jan 2016 23:58:53 GMT')).toBe('Date: <DATE>');
    // not volatile: addresses, MACs, counts
    expect(normalizeLine('02:42:ac:11:00:02 172.17.0.2/16 3 packets')).toBe('02:42:ac:11:00:02 172.17.0.2/16 3 packets');
  });

  it('a diff shows context, removed and added lines with their positions', () => {
    const exp = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n') + '\n';
    const act = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i'].join('\n') + '\n';
    const r = checkTranscript(exp, act, { expected: 'E', actual: 'A' });
    expect(r.ok).toBe(false);
    expect(r.diff).toBe('--- E\n+++ A\n@@ -1,8 +1,9 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n+i\n');
    expect(checkTranscript(exp, exp).ok).toBe(true);
    // trailing spaces don't matter (docker's tables pad columns)
    expect(checkTranscript('x  \n', 'x\n').ok).toBe(true);
  });
});

describe('script reading', () => {
  it('joins backslash continuations and keeps line numbers', () => {
    expect(scriptLines('a \\\n  b\r\nc\n')).toEqual([
      { lineNo: 1, text: 'a b' },
      { lineNo: 3, text: 'c' },
    ]);
  });

  it('refuses binary and non-UTF-8 files, strips a BOM', () => {
    expect(() => decodeScript(Uint8Array.from([0x61, 0]), 'f')).toThrow('f: binary file (NUL byte at offset 1), not a script');
    expect(() => decodeScript(Uint8Array.from([0x61, 0xc3, 0x28]), 'f')).toThrow('invalid byte 0xc3 at offset 1');
    expect(decodeScript(Uint8Array.from([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9]), 'f')).toBe('hé');
  });

  it('splits tutorial prompts and background markers', () => {
    expect(splitLine('$ docker ps')).toEqual({ command: 'docker ps', containerPrompt: false, background: false });
    expect(splitLine('root@cf2d53fead42:/# ping -c 2 x')).toEqual({ command: 'ping -c 2 x', containerPrompt: true, background: false });
    expect(splitLine('root@53af252b771a:/opt/flask-app# ls')).toEqual({ command: 'ls', containerPrompt: true, background: false });
    expect(splitLine('/ # nc -l -p 6000 &')).toEqual({ command: 'nc -l -p 6000', containerPrompt: true, background: true });
    expect(splitLine('alice@laptop:~$ docker ps')).toEqual({ command: 'docker ps', containerPrompt: false, background: false });
    expect(splitLine('a && b')).toMatchObject({ command: 'a && b', background: false });
  });
});
