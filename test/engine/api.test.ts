import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import type { Socket } from '../../src/node/net.js';

let engine: Engine;
afterEach(async () => engine?.close());

describe('the public API of DESIGN.md', () => {
  it('run / exec / inspect / net / dgram / dns / host / capture', async () => {
    engine = await Engine.create();
    await engine.docker('network create my_bridge');
    const a = await engine.run({ name: 'container_a', image: 'ubuntu', network: 'my_bridge' });
    const b = await engine.run({ name: 'bb', image: 'busybox', network: 'my_bridge', publish: ['5000:6000'] });
    expect((await a.exec('ping -c 2 bb')).stdout).toContain('2 packets transmitted, 2 received');
    expect(await engine.clock.run(a.dns.lookup('bb'))).toMatchObject({ address: '172.18.0.3', family: 4 });
    // a Node server inside b, reached from a by name and from the host through the published port
    b.net.createServer((s: Socket) => s.end('hello from bb\n')).listen(6000);
    const read = (sock: Socket): Promise<string> => engine.clock.run(new Promise((r) => {
      let t = '';
      sock.on('data', (d: Buffer) => (t += d));
      sock.on('close', () => r(t));
    }));
    expect(await read(a.net.connect(6000, 'bb'))).toBe('hello from bb\n');
    expect(await read(engine.host.net.connect(5000, '127.0.0.1'))).toBe('hello from bb\n');
    const udp = a.dgram.createSocket('udp4');
    const got = new Promise<string>((r) => {
      const srv = b.dgram.createSocket('udp4');
      srv.on('message', (m: Buffer, rinfo: { address: string }) => {
        r(`${m} from ${rinfo.address}`);
        srv.close();
      });
      srv.bind(7000, () => udp.send('hi', 7000, '172.18.0.3', () => udp.close()));
    });
    expect(await engine.clock.run(got)).toBe('hi from 172.18.0.2');
    expect(a.inspect().Name).toBe('/container_a');
    expect(engine.network('my_bridge').inspect().Name).toBe('my_bridge');
    expect(engine.container('bb').id).toBe(b.id);
    expect((await engine.host.exec('ping -c 1 172.18.0.2')).exitCode).toBe(0);
  });
});
