import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import type { Net, Socket } from '../../src/node/net.js';

let engine: Engine;
afterEach(async () => engine?.close());

/** One or more length-prefixed queries over one TCP connection to 127.0.0.11:53 (RFC 1035 §4.2.2). */
function askTcp(e: Engine, net: Net, names: string[]): Promise<dnsPacket.Packet[]> {
  return e.clock.run(
    new Promise((resolve, reject) => {
      const s: Socket = net.connect({ host: '127.0.0.11', port: 53 });
      let buf = Buffer.alloc(0);
      const out: dnsPacket.Packet[] = [];
      s.on('connect', () => {
        for (const [i, name] of names.entries()) s.write(dnsPacket.streamEncode({ type: 'query', id: i + 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }));
      });
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const n = buf.readUInt16BE(0);
          out.push(dnsPacket.decode(buf.subarray(2, 2 + n)));
          buf = buf.subarray(2 + n);
        }
        if (out.length === names.length) s.end();
      });
      s.on('close', () => resolve(out));
      s.on('error', reject);
    }),
  );
}

describe('embedded DNS over TCP', () => {
  it('answers several framed queries on one connection, local and forwarded, without truncation', async () => {
    engine = await Engine.create();
    await engine.docker('network create tnet');
    for (let i = 0; i < 40; i++) await engine.docker(`run -dit --name w${i} --network tnet --network-alias web busybox`);
    const net = engine.container('w0').c.services['net'] as Net;
    const [web, w1, ext] = await askTcp(engine, net, ['web', 'w1', 'example.com']);
    expect(web!.flags! & 0x200).toBe(0); // no TC over TCP
    expect(web!.answers!.length).toBe(40);
    expect(w1!.answers!.map((a) => (a as { data: unknown }).data)).toEqual(['172.18.0.3']);
    expect(ext!.answers!.map((a) => (a as { data: unknown }).data)).toEqual(['93.184.215.14']);
    expect(new Set([web!.id, w1!.id, ext!.id])).toEqual(new Set([1, 2, 3]));
  });
});
