import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import type { Net, Socket } from '../../src/node/net.js';

let engine: Engine;
afterEach(async () => engine?.close());

/** An echo server that prefixes what it sees with the peer address. */
function serve(net: Net, port: number): void {
  net.createServer((s: Socket) => {
    s.on('data', (d: Buffer) => s.write(`from ${s.remoteAddress}: ${d.toString()}`));
    s.on('end', () => s.end());
  }).listen(port);
}

/** Connect, send a line, collect the reply until the peer closes (or an error code). */
function talk(e: Engine, net: Net, host: string, port: number): Promise<string> {
  return e.clock.run(
    new Promise<string>((resolve) => {
      const s = net.connect({ host, port });
      let got = '';
      s.on('connect', () => s.end('hi'));
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code}`));
    }),
  );
}

describe('published ports (seed 000)', () => {
  it('-p 5000:6000: localhost:5000 reaches the container; the container IP on 5000 does not', async () => {
    engine = await Engine.create();
    const r = await engine.docker('run -dit -p 5000:6000 --name my-bb busybox');
    expect(r.exitCode).toBe(0);
    const bb = engine.container('my-bb').c;
    serve(bb.services['net'] as Net, 6000);
    const host = engine.hostCtx.services['net'] as Net;
    // via docker-proxy: the container sees the bridge gateway as the source
    expect(await talk(engine, host, '127.0.0.1', 5000)).toBe('from 172.17.0.1: hi');
    expect(await talk(engine, host, 'localhost', 5000)).toBe('from 172.17.0.1: hi');
    // via DNAT in OUTPUT: the host's LAN address
    expect(await talk(engine, host, '192.168.0.10', 5000)).toMatch(/^from (192\.168\.0\.10|172\.17\.0\.1): hi$/);
    expect(await talk(engine, host, '172.17.0.2', 5000)).toBe('error ECONNREFUSED');
    expect(await talk(engine, host, '172.17.0.2', 6000)).toBe('from 172.17.0.1: hi');
    // another container reaching the host's published port
    await engine.docker('run -dit --name other busybox');
    const other = engine.container('other').c.services['net'] as Net;
    expect(await talk(engine, other, '192.168.0.10', 5000)).toBe('from 172.17.0.1: hi');
    const insp = JSON.parse((await engine.docker('inspect my-bb')).stdout)[0];
    expect(insp.NetworkSettings.Ports).toEqual({ '6000/tcp': [{ HostIp: '0.0.0.0', HostPort: '5000' }, { HostIp: '::', HostPort: '5000' }] });
    expect(insp.HostConfig.PortBindings).toEqual({ '6000/tcp': [{ HostIp: '', HostPort: '5000' }] });
    const save = (await engine.host.exec('iptables-save')).stdout;
    expect(save).toContain('-A DOCKER ! -i docker0 -p tcp -m tcp --dport 5000 -j DNAT --to-destination 172.17.0.2:6000');
    expect(save).toContain('-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 6000 -j MASQUERADE');
    expect(save).toContain('-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 6000 -j ACCEPT');
    expect((await engine.docker('ps')).stdout).toContain('0.0.0.0:5000->6000/tcp, [::]:5000->6000/tcp');
  });

  it('dynamic ports from 32768 in order; docker port output; errors', async () => {
    engine = await Engine.create();
    await engine.docker('run --name foo -d -ti -p 8043 -p 8044 ubuntu');
    expect((await engine.docker('port foo')).stdout).toBe('8043/tcp -> 0.0.0.0:32768\n8043/tcp -> [::]:32768\n8044/tcp -> 0.0.0.0:32769\n8044/tcp -> [::]:32769\n');
    expect((await engine.docker('port foo 8044')).stdout).toBe('0.0.0.0:32769\n[::]:32769\n');
    expect((await engine.docker('port foo 9999')).stderr).toBe("Error: No public port '9999' published for foo\n");
    await engine.docker('run -d -ti -p 5000:80 --name web1 ubuntu');
    const clash = await engine.docker('run -d -ti -p 5000:80 --name web2 ubuntu');
    expect(clash.exitCode).toBe(125);
    expect(clash.stderr).toMatch(/^docker: Error response from daemon: driver failed programming external connectivity on endpoint web2 \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:5000 failed: port is already allocated\.\n$/);
    expect(JSON.parse((await engine.docker('inspect web2')).stdout)[0].State.Status).toBe('created');
    await engine.docker('rm -f web1');
    expect((await engine.docker('start web2')).exitCode).toBe(0);
    await engine.docker('stop foo');
    expect((await engine.host.exec('iptables-save')).stdout).not.toContain('--dport 8043');
  });
});
