import pino, { type Logger } from 'pino';
import type { Clock } from '../sim/clock.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { RealClock } from '../sim/real-clock.js';
import { Prng } from '../sim/prng.js';
import { BridgeDev } from '../link/bridge.js';
import { Capture } from '../link/capture.js';
import type { NetDev } from '../link/netdev.js';
import { createVethPair } from '../link/veth.js';
import { Namespace } from '../stack/namespace.js';
import { findImage, type Image } from '../apps/images.js';
import { findProgram } from '../apps/programs.js';
import { Pipe, type Writer } from '../apps/pipe.js';
import { ipToString, parseIp } from '../wire/addr.js';
import { macFromIp } from '../wire/mac.js';
import { Container, type ExecResult, type NetworkRequest, type PortBinding } from './container.js';
import { attachServices } from './services.js';
import { startEmbeddedDns, usesEmbeddedDns, writeDnsFiles } from './sandbox-dns.js';
import type { LinkEntry } from '../dns/files.js';
import { Endpoint } from './endpoint.js';
import { DockerError, errNetworkNotFound, errNoSuchContainer } from './errors.js';
import { AddressPool, defaultPools, overlaps, parseSubnet } from './ipam.js';
import { generateName, VALID_NAME } from './names.js';
import { Network, type Driver } from './network.js';
import { World } from './world.js';
import { PortAllocator, publish, unpublish, type Mapping } from './ports.js';
import type { Net } from '../node/net.js';
import type { Udp } from '../stack/udp.js';
import { addNetworkRules, removeNetworkRules, startFirewall } from './firewall.js';
import type { Netfilter } from '../netfilter/netfilter.js';
import { dockerCli, type DockerIo } from './docker-cli.js';
import { filterBridgedFrames } from './bridge-nf.js';
import { ContainerHandle, NetworkHandle } from './handles.js';

export interface EngineOptions {
  clock?: 'virtual' | 'real' | Clock;
  seed?: number;
  /** The host's LAN address (default 192.168.0.10, on a /24). */
  hostIp?: string;
  logger?: Logger;
}

export interface CreateNetworkOptions {
  driver?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  attachable?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
}

export interface ContainerSpec {
  image: string;
  name?: string;
  cmd?: string[];
  network?: string;
  networkAliases?: string[];
  ip?: string;
  publish?: string[];
  publishAll?: boolean;
  env?: Record<string, string>;
  hostname?: string;
  links?: string[];
  addHost?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  rm?: boolean;
  tty?: boolean;
  interactive?: boolean;
  expose?: string[];
}

const HOST_IMAGE: Image = { name: 'host', flavour: 'gnu', shell: 'bash', cmd: ['bash'], exposed: [] };

/**
 * The Docker model over the emulated network: a host namespace with docker0, the default
 * networks, user networks, containers and their endpoints, and the world outside.
 */
export class Engine {
  readonly clock: Clock;
  readonly prng: Prng;
  readonly log: Logger;
  readonly hostNs: Namespace;
  /** The host as a process context (exec, files), not listed among containers. */
  readonly hostCtx: Container;
  readonly world: World;
  readonly networks = new Map<string, Network>();
  readonly containers = new Map<string, Container>();
  readonly hostIp: number;
  /** The host's iptables, carrying Docker's rules. */
  readonly nf: Netfilter;
  private readonly ids: Prng;
  private readonly macs: Prng;
  private nextIfIndex = 4;
  private createdSeq = 0;
  private readonly captures = new Set<Capture>();
  readonly ports = new PortAllocator();
  private readonly mappings = new Map<Container, Mapping[]>();
  private closed = false;

  static async create(opts: EngineOptions = {}): Promise<Engine> {
    return new Engine(opts);
  }

  private constructor(opts: EngineOptions) {
    const c = opts.clock ?? 'virtual';
    this.clock = c === 'virtual' ? new VirtualClock() : c === 'real' ? new RealClock() : c;
    this.prng = new Prng(opts.seed ?? 0);
    this.ids = this.prng.fork('ids');
    this.macs = this.prng.fork('macs');
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.hostIp = parseIp(opts.hostIp ?? '192.168.0.10');
    if (this.hostIp < 0) throw new DockerError(`invalid host IP: ${opts.hostIp}`);
    this.hostNs = new Namespace('host', this.clock, this.prng.fork('host'));
    this.hostNs.ipForward = true;
    this.world = new World(this.clock, this.prng.fork('world'), this.hostIp, 24, () => this.allocIndex(), () => this.randomMac());
    const eth0 = this.world.hostUplink;
    this.hostNs.addDev(eth0);
    this.hostNs.addAddress(eth0, this.hostIp, 24);
    this.hostNs.addRoute({ dst: 0, prefixLen: 0, gw: this.world.routerIp, dev: eth0, src: this.hostIp, proto: 'boot' });
    this.hostCtx = new Container('host', 'host', HOST_IMAGE, 'host', [], 0, this.clock, this.prng.fork('hostproc'), 'host', 'vnet-host');
    this.hostCtx.ns = this.hostNs;
    this.hostCtx.state = 'running';
    this.hostCtx.files.write('/etc/hostname', 'vnet-host\n');
    this.hostCtx.files.write('/etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\tvnet-host\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n`);
    this.hostCtx.files.write('/etc/resolv.conf', 'nameserver 8.8.8.8\nnameserver 1.1.1.1\n');
    attachServices(this.hostNs, this.hostCtx);
    this.nf = startFirewall(this.hostNs);
    this.createDefaultNetworks();
  }

  // ---- public API ------------------------------------------------------------------------

  /** Any docker CLI line → {exitCode, stdout, stderr}, as the Docker CLI would print it. */
  docker(line: string | string[], io: DockerIo = {}): Promise<ExecResult> {
    return this.clock.run(dockerCli(this, line, io));
  }

  /** Create and start a container (like `docker run -d`); resolves once it is running. */
  async run(spec: ContainerSpec & { detach?: boolean }): Promise<ContainerHandle> {
    const c = this.createContainer({ tty: true, interactive: true, ...spec });
    await this.clock.run(this.startContainer(c));
    return new ContainerHandle(this, c);
  }

  container(ref: string): ContainerHandle {
    return new ContainerHandle(this, this.findContainer(ref));
  }

  network(ref: string): NetworkHandle {
    return new NetworkHandle(this.findNetwork(ref));
  }

  /** The host namespace as a handle: exec, net, dgram, dns. */
  get host(): ContainerHandle {
    return new ContainerHandle(this, this.hostCtx);
  }

  // ---- identity helpers ---------------------------------------------------------------

  newId(): string {
    return this.ids.hex(64);
  }

  allocIndex(): number {
    return this.nextIfIndex++;
  }

  /** Kernel-style random locally administered unicast MAC. */
  randomMac(): number {
    const hi = (this.macs.u32() & 0xfeff) | 0x0200;
    return hi * 4294967296 + this.macs.u32();
  }

  /** Docker ≤ 27 bridge device MAC: 02:42 + 4 random bytes. */
  private bridgeMac(): number {
    return 0x0242 * 4294967296 + this.macs.u32();
  }

  // ---- networks ---------------------------------------------------------------------------

  private createDefaultNetworks(): void {
    const now = this.clock.epochMs();
    const bridge = new Network(this.newId(), 'bridge', 'bridge', now, true);
    bridge.options = {
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': 'docker0',
      'com.docker.network.driver.mtu': '1500',
    };
    this.setupBridge(bridge, [parseIp('172.17.0.0'), 16], parseIp('172.17.0.1'), null, 'docker0', 3);
    bridge.ipamConfig = [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }];
    this.networks.set(bridge.id, bridge);
    addNetworkRules(this.nf, bridge);
    this.networks.set('host', new Network(this.newId(), 'host', 'host', now));
    this.networks.set('none', new Network(this.newId(), 'none', 'null', now));
    // re-key host/none by their IDs
    for (const k of ['host', 'none']) {
      const n = this.networks.get(k)!;
      this.networks.delete(k);
      this.networks.set(n.id, n);
    }
  }

  private setupBridge(n: Network, subnet: [number, number], gateway: number, range: [number, number] | null, brName: string, index?: number): void {
    n.pool = new AddressPool(subnet[0], subnet[1], range ?? undefined);
    n.gateway = gateway;
    n.pool.reserve(gateway);
    const br = new BridgeDev(brName, index ?? this.allocIndex(), this.bridgeMac(), this.clock);
    this.hostNs.addDev(br);
    this.hostNs.addAddress(br, gateway, subnet[1]);
    n.bridge = br;
    n.icc = n.options['com.docker.network.bridge.enable_icc'] !== 'false';
  }

  networkList(): Network[] {
    return [...this.networks.values()];
  }

  /** Find a network by name, full ID or unique ID prefix (Docker's order). */
  findNetwork(ref: string): Network {
    for (const n of this.networks.values()) if (n.id === ref) return n;
    for (const n of this.networks.values()) if (n.name === ref) return n;
    const m = [...this.networks.values()].filter((n) => n.id.startsWith(ref));
    if (m.length === 1) return m[0]!;
    if (m.length > 1) throw new DockerError(`network ${ref} is ambiguous (${m.length} matches found based on ID prefix)`);
    throw errNetworkNotFound(ref);
  }

  createNetwork(name: string, o: CreateNetworkOptions = {}): Network {
    const driver = o.driver ?? 'bridge';
    if (name === 'bridge' || name === 'host' || name === 'none') throw new DockerError(`operation is not permitted on predefined ${name} network`, 'forbidden');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new DockerError(`invalid network name "${name}"`);
    for (const n of this.networks.values()) if (n.name === name) throw new DockerError(`network with name ${name} already exists`, 'conflict');
    if (driver === 'overlay') throw new DockerError('This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
    if (driver !== 'bridge') throw new DockerError(`plugin "${driver}" not found`, 'notFound');
    let subnet: [number, number];
    let userSubnet = false;
    const used = this.networkList().filter((n) => n.pool).map((n) => [n.pool!.net, n.pool!.prefixLen] as [number, number]);
    if (o.subnet) {
      subnet = parseSubnet(o.subnet);
      userSubnet = true;
      if (used.some((u) => overlaps(u, subnet))) throw new DockerError('invalid pool request: Pool overlaps with other one on this address space', 'forbidden');
    } else {
      if (o.gateway || o.ipRange) throw new DockerError('no matching subnet for gateway ' + (o.gateway ?? o.ipRange));
      // Lowest free predefined pool not overlapping others or the host's own routes (v27).
      const reserved: [number, number][] = [...used, [(this.hostIp & 0xffffff00) >>> 0, 24]];
      const pick = defaultPools().find((p) => !reserved.some((u) => overlaps(u, p)));
      if (!pick) throw new DockerError('all predefined address pools have been fully subnetted');
      subnet = pick;
    }
    let gateway: number;
    if (o.gateway) {
      gateway = parseIp(o.gateway);
      if (gateway < 0) throw new DockerError(`invalid gateway address ${o.gateway}`);
      const pool = new AddressPool(subnet[0], subnet[1]);
      if (!pool.contains(gateway)) throw new DockerError(`no matching subnet for gateway ${o.gateway}`);
    } else gateway = (subnet[0] + 1) >>> 0;
    let range: [number, number] | null = null;
    if (o.ipRange) {
      range = parseSubnet(o.ipRange);
      if (!new AddressPool(subnet[0], subnet[1]).contains(range[0]) || range[1] < subnet[1]) throw new DockerError(`no matching subnet for range ${o.ipRange}`);
    }
    const id = this.newId();
    const n = new Network(id, name, 'bridge' as Driver, this.clock.epochMs());
    n.options = { ...(o.options ?? {}) };
    n.labels = { ...(o.labels ?? {}) };
    n.internal = !!o.internal;
    n.attachable = !!o.attachable;
    n.ipamOptions = {};
    n.userSubnet = userSubnet;
    const brName = n.options['com.docker.network.bridge.name'] ?? `br-${id.slice(0, 12)}`;
    if (this.hostNs.dev(brName)) throw new DockerError(`bridge name ${brName} is already in use`, 'conflict');
    this.setupBridge(n, subnet, gateway, range, brName);
    const cfg: { Subnet: string; IPRange?: string; Gateway?: string } = { Subnet: `${ipToString(subnet[0])}/${subnet[1]}` };
    if (o.ipRange) cfg.IPRange = `${ipToString(range![0])}/${range![1]}`;
    // Inspect shows the user's request: Gateway only if given, or when the subnet was automatic.
    if (o.gateway || !o.subnet) cfg.Gateway = ipToString(gateway);
    n.ipamConfig = [cfg];
    this.networks.set(id, n);
    addNetworkRules(this.nf, n);
    this.log.info({ network: name, subnet: cfg.Subnet }, 'network created');
    return n;
  }

  removeNetwork(ref: string): Network {
    const n = this.findNetwork(ref);
    if (n.predefined) throw new DockerError(`${n.name} is a pre-defined network and cannot be removed`, 'forbidden');
    if (n.endpoints.size > 0) throw new DockerError(`error while removing network: network ${n.name} id ${n.id} has active endpoints`, 'forbidden');
    removeNetworkRules(this.nf, n);
    if (n.bridge) {
      this.hostNs.removeDev(n.bridge);
    }
    this.networks.delete(n.id);
    return n;
  }

  // ---- containers -------------------------------------------------------------------------

  findContainer(ref: string): Container {
    const r = ref.startsWith('/') ? ref.slice(1) : ref;
    for (const c of this.containers.values()) if (c.id === r) return c;
    for (const c of this.containers.values()) if (c.name === r) return c;
    const m = [...this.containers.values()].filter((c) => c.id.startsWith(r));
    if (m.length === 1 && r.length > 0) return m[0]!;
    if (m.length > 1) throw new DockerError(`multiple IDs found with provided prefix: ${r}`);
    throw errNoSuchContainer(ref);
  }

  tryContainer(ref: string): Container | null {
    try {
      return this.findContainer(ref);
    } catch {
      return null;
    }
  }

  createContainer(s: ContainerSpec): Container {
    const image = findImage(s.image);
    if (!image) {
      const repo = s.image.includes(':') ? s.image.slice(0, s.image.lastIndexOf(':')) : s.image;
      throw new DockerError(`pull access denied for ${repo}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`, 'notFound');
    }
    let name = s.name;
    if (name !== undefined) {
      if (name.startsWith('/')) name = name.slice(1);
      if (!VALID_NAME.test(name)) throw new DockerError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      for (const c of this.containers.values()) {
        if (c.name === name) throw new DockerError(`Conflict. The container name "/${name}" is already in use by container "${c.id}". You have to remove (or rename) that container to be able to reuse that name.`, 'conflict');
      }
    } else name = generateName(this.ids, (n) => [...this.containers.values()].some((c) => c.name === n));
    const netMode = s.network ?? 'default';
    const isDefaultBridge = netMode === 'default' || netMode === 'bridge';
    if (s.networkAliases?.length && (isDefaultBridge || netMode === 'host' || netMode === 'none')) {
      throw new DockerError('network-scoped alias is supported only for containers in user defined networks');
    }
    if (s.ip && (isDefaultBridge || netMode === 'host' || netMode === 'none')) throw new DockerError('user specified IP address is supported on user defined networks only');
    // Endpoint settings are validated at create time (moby ≥ 25 validateEndpointSettings), so no container is left behind.
    const reqNet = s.ip && !isDefaultBridge ? this.tryNetwork(netMode) : null;
    if (reqNet && !reqNet.userSubnet) throw new DockerError('user specified IP address is supported only when connecting to networks with user configured subnets');
    if (s.publish?.length && (netMode === 'host' || netMode === 'none')) {
      if (netMode === 'none') throw new DockerError('conflicting options: port publishing and the container type network mode');
    }
    const bindings = (s.publish ?? []).flatMap(parsePublish);
    const id = this.newId();
    const cmd = s.cmd && s.cmd.length ? s.cmd : image.cmd;
    const c = new Container(id, name, image, s.image, cmd, this.clock.epochMs(), this.clock, this.prng.fork(`ctr-${id}`), netMode === 'default' ? 'bridge' : netMode, s.hostname);
    c.seq = ++this.createdSeq;
    c.portBindings = bindings;
    c.publishAll = !!s.publishAll;
    c.autoRemove = !!s.rm;
    c.tty = !!s.tty;
    c.openStdin = !!s.interactive;
    c.extraHosts = s.addHost ?? [];
    c.dns = s.dns ?? [];
    c.dnsSearch = s.dnsSearch ?? [];
    c.dnsOptions = s.dnsOptions ?? [];
    if (s.expose) c.exposed.push(...s.expose.map((e) => (e.includes('/') ? e : `${e}/tcp`)));
    Object.assign(c.env, s.env ?? {});
    if (netMode !== 'host' && netMode !== 'none') {
      c.networkRequests = [{ network: isDefaultBridge ? 'bridge' : netMode, aliases: s.networkAliases ?? [], ip: s.ip ?? null, links: s.links ?? [] }];
    } else if (s.links?.length) c.networkRequests = [];
    (c as { links?: string[] }).links = s.links ?? [];
    this.containers.set(id, c);
    return c;
  }

  async startContainer(c: Container): Promise<void> {
    if (c.running) return;
    const links = (c as { links?: string[] }).links ?? [];
    // Resolve everything that can fail before touching the network.
    for (const r of c.networkRequests) this.findNetwork(r.network);
    if (c.networkMode === 'host') {
      c.ns = this.hostNs;
      c.hostMode = true;
      c.hostnameValue = 'vnet-host';
      c.services = this.hostCtx.services;
    } else {
      c.ns = new Namespace(`ctr-${c.name}`, this.clock, c.prng.fork('ns'));
      c.services = {};
      attachServices(c.ns, c);
    }
    try {
      for (const r of c.networkRequests) this.attach(c, this.findNetwork(r.network), r);
      this.chooseDefaultRoute(c);
      for (const l of links) this.checkLink(c, l);
    } catch (e) {
      for (const ep of [...c.endpoints.values()]) this.detach(c, ep);
      throw e;
    }
    try {
      this.publishPorts(c);
    } catch (e) {
      for (const ep of [...c.endpoints.values()]) this.detach(c, ep);
      throw e;
    }
    c.state = 'running';
    c.startedAt = this.clock.epochMs();
    c.pid = 1000 + this.ids.int(0, 60000);
    this.writeFiles(c);
    if (!findProgram(c.cmd[0] ?? '', c.image.flavour)) {
      // runc fails to exec the command: the container stays Created, exit code 127.
      c.state = 'created';
      c.exitCode = 127;
      this.releaseNetworking(c);
      throw new DockerError(`failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${c.cmd[0]}": executable file not found in $PATH: unknown`, 'system', 127);
    }
    this.startMain(c);
  }

  /** -p / -P: rules and docker-proxy on the endpoint that carries the default route. */
  private publishPorts(c: Container): void {
    const wanted = [...c.portBindings];
    if (c.publishAll) {
      for (const x of c.exposed) {
        const [port, proto] = x.split('/');
        if (!wanted.some((b) => String(b.containerPort) === port && b.proto === (proto ?? 'tcp'))) {
          wanted.push({ hostIp: '0.0.0.0', hostPort: '', containerPort: Number(port), proto: (proto ?? 'tcp') as 'tcp' | 'udp' });
        }
      }
    }
    c.activePorts = [];
    if (wanted.length === 0 || c.hostMode) return;
    const gw = this.gatewayEndpoint(c);
    if (!gw) return;
    const maps = publish(this.nf, this.ports, this.hostCtx.services as { net: Net; udp: Udp }, gw, wanted);
    this.mappings.set(c, maps);
    c.activePorts = maps.map((m) => m.binding);
  }

  private gatewayEndpoint(c: Container): Endpoint | undefined {
    const eps = [...c.endpoints.values()].filter((e) => !e.network.internal);
    eps.sort((a, b) => (a.network.name < b.network.name ? -1 : a.network.name > b.network.name ? 1 : 0));
    return eps[0];
  }

  private checkLink(c: Container, spec: string): void {
    const target = spec.split(':')[0]!;
    const t = this.tryContainer(target);
    if (!t) throw new DockerError(`could not get container for ${target}`, 'notFound');
    if (!t.running) throw new DockerError(`Cannot link to a non running container: /${t.name} AS /${c.name}/${spec.split(':')[1] ?? target}`);
    const onDefault = [...c.endpoints.values()].some((e) => e.network.isDefault);
    if (onDefault && ![...t.endpoints.values()].some((e) => e.network.isDefault)) {
      throw new DockerError(`Cannot link to /${t.name}, as it does not belong to the default network`);
    }
  }

  /** /etc/hostname, /etc/hosts, /etc/resolv.conf as Docker writes them at start; embedded DNS. */
  writeFiles(c: Container): void {
    const hostResolv = this.hostCtx.files.read('/etc/resolv.conf')!;
    if (c.hostMode) {
      c.files.write('/etc/hostname', this.hostCtx.files.read('/etc/hostname')!);
      c.files.write('/etc/hosts', this.hostCtx.files.read('/etc/hosts')!);
      writeDnsFiles(c, hostResolv, [], []);
      return;
    }
    c.files.write('/etc/hostname', `${c.hostname}\n`);
    const bridgeGw = [...this.networks.values()].find((n) => n.isDefault)?.gatewayString() ?? '172.17.0.1';
    const extra = c.extraHosts.map((h) => {
      const i = h.indexOf(':');
      const ip = h.slice(i + 1);
      return { host: h.slice(0, i), ip: ip === 'host-gateway' ? bridgeGw : ip };
    });
    // Legacy links write /etc/hosts only on the default bridge (reference §3.5).
    const links: LinkEntry[] = [];
    if ([...c.endpoints.values()].some((e) => e.network.isDefault)) {
      for (const l of (c as { links?: string[] }).links ?? []) {
        const [target, alias] = l.split(':');
        const t = this.tryContainer(target!);
        const ep = t ? [...t.endpoints.values()].find((e) => e.network.isDefault) : undefined;
        if (t && ep) links.push({ ip: ep.ipString, alias: alias ?? t.name, hostname: t.hostname, name: t.name });
      }
    }
    const cfg = writeDnsFiles(c, hostResolv, links, extra);
    if (usesEmbeddedDns(c)) startEmbeddedDns(c, cfg);
  }

  /** Connect a container's namespace to a network: IPAM, veth pair, addresses, routes. */
  attach(c: Container, n: Network, req: NetworkRequest): Endpoint {
    if (n.driver === 'host' || n.driver === 'null') throw new DockerError('container cannot be disconnected from host network or connected to host network');
    const ns = c.ns!;
    if (c.endpoints.has(n.id)) throw new DockerError(`endpoint with name ${c.name} already exists in network ${n.name}`, 'forbidden');
    const pool = n.pool!;
    let ip: number;
    let requested: number | null = null;
    if (req.ip) {
      if (!n.userSubnet) throw new DockerError('user specified IP address is supported only when connecting to networks with user configured subnets');
      requested = parseIp(req.ip);
      if (requested < 0 || !pool.contains(requested)) throw new DockerError(`no configured subnet or ip-range contain the IP address ${req.ip}`);
      if (pool.isUsed(requested)) throw new DockerError(`Address already in use`, 'conflict');
      pool.reserve(requested);
      ip = requested;
    } else ip = pool.allocate();
    const mac = macFromIp(ip);
    const ifname = `eth${c.endpoints.size}`;
    const inIdx = this.allocIndex();
    const outIdx = this.allocIndex();
    const vethName = `veth${this.ids.hex(7)}`;
    const [inner, outer] = createVethPair(this.clock, { name: ifname, index: inIdx, mac }, { name: vethName, index: outIdx, mac: this.randomMac() });
    const ep = new Endpoint(this.newId(), n, c, ip, mac, pool.prefixLen, ifname, req.aliases, requested);
    ep.inner = inner;
    ep.outer = outer;
    n.bridge!.addPort(outer);
    filterBridgedFrames(this.nf, n.bridge!, outer);
    this.hostNs.addDev(outer);
    ns.addDev(inner);
    ns.addAddress(inner, ip, pool.prefixLen);
    c.endpoints.set(n.id, ep);
    n.endpoints.set(c.id, ep);
    return ep;
  }

  detach(c: Container, ep: Endpoint): void {
    const n = ep.network;
    if (ep.outer) {
      n.bridge?.removePort(ep.outer);
      this.hostNs.removeDev(ep.outer);
      ep.outer.purgeInbound();
    }
    if (ep.inner) {
      c.ns?.removeDev(ep.inner);
      ep.inner.purgeInbound();
      ep.inner.up = false;
    }
    n.pool?.release(ep.ip);
    c.endpoints.delete(n.id);
    n.endpoints.delete(c.id);
  }

  /** Docker's gateway choice (reference §1.7): non-internal first, then network name. */
  chooseDefaultRoute(c: Container): void {
    const ns = c.ns;
    if (!ns || c.hostMode) return;
    ns.routes.remove((r) => r.prefixLen === 0);
    const eps = [...c.endpoints.values()].sort((a, b) => {
      if (a.network.internal !== b.network.internal) return a.network.internal ? 1 : -1;
      return a.network.name < b.network.name ? -1 : a.network.name > b.network.name ? 1 : 0;
    });
    const gw = eps.find((e) => !e.network.internal && e.network.gateway);
    if (gw) ns.addRoute({ dst: 0, prefixLen: 0, gw: gw.network.gateway, dev: gw.inner! });
  }

  /** The container's main process: its output is the log, its exit stops the container. */
  private startMain(c: Container): void {
    const stdin = new Pipe();
    if (!c.openStdin) stdin.end();
    c.stdin = stdin;
    const ac = new AbortController();
    c.mainAbort = ac;
    // With a TTY both streams are one terminal; without, Docker keeps them apart.
    const writer = (stream: 'stdout' | 'stderr'): Writer => ({
      write: (ch) => {
        const b = typeof ch === 'string' ? new TextEncoder().encode(ch) : ch;
        const s = c.tty ? 'stdout' : stream;
        c.log.write(b);
        c.logChunks.push({ stream: s, data: b });
        for (const a of c.attached) a(b, s);
      },
      end() {},
    });
    const done = c.spawn(c.cmd, { stdin, stdout: writer('stdout'), stderr: writer('stderr'), tty: c.tty, signal: ac.signal });
    c.mainDone = done;
    void done.then((code) => this.onMainExit(c, code, done));
  }

  private onMainExit(c: Container, code: number, which: Promise<number>): void {
    if (c.mainDone !== which || this.closed) return;
    c.mainDone = null;
    c.state = 'exited';
    c.exitCode = code;
    c.finishedAt = this.clock.epochMs();
    this.releaseNetworking(c);
    if (c.autoRemove) this.containers.delete(c.id);
  }

  private releaseNetworking(c: Container): void {
    const maps = this.mappings.get(c);
    if (maps) unpublish(this.nf, this.ports, maps);
    this.mappings.delete(c);
    for (const ep of [...c.endpoints.values()]) this.detach(c, ep);
    if (c.ns && !c.hostMode) c.ns.dispose();
    c.activePorts = [];
  }

  /** docker stop: SIGTERM, and SIGKILL after the grace period (a shell as PID 1 ignores TERM). */
  async stopContainer(c: Container, graceSec = 10): Promise<void> {
    if (!c.running || !c.mainDone) return;
    const done = c.mainDone;
    const isShell = /(^|\/)(ba)?sh$/.test(c.cmd[0] ?? '');
    if (isShell) {
      const t = this.clock.sleep(graceSec * 1000);
      await Promise.race([done, t]);
    }
    c.mainAbort?.abort();
    c.stdin?.end();
    await done;
    if (c.state === 'running') this.onMainExit(c, isShell ? 137 : 143, done);
    else if (isShell) c.exitCode = 137;
  }

  /** docker kill: SIGKILL now. */
  async killContainer(c: Container): Promise<void> {
    if (!c.running) throw new DockerError(`cannot kill container: ${c.name}: container ${c.id} is not running`, 'conflict');
    const done = c.mainDone;
    c.mainAbort?.abort();
    c.stdin?.end();
    if (done) await done;
    if (c.state === 'running' && done) this.onMainExit(c, 137, done);
    c.exitCode = 137;
  }

  async removeContainer(c: Container, force = false): Promise<void> {
    if (c.running) {
      if (!force) throw new DockerError(`cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`, 'conflict');
      c.autoRemove = false;
      c.mainAbort?.abort();
      c.stdin?.end();
      const done = c.mainDone;
      if (done) await done;
      if (c.state === 'running') {
        c.state = 'exited';
        c.exitCode = 137;
        this.releaseNetworking(c);
      }
    }
    this.containers.delete(c.id);
  }

  /** docker network connect. */
  connect(netRef: string, ctrRef: string, o: { aliases?: string[]; ip?: string } = {}): void {
    const n = this.findNetwork(netRef);
    const c = this.findContainer(ctrRef);
    if (n.driver === 'host' && c.networkMode !== 'host') throw new DockerError('container cannot be disconnected from host network or connected to host network');
    // daemon updateNetworkSettings: a container in the host's namespace is not "private"
    if (c.networkMode === 'host') throw new DockerError('container sharing network namespace with another container or host cannot be connected to any other network', 'forbidden');
    if (c.networkMode === 'none' && c.running) throw new DockerError('container cannot be connected to multiple networks with one of the networks in private (none) mode', 'forbidden');
    if (o.aliases?.length && n.isDefault) throw new DockerError('network-scoped alias is supported only for containers in user defined networks');
    const req: NetworkRequest = { network: n.name, aliases: o.aliases ?? [], ip: o.ip ?? null, links: [] };
    if (c.running) {
      this.attach(c, n, req);
      this.chooseDefaultRoute(c);
      this.writeFiles(c);
    } else if (c.networkRequests.some((r) => this.findNetwork(r.network) === n)) {
      throw new DockerError(`endpoint with name ${c.name} already exists in network ${n.name}`, 'forbidden');
    }
    c.networkRequests.push(req);
  }

  disconnect(netRef: string, ctrRef: string): void {
    const n = this.findNetwork(netRef);
    const c = this.findContainer(ctrRef);
    if (n.driver === 'host' || c.networkMode === 'host') throw new DockerError('container cannot be disconnected from host network or connected to host network');
    const ep = c.endpoints.get(n.id);
    const reqIdx = c.networkRequests.findIndex((r) => this.tryNetwork(r.network) === n);
    if (c.running) {
      if (!ep) throw new DockerError(`container ${c.id} is not connected to network ${n.name}`, 'forbidden');
      this.detach(c, ep);
      this.chooseDefaultRoute(c);
    } else if (reqIdx < 0) throw new DockerError(`container ${c.id} is not connected to the network ${n.name}`, 'forbidden');
    if (reqIdx >= 0) c.networkRequests.splice(reqIdx, 1);
  }

  tryNetwork(ref: string): Network | null {
    try {
      return this.findNetwork(ref);
    } catch {
      return null;
    }
  }

  // ---- capture / close --------------------------------------------------------------------

  /** Capture a device of the host namespace (docker0, br-…, eth0, vethX) to a pcap file. */
  capture(devName: string, path: string, where: Namespace | null = null): Capture {
    const ns = where ?? this.hostNs;
    const dev = ns.dev(devName) ?? this.findDevAnywhere(devName);
    if (!dev) throw new DockerError(`no such device: ${devName}`, 'notFound');
    const cap = new Capture(path, [dev], this.clock);
    this.captures.add(cap);
    return cap;
  }

  private findDevAnywhere(name: string): NetDev | undefined {
    const m = /^(.+):(.+)$/.exec(name);
    if (m) {
      const c = this.tryContainer(m[1]!);
      return c?.ns?.dev(m[2]!);
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const cap of this.captures) cap.close();
    for (const c of [...this.containers.values()]) {
      c.mainAbort?.abort();
      c.stdin?.end();
    }
    this.closed = true;
    for (const c of this.containers.values()) if (c.ns && !c.hostMode) c.ns.dispose();
    this.hostNs.dispose();
    this.world.dispose();
    this.clock.dispose();
  }
}

/** Parse -p: [ip:][hostPort:]containerPort[/proto], with ranges not supported. */
export function parsePublish(spec: string): PortBinding[] {
  let proto: 'tcp' | 'udp' = 'tcp';
  let s = spec;
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (p !== 'tcp' && p !== 'udp') throw new DockerError(`invalid proto: ${p}`);
    proto = p;
    s = s.slice(0, slash);
  }
  const parts = s.split(':');
  let hostIp = '0.0.0.0';
  let hostPort = '';
  let cport: string;
  if (parts.length === 1) cport = parts[0]!;
  else if (parts.length === 2) [hostPort, cport] = parts as [string, string];
  else if (parts.length === 3) [hostIp, hostPort, cport] = parts as [string, string, string];
  else throw new DockerError(`invalid port specification: "${spec}"`);
  const cp = Number(cport);
  if (!/^\d+$/.test(cport) || cp < 1 || cp > 65535) throw new DockerError(`invalid containerPort: ${cport}`);
  if (hostPort && (!/^\d+$/.test(hostPort) || Number(hostPort) > 65535)) throw new DockerError(`invalid hostPort: ${hostPort}`);
  if (hostIp && parseIp(hostIp) < 0) throw new DockerError(`invalid IP address: ${hostIp}`);
  return [{ hostIp: hostIp || '0.0.0.0', hostPort, containerPort: cp, proto }];
}

export type { ExecResult };
