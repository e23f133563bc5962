import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import { Pipe } from '../../src/apps/pipe.js';

let engine: Engine;
afterEach(async () => engine?.close());

async function twoBusyboxes(): Promise<Engine> {
  engine = await Engine.create();
  await engine.docker('run -dit --name bb1 busybox');
  await engine.docker('run -dit --name bb2 busybox');
  return engine;
}

describe('busybox telnet', () => {
  it('connects to nc -l, carries data both ways, and reports the peer closing', async () => {
    const e = await twoBusyboxes();
    const srv = e.container('bb2').spawn('nc -l -p 7000');
    const stdin = new Pipe();
    const client = e.container('bb1').exec('telnet 172.17.0.3 7000', { stdin });
    stdin.write('hi from bb1\n');
    srv.stdin.write('hello from bb2\n');
    srv.stdin.end();
    const r = await client;
    expect(r).toEqual({ exitCode: 1, stdout: 'Connected to 172.17.0.3\nhello from bb2\nConnection closed by foreign host\r\n', stderr: '' });
    const s = await e.clock.run(srv.done);
    expect(s).toEqual({ exitCode: 0, stdout: 'hi from bb1\n', stderr: '' });
  });

  it('exits 0 as soon as its input ends (non-interactive)', async () => {
    const e = await twoBusyboxes();
    e.container('bb2').spawn('nc -l -p 7000');
    expect(await e.container('bb1').exec('telnet 172.17.0.3 7000')).toEqual({ exitCode: 0, stdout: 'Connected to 172.17.0.3\n', stderr: '' });
  });

  it('refused and unknown names print libbb text', async () => {
    const e = await twoBusyboxes();
    expect(await e.container('bb1').exec('telnet 172.17.0.3 7000')).toEqual({ exitCode: 1, stdout: '', stderr: "telnet: can't connect to remote host (172.17.0.3): Connection refused\n" });
    expect(await e.container('bb1').exec('telnet foo 7000')).toEqual({ exitCode: 1, stdout: '', stderr: "telnet: bad address 'foo'\n" });
    // no DNS for container names on the default bridge
    expect((await e.container('bb1').exec('telnet bb2 7000')).stderr).toBe("telnet: bad address 'bb2'\n");
  });

  it('resolves container names on a user-defined network', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('network create net1');
    await e.docker('run -dit --name ca --network net1 busybox');
    await e.docker('run -dit --name cb --network net1 busybox');
    e.container('cb').spawn('nc -l -p 7000');
    expect(await e.container('ca').exec('telnet cb 7000')).toEqual({ exitCode: 0, stdout: 'Connected to cb\n', stderr: '' });
  });
});

describe('GNU telnet (ubuntu)', () => {
  it('prints Trying/Connected/Escape and inetutils errors', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -dit --name u1 ubuntu');
    await e.docker('run -dit --name u2 ubuntu');
    const srv = e.container('u2').spawn('nc -l -p 7000');
    srv.stdin.write('banner\n');
    const stdin = new Pipe();
    const r = e.container('u1').exec('telnet 172.17.0.3 7000', { stdin });
    srv.stdin.end();
    await e.clock.run(e.clock.sleep(100));
    // netcat-openbsd does not half-close on stdin EOF; the client closes the connection
    stdin.end();
    const res = await r;
    expect(res.stdout).toBe("Trying 172.17.0.3...\nConnected to 172.17.0.3.\nEscape character is '^]'.\nbanner\nConnection closed by foreign host.\n");
    const refused = await e.container('u1').exec('telnet 172.17.0.3 7001');
    expect(refused).toEqual({ exitCode: 1, stdout: 'Trying 172.17.0.3...\n', stderr: 'telnet: Unable to connect to remote host: Connection refused\n' });
  });
});

describe('busybox nc', () => {
  it('client and listener relay both ways; the listener is silent', async () => {
    const e = await twoBusyboxes();
    const srv = e.container('bb2').spawn('nc -l -p 7000');
    srv.stdin.write('pong\n');
    srv.stdin.end();
    const r = await e.container('bb1').exec('nc 172.17.0.3 7000', { stdin: 'ping\n' });
    expect(r).toEqual({ exitCode: 0, stdout: 'pong\n', stderr: '' });
    expect(await e.clock.run(srv.done)).toEqual({ exitCode: 0, stdout: 'ping\n', stderr: '' });
  });

  it('-v messages on both sides', async () => {
    const e = await twoBusyboxes();
    const srv = e.container('bb2').spawn('nc -v -n -l -p 7000');
    srv.stdin.end();
    const r = await e.container('bb1').exec('nc -v 172.17.0.3 7000', { stdin: 'x' });
    expect(r.stderr).toBe('172.17.0.3 (172.17.0.3:7000) open\n');
    const s = await e.clock.run(srv.done);
    expect(s.stdout).toBe('x');
    expect(s.stderr).toMatch(/^listening on \[::\]:7000 \.\.\.\nconnect to \[::ffff:172\.17\.0\.3\]:7000 from \[::ffff:172\.17\.0\.2\]:\d+ \(\[::ffff:172\.17\.0\.2\]:\d+\)\n$/);
  });

  it('refused is silent with exit 1 (shown with -vv); bad address; -z scans', async () => {
    const e = await twoBusyboxes();
    expect(await e.container('bb1').exec('nc 172.17.0.3 80')).toEqual({ exitCode: 1, stdout: '', stderr: '' });
    expect(await e.container('bb1').exec('nc -v 172.17.0.3 80')).toEqual({ exitCode: 1, stdout: '', stderr: '' });
    expect(await e.container('bb1').exec('nc -vv 172.17.0.3 80')).toMatchObject({ exitCode: 1, stderr: 'nc: 172.17.0.3 (172.17.0.3:80): Connection refused\nsent 0, rcvd 0\n' });
    expect(await e.container('bb1').exec('nc foo 80')).toEqual({ exitCode: 1, stdout: '', stderr: "nc: bad address 'foo'\n" });
    e.container('bb2').spawn('nc -l -p 7000');
    expect(await e.container('bb1').exec('nc -z 172.17.0.3 7000')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect((await e.container('bb1').exec('nc -z 172.17.0.3 7001')).exitCode).toBe(1);
  });

  it('-w bounds a connect to an address nobody answers', async () => {
    const e = await twoBusyboxes();
    const t0 = e.clock.now();
    const r = await e.container('bb1').exec('nc -v -w 2 172.17.0.99 80');
    expect(r.exitCode).toBe(1);
    expect(e.clock.now() - t0).toBeLessThan(10_000);
  });
});

describe('seed 003: the nc relay', () => {
  it('nc -lp 8001 | nc -lp 8002 forwards what one client sends to the other', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -dit --name simplerelay ubuntu');
    await e.docker('run -dit --name c1 ubuntu');
    await e.docker('run -dit --name c2 ubuntu');
    const relay = e.container('simplerelay').spawn('nc -lp 8001 | nc -lp 8002');
    const receiver = new Pipe();
    const recv = e.container('c2').exec('nc -q 0 172.17.0.2 8002', { stdin: receiver });
    await e.clock.run(e.clock.sleep(50));
    const send = await e.container('c1').exec('nc -q 1 172.17.0.2 8001', { stdin: 'hello relay\n' });
    expect(send).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    // the first nc sees the sender close and exits; the second (a listener) keeps the
    // connection until its peer closes, which the reader does when its own input ends (-q 0)
    await e.clock.run(e.clock.sleep(50));
    receiver.end();
    const got = await recv;
    expect(got).toEqual({ exitCode: 0, stdout: 'hello relay\n', stderr: '' });
    const rel = await e.clock.run(relay.done);
    expect(rel.exitCode).toBe(0);
  });

  it('GNU nc -v texts and errors', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('network create example');
    await e.docker('run -dit --name server --net example ubuntu');
    await e.docker('run -dit --name client --net example ubuntu');
    const srv = e.container('server').spawn('nc -v -lp 1234');
    const r = await e.container('client').exec('nc -v -q 0 server 1234', { stdin: 'named\n' });
    expect(r.stderr).toBe('Connection to server (172.18.0.2) 1234 port [tcp/*] succeeded!\n');
    const s = await e.clock.run(srv.done);
    expect(s.stdout).toBe('named\n');
    expect(s.stderr).toMatch(/^Listening on 0\.0\.0\.0 1234\nConnection received on 172\.18\.0\.3 \d+\n$/);
    expect(await e.container('client').exec('nc server 1234')).toEqual({ exitCode: 1, stdout: '', stderr: '' });
    expect(await e.container('client').exec('nc -v server 1234')).toEqual({ exitCode: 1, stdout: '', stderr: 'nc: connect to server port 1234 (tcp) failed: Connection refused\n' });
    expect(await e.container('client').exec('nc nosuch 1234')).toEqual({ exitCode: 1, stdout: '', stderr: 'nc: getaddrinfo for host "nosuch" port 1234: Name or service not known\n' });
    expect((await e.container('client').exec('nc -zv server 1234')).exitCode).toBe(1);
  });
});

describe('odds and ends', () => {
  it('busybox telnet answers option negotiation with refusals and hides it', async () => {
    const e = await twoBusyboxes();
    const srv = e.container('bb2').spawn('nc -l -p 23');
    // IAC DO ECHO, IAC WILL SGA, then text
    srv.stdin.write(Buffer.from([255, 253, 1, 255, 251, 3, ...Buffer.from('login: ')]));
    srv.stdin.end();
    const stdin = new Pipe();
    const r = await e.container('bb1').exec('telnet 172.17.0.3', { stdin });
    expect(r.stdout).toBe('Connected to 172.17.0.3\nlogin: Connection closed by foreign host\r\n');
    stdin.end();
    // the refusals (IAC WONT ECHO, IAC DONT SGA) reached the server: 6 bytes, not text
    const s = await e.clock.run(srv.done);
    expect(s.exitCode).toBe(0);
    expect(s.stdout).not.toBe('');
  });

  it('openbsd nc -lk keeps accepting', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -dit --name srv ubuntu');
    await e.docker('run -dit --name cli ubuntu');
    const srv = e.container('srv').spawn('nc -lk 9000');
    await e.container('cli').exec('nc -q 0 172.17.0.2 9000', { stdin: 'one\n' });
    await e.clock.run(e.clock.sleep(10));
    await e.container('cli').exec('nc -q 0 172.17.0.2 9000', { stdin: 'two\n' });
    await e.clock.run(e.clock.sleep(10));
    await e.docker('stop -t 0 srv');
    const s = await e.clock.run(srv.done);
    expect(s.stdout).toBe('one\ntwo\n');
  });
});

describe('nc -u', () => {
  it('busybox: datagrams both ways; -w ends the quiet client', async () => {
    const e = await twoBusyboxes();
    const srv = e.container('bb2').spawn('nc -u -l -p 5000');
    const r = e.container('bb1').exec('nc -u -w 1 172.17.0.3 5000', { stdin: 'dgram hello\n' });
    await e.clock.run(e.clock.sleep(100));
    srv.stdin.write('dgram reply\n');
    expect(await r).toEqual({ exitCode: 0, stdout: 'dgram reply\n', stderr: '' });
    await e.docker('stop -t 0 bb2');
    expect((await e.clock.run(srv.done)).stdout).toBe('dgram hello\n');
  });

  it('openbsd: -u -q quits after its input ends; the listener reports its peer with -v', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -dit --name srv ubuntu');
    await e.docker('run -dit --name cli ubuntu');
    const srv = e.container('srv').spawn('nc -v -u -l 5000');
    expect(await e.container('cli').exec('nc -u -q 1 172.17.0.2 5000', { stdin: 'over udp\n' })).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    await e.docker('stop -t 0 srv');
    const s = await e.clock.run(srv.done);
    expect(s.stdout).toBe('over udp\n');
    expect(s.stderr).toMatch(/^Bound on 0\.0\.0\.0 5000\nConnection received on 172\.17\.0\.3 \d+\n$/);
  });
});

describe('busybox nc -e', () => {
  it('serves a shell on the connection', async () => {
    const e = await twoBusyboxes();
    const srv = e.container('bb2').spawn('nc -l -p 4444 -e /bin/sh');
    const r = await e.container('bb1').exec('nc 172.17.0.3 4444', { stdin: 'hostname\necho done\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`${e.container('bb2').id.slice(0, 12)}\ndone\n`);
    expect((await e.clock.run(srv.done)).exitCode).toBe(0);
  });
});
