import { describe, it, expect } from 'vitest';
import { parseIp } from '../../src/wire/addr.js';
import { runNslookup } from '../../src/apps/nslookup.js';
import { dnsWorld } from '../support/fake-dns.js';

const RESOLV = 'nameserver 127.0.0.11\noptions ndots:0\n';
const HEAD = 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n';

function world() {
  const w = dnsWorld();
  w.names.set('alpine2', [parseIp('172.18.0.3')]);
  w.ptrs.set(parseIp('172.18.0.3'), 'alpine2.alpine-net');
  w.zone('172.18.0.53', { a: { 'example.com': [parseIp('93.184.215.14')] } });
  w.upstreams.push(parseIp('172.18.0.53'));
  const env = { udp: w.udp, readFile: (p: string) => (p === '/etc/resolv.conf' ? RESOLV : undefined) };
  return { w, run: (...args: string[]) => w.clock.run(runNslookup(env, args)) };
}

describe('busybox nslookup', () => {
  it('container name: A answer, AAAA has no answer', async () => {
    const { run } = world();
    const r = await run('alpine2');
    expect(r.stdout).toBe(HEAD + 'Non-authoritative answer:\nName:\talpine2\nAddress: 172.18.0.3\n\nNon-authoritative answer:\n*** Can\'t find alpine2: No answer\n\n');
    expect(r.exitCode).toBe(0);
  });

  it('unknown name: NXDOMAIN passed through from upstream, exit 0', async () => {
    const { run } = world();
    const r = await run('nope.invalid');
    expect(r.stdout).toBe(HEAD + "** server can't find nope.invalid: NXDOMAIN\n\n** server can't find nope.invalid: NXDOMAIN\n\n");
    expect(r.exitCode).toBe(0);
  });

  it('external name forwarded to the upstream', async () => {
    const { run } = world();
    const r = await run('-type=a', 'example.com');
    expect(r.stdout).toBe(HEAD + 'Non-authoritative answer:\nName:\texample.com\nAddress: 93.184.215.14\n\n');
  });

  it('address → PTR', async () => {
    const { run } = world();
    const r = await run('172.18.0.3');
    expect(r.stdout).toBe(HEAD + 'Non-authoritative answer:\n3.0.18.172.in-addr.arpa\tname = alpine2.alpine-net\n\n');
  });

  it('explicit server that does not answer: timed out after 5 s, exit 1', async () => {
    const { w, run } = world();
    const t0 = w.clock.now();
    const r = await run('alpine2', '172.18.0.99');
    expect(r.stdout).toBe(';; connection timed out; no servers could be reached\n\n');
    expect(r.exitCode).toBe(1);
    expect(Math.round(w.clock.now() - t0)).toBe(5000);
  });

  it('usage on bad arguments', async () => {
    const { run } = world();
    const r = await run();
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Usage: nslookup');
  });
});
