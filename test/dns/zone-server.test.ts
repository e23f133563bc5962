import { describe, it, expect } from 'vitest';
import * as packet from 'dns-packet';
import { Buffer } from 'node:buffer';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Udp } from '../../src/stack/udp.js';
import { ZoneServer } from '../../src/dns/zone-server.js';
import { udpExchange } from '../../src/dns/exchange.js';
import { parseIp } from '../../src/wire/addr.js';
import { FakeLan } from '../support/fake-lan.js';

type Decoded = packet.DecodedPacket & { rcode?: string };

describe('static zone server (outside-world DNS)', () => {
  const clock = new VirtualClock();
  const lan = new FakeLan(clock);
  const client = new Udp(lan.host('10.0.0.2', 1));
  const su = new Udp(lan.host('10.0.0.53', 2));
  const z = new ZoneServer(su, { a: { 'Example.com.': [parseIp('93.184.215.14')], 'google.com': [parseIp('142.250.1.1'), parseIp('142.250.1.2')] } });
  z.start();
  const ask = async (name: string, type: packet.RecordType): Promise<Decoded> => {
    const q = packet.encode({ type: 'query', id: 7, flags: packet.RECURSION_DESIRED, questions: [{ type, name }] });
    const r = await clock.run(udpExchange(client, parseIp('10.0.0.53'), 53, q, 1000));
    if (!r.ok) throw new Error(r.reason);
    return packet.decode(Buffer.from(r.response));
  };

  it('answers A records, case-insensitively, RA=1 AA=0', async () => {
    const r = await ask('EXAMPLE.com', 'A');
    expect(r.rcode).toBe('NOERROR');
    expect(r.flag_aa).toBe(false);
    expect(r.flag_ra).toBe(true);
    expect(r.answers!.map((a) => (a as packet.StringAnswer).data)).toEqual(['93.184.215.14']);
    expect((await ask('google.com', 'A')).answers!.length).toBe(2);
  });

  it('NXDOMAIN for unknown names, NODATA for other types, PTR derived from A', async () => {
    expect((await ask('nope.example', 'A')).rcode).toBe('NXDOMAIN');
    const aaaa = await ask('example.com', 'AAAA');
    expect(aaaa.rcode).toBe('NOERROR');
    expect(aaaa.answers).toEqual([]);
    const ptr = await ask('14.215.184.93.in-addr.arpa', 'PTR');
    expect((ptr.answers![0] as packet.StringAnswer).data).toBe('example.com');
  });
});
