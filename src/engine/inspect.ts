import { createHash } from 'node:crypto';
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import type { Network } from './network.js';

/** Go's time.Time JSON: RFC 3339 with nanoseconds, trailing zeros trimmed, UTC "Z". */
export function goTime(epochMs: number, nanoSalt = 0): string {
  if (epochMs === 0) return '0001-01-01T00:00:00Z';
  const d = new Date(Math.floor(epochMs));
  const base = d.toISOString().slice(0, 19);
  // Docker's stamps carry nanoseconds; derive the sub-millisecond digits from a salt (an ID).
  const ns = Math.round((epochMs - Math.floor(epochMs / 1000) * 1000) * 1e6) + (nanoSalt % 1_000_000);
  let frac = String(ns).padStart(9, '0').replace(/0+$/, '');
  if (frac) frac = '.' + frac;
  return `${base}${frac}Z`;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}

/** `docker network inspect` object (reference §4.2, v27 key order). */
export function networkInspect(n: Network): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (const ep of n.endpoints.values()) {
    containers[ep.container.id] = {
      Name: ep.container.name,
      EndpointID: ep.id,
      MacAddress: ep.macString,
      IPv4Address: `${ep.ipString}/${ep.prefixLen}`,
      IPv6Address: '',
    };
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: goTime(n.created, parseInt(n.id.slice(0, 8), 16)),
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: n.ipamOptions, Config: n.ipamConfig },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: sortKeys(containers),
    Options: sortKeys(n.options),
    Labels: sortKeys(n.labels),
  };
}

/** Docker's `Ports` map: "80/tcp": [{HostIp, HostPort}, {HostIp: "::", …}] or null when only exposed. */
function portsMap(c: Container): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!c.running) return out;
  for (const e of c.exposed) out[e.includes('/') ? e : `${e}/tcp`] = null;
  for (const b of c.activePorts) {
    const k = `${b.containerPort}/${b.proto}`;
    const arr = (Array.isArray(out[k]) ? out[k] : []) as { HostIp: string; HostPort: string }[];
    arr.push({ HostIp: b.hostIp, HostPort: b.hostPort });
    if (b.hostIp === '0.0.0.0') arr.push({ HostIp: '::', HostPort: b.hostPort });
    out[k] = arr;
  }
  return sortKeys(out);
}

function endpointSettings(c: Container, n: Network): Record<string, unknown> {
  const ep = c.endpoints.get(n.id);
  const req = c.networkRequests.find((r) => r.network === n.name || r.network === n.id);
  return {
    IPAMConfig: req?.ip ? { IPv4Address: req.ip } : null,
    Links: req?.links.length ? req.links.map((l) => `/${l.split(':')[0]}:/${c.name}/${l.split(':')[1] ?? l.split(':')[0]}`) : null,
    Aliases: req?.aliases.length ? req.aliases : null,
    MacAddress: ep ? ep.macString : '',
    DriverOpts: null,
    NetworkID: n.id,
    EndpointID: ep ? ep.id : '',
    // An internal network gives its endpoints no gateway (bridge_linux.go Join: SetGateway only if !Internal).
    Gateway: ep && !n.internal ? n.gatewayString() : '',
    IPAddress: ep ? ep.ipString : '',
    IPPrefixLen: ep ? ep.prefixLen : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: ep && n.userDefined ? ep.dnsNames() : null,
  };
}

/** `docker inspect <container>` object; NetworkSettings as reference §4.3. */
export function containerInspect(e: Engine, c: Container): Record<string, unknown> {
  const networks: Record<string, unknown> = {};
  const nets = c.running
    ? [...c.endpoints.values()].map((ep) => ep.network)
    : c.networkRequests.map((r) => e.tryNetwork(r.network)).filter((n): n is Network => n !== null);
  if (c.networkMode === 'host' || c.networkMode === 'none') {
    const n = e.tryNetwork(c.networkMode);
    if (n) nets.push(n);
  }
  for (const n of nets) {
    networks[n.name] = n.driver === 'bridge' ? endpointSettings(c, n) : { ...endpointSettings(c, n), MacAddress: '', Gateway: '', IPAddress: '', IPPrefixLen: 0 };
  }
  const bridge = [...c.endpoints.values()].find((ep) => ep.network.isDefault);
  const sandbox = c.running && !c.hostMode ? c.id.split('').reverse().join('') : '';
  const state = c.state;
  return {
    Id: c.id,
    Created: goTime(c.created, parseInt(c.id.slice(0, 8), 16)),
    Path: c.cmd[0] ?? '',
    Args: c.cmd.slice(1),
    State: {
      Status: state,
      Running: state === 'running',
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: state === 'running' ? c.pid : 0,
      ExitCode: state === 'running' ? 0 : c.exitCode,
      Error: '',
      StartedAt: goTime(c.startedAt),
      FinishedAt: goTime(c.finishedAt),
    },
    Image: `sha256:${createHash('sha256').update(`vnet-image:${c.image.name}`).digest('hex')}`,
    ResolvConfPath: `/var/lib/docker/containers/${c.id}/resolv.conf`,
    HostnamePath: `/var/lib/docker/containers/${c.id}/hostname`,
    HostsPath: `/var/lib/docker/containers/${c.id}/hosts`,
    LogPath: `/var/lib/docker/containers/${c.id}/${c.id}-json.log`,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: 'docker-default',
    ExecIDs: null,
    HostConfig: {
      NetworkMode: c.networkMode,
      PortBindings: sortKeys(
        Object.fromEntries(
          groupBy(c.portBindings, (b) => `${b.containerPort}/${b.proto}`).map(([k, bs]) => [k, bs.map((b) => ({ HostIp: b.hostIp === '0.0.0.0' ? '' : b.hostIp, HostPort: b.hostPort }))]),
        ),
      ),
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      AutoRemove: c.autoRemove,
      Dns: c.dns,
      DnsOptions: c.dnsOptions,
      DnsSearch: c.dnsSearch,
      ExtraHosts: c.extraHosts.length ? c.extraHosts : null,
      Links: ((c as { links?: string[] }).links ?? []).length ? (c as { links?: string[] }).links!.map((l) => `/${l.split(':')[0]}:/${c.name}/${l.split(':')[1] ?? l.split(':')[0]}`) : null,
      PublishAllPorts: c.publishAll,
    },
    Config: {
      Hostname: c.hostMode ? 'vnet-host' : c.hostname,
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: !c.autoRemove,
      AttachStderr: !c.autoRemove,
      ExposedPorts: c.exposed.length || c.portBindings.length ? sortKeys(Object.fromEntries([...c.exposed, ...c.portBindings.map((b) => `${b.containerPort}/${b.proto}`)].map((p) => [p, {}]))) : null,
      Tty: c.tty,
      OpenStdin: c.openStdin,
      StdinOnce: false,
      Env: Object.entries(c.env).filter(([k]) => k !== 'HOSTNAME' && k !== 'HOME').map(([k, v]) => `${k}=${v}`),
      Cmd: c.cmd,
      Image: c.imageRef,
      Volumes: null,
      WorkingDir: c.image.workdir ?? '',
      Entrypoint: null,
      OnBuild: null,
      Labels: {},
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: sandbox,
      SandboxKey: sandbox ? `/var/run/docker/netns/${sandbox.slice(0, 12)}` : '',
      Ports: portsMap(c),
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: bridge ? bridge.id : '',
      Gateway: bridge ? bridge.network.gatewayString() : '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: bridge ? bridge.ipString : '',
      IPPrefixLen: bridge ? bridge.prefixLen : 0,
      IPv6Gateway: '',
      MacAddress: bridge ? bridge.macString : '',
      Networks: networks,
    },
  };
}

function groupBy<T>(xs: T[], key: (x: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const a = m.get(k);
    if (a) a.push(x);
    else m.set(k, [x]);
  }
  return [...m];
}

/** Docker CLI's indented inspect output: `[` objects `]`, 4-space indent. */
export function renderInspect(objs: unknown[]): string {
  return JSON.stringify(objs, null, 4) + '\n';
}
