import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { Net, type Socket } from '../../src/node/net.js';
import { pair } from '../stack/tcp/harness.js';

function env(opts: Parameters<typeof pair>[0] = { delayMs: 1 }) {
  const e = pair(opts);
  const lookup = async (h: string): Promise<number> => {
    if (h === 'server') return 0x0a000002;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
  };
  return { ...e, netA: new Net(e.a, { lookup }), netB: new Net(e.b) };
}

function collect(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return new Promise((resolve, reject) => {
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('error', reject);
  });
}

describe('node:net facade', () => {
  it('echoes through a server and reports addresses, byte counts and close', async () => {
    const { clock, netA, netB } = env();
    const server = netB.createServer((s) => s.pipe(s));
    server.listen(7, () => undefined);
    await clock.run(once(server, 'listening'));
    expect(server.address()).toEqual({ address: '0.0.0.0', family: 'IPv4', port: 7 });
    const sock = netA.connect(7, 'server');
    const connected = once(sock, 'connect');
    await clock.run(connected);
    expect(sock.remoteAddress).toBe('10.0.0.2');
    expect(sock.remotePort).toBe(7);
    expect(sock.localAddress).toBe('10.0.0.1');
    expect(sock.localPort).toBeGreaterThanOrEqual(32768);
    const got = collect(sock);
    const closed = once(sock, 'close');
    sock.write('hello ');
    sock.end('world');
    const data = await clock.run(got);
    expect(data.toString()).toBe('hello world');
    const [hadError] = await clock.run(closed);
    expect(hadError).toBe(false);
    expect(sock.bytesRead).toBe(11);
    expect(sock.bytesWritten).toBe(11);
    const serverClosed = once(server, 'close');
    server.close();
    await clock.run(serverClosed);
  });

  it('moves 8 MB with backpressure and an slow reader, byte-exact', async () => {
    const { clock, netA, netB } = env({ delayMs: 2 });
    const size = 8 * 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 11)) & 255;
    const digest = new Promise<string>((resolve) => {
      netB.createServer((s) => {
        const h = createHash('sha256');
        let n = 0;
        s.on('data', (d: Buffer) => {
          h.update(d);
          n += d.length;
          // Pause now and then so the receive window closes and reopens.
          if (n % (1 << 20) < d.length) {
            s.pause();
            clock.sleep(500).then(() => s.resume());
          }
        });
        s.on('end', () => { resolve(h.digest('hex')); s.end(); });
      }).listen(9000);
    });
    const sock = netA.connect({ port: 9000, host: '10.0.0.2', noDelay: true });
    let drains = 0;
    sock.on('drain', () => drains++);
    const done = (async () => {
      for (let off = 0; off < size; off += 65536) {
        if (!sock.write(data.subarray(off, off + 65536))) await once(sock, 'drain');
      }
      sock.end();
      return digest;
    })();
    expect(await clock.run(done)).toBe(createHash('sha256').update(data).digest('hex'));
    expect(drains).toBeGreaterThan(0);
  });

  it('fails like Node on a closed port: ECONNREFUSED with errno, syscall, address, port', async () => {
    const { clock, netA } = env();
    const sock = netA.connect(80, '10.0.0.2');
    const [err] = (await clock.run(once(sock, 'error').catch((e: unknown) => [e]))) as [NodeJS.ErrnoException];
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('connect ECONNREFUSED 10.0.0.2:80');
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.errno).toBe(-111);
    expect(err.syscall).toBe('connect');
    expect((err as { address?: string }).address).toBe('10.0.0.2');
    expect((err as { port?: number }).port).toBe(80);
  });

  it('fails with ENOTFOUND for unknown names, ETIMEDOUT when SYNs vanish', async () => {
    const { clock, netA } = env({ delayMs: 1, filter: () => false });
    const s1 = netA.connect(80, 'nowhere');
    const [e1] = (await clock.run(once(s1, 'error').catch((e: unknown) => [e]))) as [NodeJS.ErrnoException];
    expect(e1.code).toBe('ENOTFOUND');
    const s2 = netA.connect(80, '10.0.0.2');
    const t0 = clock.now();
    const [e2] = (await clock.run(once(s2, 'error').catch((e: unknown) => [e]))) as [NodeJS.ErrnoException];
    expect(e2.message).toBe('connect ETIMEDOUT 10.0.0.2:80');
    expect(e2.errno).toBe(-110);
    expect(clock.now() - t0).toBe(127_000);
  });

  it('reports EADDRINUSE on a second listen', async () => {
    const { clock, netB } = env();
    const s1 = netB.createServer().listen(80);
    await clock.run(once(s1, 'listening'));
    const s2 = netB.createServer().listen(80, '0.0.0.0');
    const [err] = (await clock.run(once(s2, 'error').catch((e: unknown) => [e]))) as [NodeJS.ErrnoException];
    expect(err.code).toBe('EADDRINUSE');
    expect(err.message).toBe('listen EADDRINUSE: address already in use 0.0.0.0:80');
    expect(err.errno).toBe(-98);
    expect(err.syscall).toBe('listen');
  });

  it('emits ECONNRESET when the peer resets', async () => {
    const { clock, netA, netB } = env();
    netB.createServer((s) => s.on('data', () => s.resetAndDestroy())).listen(80);
    const sock = netA.connect(80, '10.0.0.2');
    sock.write('x');
    const [err] = (await clock.run(once(sock, 'error').catch((e: unknown) => [e]))) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNRESET');
    expect(err.message).toBe('read ECONNRESET');
    expect(err.errno).toBe(-104);
  });

  it('emits timeout after idle time', async () => {
    const { clock, netA, netB } = env();
    netB.createServer(() => undefined).listen(80);
    const sock = netA.connect(80, '10.0.0.2');
    sock.setTimeout(5000);
    await clock.run(once(sock, 'connect'));
    const t0 = clock.now();
    await clock.run(once(sock, 'timeout'));
    expect(clock.now() - t0).toBeCloseTo(5000, 0);
    sock.destroy();
  });

  it('serves node:http over these sockets (server.emit("connection") and createConnection)', async () => {
    const { clock, netA, netB } = env();
    const hs = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'text/plain');
        res.end(`${req.method} ${req.url} from ${req.socket.remoteAddress}: ${body}`);
      });
    });
    netB.createServer((s) => hs.emit('connection', s)).listen(80);
    const response = new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
      const req = http.request(
        { method: 'POST', host: '10.0.0.2', port: 80, path: '/hello?x=1', createConnection: () => netA.connect(80, '10.0.0.2') as unknown as import('node:net').Socket },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body, type: String(res.headers['content-type']) }));
        },
      );
      req.on('error', reject);
      req.end('payload');
    });
    const r = await clock.run(response);
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/plain');
    expect(r.body).toBe('POST /hello?x=1 from 10.0.0.1: payload');
  });

  it('buffers writes and end() issued before the connection is up', async () => {
    const { clock, netA, netB } = env();
    const got = new Promise<string>((resolve) => {
      netB.createServer((s) => {
        let t = '';
        s.on('data', (d: Buffer) => (t += d.toString()));
        s.on('end', () => resolve(t));
      }).listen(80);
    });
    const s = new netA.Socket();
    s.connect(80, '10.0.0.2');
    expect(s.connecting).toBe(true);
    expect(s.readyState).toBe('opening');
    s.write('early ');
    s.end('bird');
    expect(await clock.run(got)).toBe('early bird');
  });

  it('reuses one socket for several requests through a keep-alive http.Agent', async () => {
    const { clock, netA, netB } = env();
    let conns = 0;
    const hs = http.createServer((req, res) => res.end(`you asked for ${req.url}`));
    netB.createServer((s) => {
      conns++;
      hs.emit('connection', s);
    }).listen(8080);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    (agent as unknown as { createConnection: unknown }).createConnection = (o: { port: number; host: string }, cb?: () => void) =>
      netA.connect(o.port, o.host, cb);
    const get = (path: string): Promise<string> =>
      new Promise((resolve, reject) => {
        http.get({ host: '10.0.0.2', port: 8080, path, agent }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
    expect(await clock.run(get('/a'))).toBe('you asked for /a');
    expect(await clock.run(get('/b'))).toBe('you asked for /b');
    expect(conns).toBe(1);
    agent.destroy();
  });
});

describe('node:net facade on the real clock', () => {
  it('echoes with wall-clock timers', async () => {
    const { RealClock } = await import('../../src/sim/real-clock.js');
    const { FakeWire } = await import('../support/fake-ip.js');
    const { Tcp } = await import('../../src/stack/tcp/tcp.js');
    const clock = new RealClock();
    const wire = new FakeWire(clock, { delayMs: 1 });
    const a = new Net(new Tcp(wire.host(0x0a000001, 1)));
    const b = new Net(new Tcp(wire.host(0x0a000002, 2)));
    b.createServer((s) => s.pipe(s)).listen(7);
    const s = a.connect(7, '10.0.0.2');
    const got = collect(s);
    const closed = once(s, 'close');
    s.end(Buffer.alloc(200_000, 1));
    expect((await got).length).toBe(200_000);
    await closed;
    clock.dispose();
  });
});
