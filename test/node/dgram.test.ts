import { describe, it, expect } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Udp } from '../../src/stack/udp.js';
import { createDgram, type RemoteInfo } from '../../src/node/dgram.js';
import { FakeLan } from '../support/fake-lan.js';

function setup() {
  const clock = new VirtualClock();
  const lan = new FakeLan(clock);
  const a = createDgram(new Udp(lan.host('10.0.0.1', 1)), { lookup: async (h) => (h === 'bee' ? '10.0.0.2' : Promise.reject(new Error('nope'))) });
  const b = createDgram(new Udp(lan.host('10.0.0.2', 2)));
  return { clock, a, b };
}

const once = <T extends unknown[]>(em: { once(ev: string, f: (...a: T) => void): unknown }, ev: string): Promise<T> =>
  new Promise((r) => em.once(ev, (...a: T) => r(a)));

describe('node:dgram facade', () => {
  it('echo server and client exchange messages with Node-shaped rinfo', async () => {
    const { clock, a, b } = setup();
    const server = b.createSocket('udp4');
    server.on('message', (msg: Buffer, rinfo: RemoteInfo) => server.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    server.bind(41234);
    await clock.run(once(server, 'listening'));
    expect(server.address()).toEqual({ address: '0.0.0.0', family: 'IPv4', port: 41234 });

    const client = a.createSocket('udp4');
    const got = once<[Buffer, RemoteInfo]>(client, 'message');
    const sent = new Promise<number>((res, rej) => client.send('hi', 41234, '10.0.0.2', (err, n) => (err ? rej(err) : res(n!))));
    expect(await clock.run(sent)).toBe(2);
    const [msg, rinfo] = await clock.run(got);
    expect(msg.toString()).toBe('echo:hi');
    expect(rinfo).toEqual({ address: '10.0.0.2', family: 'IPv4', port: 41234, size: 7 });
    expect(client.address().port).toBeGreaterThanOrEqual(32768);
    const closed = once(client, 'close');
    client.close();
    await clock.run(closed);
  });

  it('send(msg, offset, length, port, address) and hostname lookup', async () => {
    const { clock, a, b } = setup();
    const server = b.createSocket('udp4');
    server.bind(5000);
    const got = once<[Buffer, RemoteInfo]>(server, 'message');
    a.createSocket('udp4').send(Buffer.from('xxhelloxx'), 2, 5, 5000, 'bee');
    const [msg] = await clock.run(got);
    expect(msg.toString()).toBe('hello');
  });

  it('bind EADDRINUSE is an error event shaped like Node', async () => {
    const { clock, b } = setup();
    const s1 = b.createSocket('udp4');
    s1.bind(53);
    await clock.run(once(s1, 'listening'));
    const s2 = b.createSocket('udp4');
    const err = once<[NodeJS.ErrnoException]>(s2, 'error');
    s2.bind(53);
    const [e] = await clock.run(err);
    expect(e.code).toBe('EADDRINUSE');
    expect(e.errno).toBe(-98);
    expect(e.syscall).toBe('bind');
    expect(e.message).toBe('bind EADDRINUSE 0.0.0.0:53');
  });

  it('connected socket gets ECONNREFUSED as an error event', async () => {
    const { clock, a } = setup();
    const s = a.createSocket('udp4');
    s.connect(9999, '10.0.0.2');
    await clock.run(once(s, 'connect'));
    expect(s.remoteAddress()).toEqual({ address: '10.0.0.2', family: 'IPv4', port: 9999 });
    const err = once<[NodeJS.ErrnoException]>(s, 'error');
    s.send('x');
    const [e] = await clock.run(err);
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.syscall).toBe('recvmsg');
  });

  it('send to an unroutable address reports ENETUNREACH to the callback', async () => {
    const { clock, a } = setup();
    const s = a.createSocket('udp4');
    const p = new Promise<NodeJS.ErrnoException>((res) => s.send('x', 53, '8.8.8.8', (err) => res(err as NodeJS.ErrnoException)));
    const e = await clock.run(p);
    expect(e.code).toBe('ENETUNREACH');
    expect(e.message).toBe('send ENETUNREACH 8.8.8.8:53');
  });

  it('setBroadcast enables sending to 255.255.255.255', async () => {
    const { clock, a, b } = setup();
    const r = b.createSocket('udp4');
    r.bind(67);
    const s = a.createSocket('udp4');
    s.bind();
    await clock.run(once(s, 'listening'));
    const denied = new Promise<NodeJS.ErrnoException>((res) => s.send('d', 67, '255.255.255.255', (err) => res(err as NodeJS.ErrnoException)));
    expect((await clock.run(denied)).code).toBe('EACCES');
    s.setBroadcast(true);
    const got = once<[Buffer, RemoteInfo]>(r, 'message');
    s.send('d', 67, '255.255.255.255');
    const [m, ri] = await clock.run(got);
    expect(m.toString()).toBe('d');
    expect(ri.address).toBe('10.0.0.1');
  });
});
