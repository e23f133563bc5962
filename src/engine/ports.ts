import type { Net } from '../node/net.js';
import type { Netfilter } from '../netfilter/netfilter.js';
import type { TcpListener } from '../stack/tcp/listener.js';
import type { Udp, UdpSocket } from '../stack/udp.js';
import { ipToString, parseIp } from '../wire/addr.js';
import type { PortBinding } from './container.js';
import { publishPort, unpublishPort, type PortRules } from './docker-iptables.js';
import type { Endpoint } from './endpoint.js';
import { DockerError } from './errors.js';

/** Linux ip_local_port_range (reference §4.5): dynamic host ports come from here, in order. */
const DYN_LOW = 32768;
const DYN_HIGH = 60999;

/**
 * Host ports, per protocol and host IP (reference §4.5): explicit ports must be free, dynamic
 * ones are handed out sequentially after the last one, not reused until wrap-around.
 */
export class PortAllocator {
  private readonly used = new Map<string, Set<number>>();
  private last = new Map<string, number>();

  private set(proto: string, ip: string): Set<number> {
    const k = `${proto}/${ip}`;
    let s = this.used.get(k);
    if (!s) this.used.set(k, (s = new Set()));
    return s;
  }

  /** Whether the port is taken for this IP (0.0.0.0 conflicts with every IP and vice versa). */
  private taken(proto: string, ip: string, port: number): boolean {
    for (const [k, s] of this.used) {
      const [p, kip] = k.split('/');
      if (p !== proto) continue;
      if ((kip === ip || kip === '0.0.0.0' || ip === '0.0.0.0') && s.has(port)) return true;
    }
    return false;
  }

  request(proto: string, ip: string, port: number | null): number {
    if (port !== null) {
      if (this.taken(proto, ip, port)) throw new Error(`Bind for ${ip}:${port} failed: port is already allocated`);
      this.set(proto, ip).add(port);
      return port;
    }
    const k = `${proto}/${ip}`;
    let p = this.last.get(k) ?? DYN_HIGH;
    for (let i = 0; i <= DYN_HIGH - DYN_LOW; i++) {
      p = p >= DYN_HIGH ? DYN_LOW : p + 1;
      if (!this.taken(proto, ip, p)) {
        this.last.set(k, p);
        this.set(proto, ip).add(p);
        return p;
      }
    }
    throw new Error('all ports are allocated');
  }

  release(proto: string, ip: string, port: number): void {
    this.used.get(`${proto}/${ip}`)?.delete(port);
  }
}

/** A running port mapping: its rules and its docker-proxy. */
export interface Mapping {
  binding: PortBinding;
  rules: PortRules;
  proxy: { close(): void };
}

/**
 * docker-proxy (userland proxy, reference §2.4): listens on the host port in the host
 * namespace and relays each TCP connection / UDP flow to the container. It serves traffic
 * that the DNAT rules do not catch: the host's own 127.0.0.1 and containers reaching a host
 * address (their DOCKER chain RETURNs before DNAT).
 */
function startTcpProxy(net: Net, hostIp: string, hostPort: number, cIp: string, cPort: number): { close(): void } | number {
  const l = net.tcp.listen(hostPort, hostIp === '0.0.0.0' ? 0 : parseIp(hostIp), 511);
  if (typeof l === 'number') return l;
  const listener: TcpListener = l;
  const open = new Set<{ destroy(): void }>();
  listener.onConnection = (conn) => {
    // Half-close passes through (docker-proxy does CloseWrite): a client's FIN must not
    // end the answer still coming back.
    const client = net.socket({ allowHalfOpen: true });
    client.attach(conn);
    const upstream = net.connect({ host: cIp, port: cPort, allowHalfOpen: true });
    open.add(client);
    open.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const done = (): void => {
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', done);
    upstream.on('close', done);
  };
  return {
    close() {
      listener.close();
      for (const s of open) s.destroy();
    },
  };
}

/** UDP flavour: one upstream socket per client address:port, like docker-proxy's UDP mode. */
function startUdpProxy(udp: Udp, hostIp: string, hostPort: number, cIp: string, cPort: number): { close(): void } | number {
  const front = udp.socket();
  const r = front.bind(hostIp === '0.0.0.0' ? 0 : parseIp(hostIp), hostPort);
  if (r < 0) {
    front.close();
    return -r;
  }
  const flows = new Map<string, UdpSocket>();
  const target = parseIp(cIp);
  front.onMessage = (data, addr, port) => {
    const k = `${addr}:${port}`;
    let up = flows.get(k);
    if (!up) {
      up = udp.socket();
      up.bind(0, 0);
      up.onMessage = (d) => front.send(d, addr, port);
      flows.set(k, up);
    }
    up.send(data, target, cPort);
  };
  return {
    close() {
      front.close();
      for (const s of flows.values()) s.close();
    },
  };
}

/** Publish a container's ports on its gateway endpoint; throws Docker's errors. */
export function publish(nf: Netfilter, alloc: PortAllocator, services: { net: Net; udp: Udp }, ep: Endpoint, bindings: PortBinding[]): Mapping[] {
  const out: Mapping[] = [];
  try {
    for (const b of bindings) {
      const hostIp = b.hostIp || '0.0.0.0';
      let port: number;
      try {
        port = alloc.request(b.proto, hostIp, b.hostPort ? Number(b.hostPort) : null);
      } catch (e) {
        throw new DockerError(`driver failed programming external connectivity on endpoint ${ep.container.name} (${ep.id}): ${(e as Error).message}`, 'system');
      }
      const binding: PortBinding = { ...b, hostIp, hostPort: String(port) };
      const proxy = b.proto === 'tcp'
        ? startTcpProxy(services.net, hostIp, port, ep.ipString, b.containerPort)
        : startUdpProxy(services.udp, hostIp, port, ep.ipString, b.containerPort);
      if (typeof proxy === 'number') {
        alloc.release(b.proto, hostIp, port);
        throw new DockerError(`driver failed programming external connectivity on endpoint ${ep.container.name} (${ep.id}): failed to bind port ${hostIp}:${port}/${b.proto}: Error starting userland proxy: listen ${b.proto}4 ${hostIp}:${port}: bind: address already in use`, 'system');
      }
      const rules: PortRules = { bridge: ep.network.bridgeName, proto: b.proto, hostIp, hostPort: port, containerIp: ep.ipString, containerPort: b.containerPort };
      publishPort(nf, rules);
      out.push({ binding, rules, proxy });
    }
  } catch (e) {
    unpublish(nf, alloc, out);
    throw e;
  }
  return out;
}

export function unpublish(nf: Netfilter, alloc: PortAllocator, maps: Mapping[]): void {
  for (const m of maps) {
    unpublishPort(nf, m.rules);
    m.proxy.close();
    alloc.release(m.binding.proto, m.binding.hostIp, Number(m.binding.hostPort));
  }
}

export { ipToString };
