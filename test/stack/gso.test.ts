import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Prng } from '../../src/sim/prng.js';
import { Namespace } from '../../src/stack/namespace.js';
import { createVethPair } from '../../src/link/veth.js';
import { parseIp } from '../../src/wire/addr.js';
import { Tcp } from '../../src/stack/tcp/index.js';
import { Net, type Socket } from '../../src/node/net.js';
import { checksum } from '../../src/wire/checksum.js';
import { tcpChecksumOk } from '../../src/wire/tcp.js';

describe('GSO', () => {
  it('TCP super-segments cross a veth whole and are cut to the MTU (valid checksums) before a non-offloading link', async () => {
    const clock = new VirtualClock();
    const a = new Namespace('a', clock, new Prng(1));
    const r = new Namespace('r', clock, new Prng(2));
    const b = new Namespace('b', clock, new Prng(3));
    r.ipForward = true;
    const [a0, r0] = createVethPair(clock, { name: 'eth0', index: 2, mac: 0x020000000002 }, { name: 'eth0', index: 3, mac: 0x020000000003 });
    const [r1, b0] = createVethPair(clock, { name: 'eth1', index: 4, mac: 0x020000000004 }, { name: 'eth0', index: 5, mac: 0x020000000005 });
    r1.gsoMaxSize = 0; // a "physical" link: frames must fit the MTU
    b0.gsoMaxSize = 0;
    a.addDev(a0); a.addAddress(a0, parseIp('10.0.1.2'), 24); a.addRoute({ dst: 0, prefixLen: 0, gw: parseIp('10.0.1.1'), dev: a0 });
    r.addDev(r0); r.addAddress(r0, parseIp('10.0.1.1'), 24);
    r.addDev(r1); r.addAddress(r1, parseIp('10.0.2.1'), 24);
    b.addDev(b0); b.addAddress(b0, parseIp('10.0.2.2'), 24); b.addRoute({ dst: 0, prefixLen: 0, gw: parseIp('10.0.2.1'), dev: b0 });
    const sizesA: number[] = [];
    const sizesB: number[] = [];
    let badSum = 0;
    a0.addTap((f, _d, dir) => dir === 'tx' && sizesA.push(f.length));
    b0.addTap((f, _d, dir) => {
      if (dir !== 'rx') return;
      sizesB.push(f.length);
      if (f[23] === 6) {
        if (checksum(f, 14, 20) !== 0) badSum++;
        const tl = (f[16]! << 8) | f[17]!;
        if (!tcpChecksumOk(f, 34, tl - 20, parseIp('10.0.1.2'), parseIp('10.0.2.2'))) badSum++;
      }
    });
    const netA = new Net(new Tcp(a, { gsoMaxSize: 65536 }));
    const netB = new Net(new Tcp(b, { gsoMaxSize: 65536 }));
    const data = Buffer.alloc(1 << 20);
    new Prng(5).shuffle([0]);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 9)) & 255;
    const received = new Promise<Buffer>((resolve) => {
      netB.createServer((s: Socket) => {
        const parts: Buffer[] = [];
        s.on('data', (d: Buffer) => parts.push(d));
        s.on('end', () => resolve(Buffer.concat(parts)));
      }).listen(9000);
    });
    const c = netA.connect({ host: '10.0.2.2', port: 9000 });
    c.on('connect', () => c.end(data));
    const got = await clock.run(received);
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(Math.max(...sizesA)).toBeGreaterThan(1514); // GSO across the veth
    expect(Math.max(...sizesB)).toBeLessThanOrEqual(1514); // cut to the MTU after forwarding
    expect(badSum).toBe(0);
  });
});
