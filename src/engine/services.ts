import { Udp } from '../stack/udp.js';
import { Tcp } from '../stack/tcp/index.js';
import { Net } from '../node/net.js';
import type { Namespace } from '../stack/namespace.js';
import { StubResolver, toAppResolver } from '../dns/resolver.js';
import { createDgram } from '../node/dgram.js';
import { createDns } from '../node/dns.js';
import { ipToString } from '../wire/addr.js';
import type { Container } from './container.js';

/**
 * Give a namespace its transports and the Node-shaped facades over them, as services its
 * programs and API users reach (`udp`, `resolver`, `dgram`, `dns`).
 */
export function attachServices(ns: Namespace, c: Container): void {
  const udp = new Udp(ns);
  // Like Linux over veth/bridge/lo: TCP sends GSO super-segments; devices that cannot carry
  // them get MTU-sized segments cut in software.
  const tcp = new Tcp(ns, { gsoMaxSize: 65536 });
  const stub = new StubResolver(udp, {
    files: (p) => c.files.read(p),
    libc: c.image.name === 'alpine' ? 'musl' : 'glibc',
  });
  const dns = createDns(stub);
  const lookup = async (host: string): Promise<string> => (await dns.lookup(host)).address;
  const lookupNum = async (host: string): Promise<number> => (await stub.lookup(host)).addresses[0]!;
  Object.assign(c.services, {
    udp,
    tcp,
    net: new Net(tcp, { lookup: lookupNum }),
    stubResolver: stub,
    resolver: toAppResolver(stub),
    dns,
    dgram: createDgram(udp, { lookup }),
    lookupIp: lookupNum,
  });
  void ipToString;
}
