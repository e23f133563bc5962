import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';

let engine: Engine;
afterEach(async () => engine?.close());

describe('redis-server', () => {
  it('answers PING/SET/GET/INCR through redis-cli (raw output without a tty)', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('network create app');
    await e.docker('run -d --name redis --network app redis');
    await e.docker('run -dit --name cli --network app redis');
    const c = e.container('cli');
    expect(await c.exec('redis-cli -h redis ping')).toEqual({ exitCode: 0, stdout: 'PONG\n', stderr: '' });
    expect((await c.exec('redis-cli -h redis set greeting hello')).stdout).toBe('OK\n');
    expect((await c.exec('redis-cli -h redis get greeting')).stdout).toBe('hello\n');
    expect((await c.exec('redis-cli -h redis incr hits')).stdout).toBe('1\n');
    expect((await c.exec('redis-cli -h redis incr hits')).stdout).toBe('2\n');
    expect((await c.exec('redis-cli -h redis incr greeting')).stdout).toBe('ERR value is not an integer or out of range\n');
    // with a terminal, redis-cli types its replies
    expect((await c.exec('redis-cli -h redis get greeting', { tty: true })).stdout).toBe('"hello"\n');
    expect((await c.exec('redis-cli -h redis get nothing', { tty: true })).stdout).toBe('(nil)\n');
    expect((await c.exec('redis-cli -h redis incr hits', { tty: true })).stdout).toBe('(integer) 3\n');
    expect(await c.exec('redis-cli -h nosuch ping')).toEqual({ exitCode: 1, stdout: '', stderr: 'Could not connect to Redis at nosuch:6379: Name or service not known\n' });
    expect(await c.exec('redis-cli -p 6380 ping')).toEqual({ exitCode: 1, stdout: '', stderr: 'Could not connect to Redis at 127.0.0.1:6379: Connection refused\n'.replace('6379', '6380') });
    const logs = (await e.docker('logs redis')).stdout;
    expect(logs).toMatch(/^1:C \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n/);
    expect(logs).toMatch(/1:M .* \* Ready to accept connections tcp\n$/);
  });

  it('speaks RESP to nc (inline commands) and redis-cli on localhost', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -d --name redis redis');
    await e.docker('run -dit --name bb busybox');
    const r = await e.container('bb').exec('nc 172.17.0.2 6379', { stdin: 'PING\r\nSET a 41\r\nINCR a\r\nGET a\r\nDEL a\r\nEXISTS a\r\nFOO x\r\n' });
    expect(r).toEqual({ exitCode: 0, stdout: "+PONG\r\n+OK\r\n:42\r\n$2\r\n42\r\n:1\r\n:0\r\n-ERR unknown command 'FOO', with args beginning with: 'x' \r\n", stderr: '' });
    expect(await e.container('redis').exec('redis-cli ping')).toEqual({ exitCode: 0, stdout: 'PONG\n', stderr: '' });
  });

  it('stops cleanly on docker stop', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -d --name redis redis');
    expect((await e.docker('stop redis')).exitCode).toBe(0);
    expect((await e.docker('logs redis')).stdout).toMatch(/Redis is now ready to exit, bye bye\.\.\.\n$/);
    expect((await e.docker('ps -a')).stdout).toMatch(/Exited \(0\)/);
  });
});

describe('seed 000: the hit counter (a-python-app) and redis', () => {
  it('counts visits when both are on a user-defined network', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('network create my-network');
    await e.docker('run --rm -d --name=redis --network=my-network redis');
    await e.docker('run --rm -d --name=a-python-app --network=my-network a-python-app');
    await e.docker('run -dit --name visitor --network=my-network busybox');
    const v = e.container('visitor');
    expect(await v.exec('wget -qO- a-python-app:5000')).toEqual({ exitCode: 0, stdout: 'Visit count: 1', stderr: '' });
    expect(await v.exec('wget -qO- a-python-app:5000')).toEqual({ exitCode: 0, stdout: 'Visit count: 2', stderr: '' });
    await e.docker('run -dit --name u2 --network=my-network ubuntu');
    const c = await e.container('u2').exec('curl -si http://a-python-app:5000/');
    expect(c.stdout).toMatch(/^HTTP\/1\.0 200 OK\r\nContent-Type: text\/html; charset=utf-8\r\nContent-Length: 14\r\nServer: Werkzeug\/0\.14\.1 Python\/3\.4\.10\r\nDate: .* GMT\r\n\r\nVisit count: 3$/);
    const lr = await e.docker('logs a-python-app');
    const logs = lr.stdout + lr.stderr;
    expect(logs).toContain(' * Running on http://0.0.0.0:5000/ (Press CTRL+C to quit)\n');
    expect(logs).toMatch(/172\.18\.0\.4 - - \[\d\d\/\w{3}\/\d{4} \d\d:\d\d:\d\d\] "GET \/ HTTP\/1\.1" 200 -\n/);
  });

  it('fails with the name-resolution error on the default bridge', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run --rm -d --name=redis redis');
    await e.docker('run --rm -d --name=a-python-app a-python-app');
    await e.docker('run -dit --name visitor ubuntu');
    const r = await e.container('visitor').exec('curl -s 172.17.0.3:5000');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('redis.exceptions.ConnectionError: Error -2 connecting to redis:6379. Name does not resolve.');
    const h = await e.container('visitor').exec('curl -sI 172.17.0.3:5000');
    expect(h.stdout).toMatch(/^HTTP\/1\.0 500 INTERNAL SERVER ERROR\r\n/);
    const bb = await e.docker('run --rm busybox wget -q -O- 172.17.0.3:5000');
    expect(bb.stdout + bb.stderr).toBe('wget: server returned error: HTTP/1.0 500 INTERNAL SERVER ERROR\n');
  });

  it('reports a refused connection when redis is not running', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('network create my-network');
    await e.docker('run -dit --name=redis --network=my-network busybox');
    await e.docker('run -d --name=a-python-app --network=my-network a-python-app');
    const r = await e.container('redis').exec('wget -O- a-python-app:5000');
    expect(r.exitCode).toBe(1);
    const page = await e.docker('run --rm --network=my-network ubuntu curl -s a-python-app:5000');
    expect(page.stdout).toContain('Error 111 connecting to redis:6379. Connection refused.');
  });
});

describe('redis-cli without a command', () => {
  it('reads commands from stdin, raw without a tty; a prompt per command with one', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -d --name redis redis');
    const c = e.container('redis');
    expect(await c.exec('redis-cli', { stdin: 'set a 1\nincr a\nget a\n' })).toEqual({ exitCode: 0, stdout: 'OK\n2\n2\n', stderr: '' });
    expect(await c.exec(['redis-cli'], { stdin: 'incr a\nping\nquit\n', tty: true })).toEqual({ exitCode: 0, stdout: '127.0.0.1:6379> (integer) 3\n127.0.0.1:6379> PONG\n127.0.0.1:6379> ', stderr: '' });
  });
});
