import { parseShell, ShellSyntaxError } from '../apps/sh-parse.js';
import { Collector, Pipe } from '../apps/pipe.js';
import type { Container, ExecResult } from './container.js';
import { humanDuration, naturalCompare, table, truncCommand } from './cli-format.js';
import { FlagError, parseFlags, type FlagSpec } from './cli-flags.js';
import type { Engine } from './engine.js';
import { DockerError } from './errors.js';
import { containerInspect, networkInspect, renderInspect } from './inspect.js';

/** Terminal-side I/O for verbs that attach (run without -d, exec -i, attach). */
export interface DockerIo {
  stdin?: Pipe;
  tty?: boolean;
  onStdout?: (c: Uint8Array) => void;
  onStderr?: (c: Uint8Array) => void;
  signal?: AbortSignal;
}

class Out {
  readonly out = new Collector();
  readonly err = new Collector();
  constructor(io: DockerIo) {
    if (io.onStdout) this.out.onData = io.onStdout;
    if (io.onStderr) this.err.onData = io.onStderr;
  }
  result(code: number): ExecResult {
    return { exitCode: code, stdout: this.out.text(), stderr: this.err.text() };
  }
}

/** `docker run`/`create` flags (the `vnet` player scans lines with the same table). */
export const RUN_FLAGS: FlagSpec = {
  detach: { short: 'd', value: false },
  interactive: { short: 'i', value: false },
  tty: { short: 't', value: false },
  name: { value: true },
  network: { value: true },
  net: { value: true },
  'network-alias': { value: true },
  'net-alias': { value: true },
  ip: { value: true },
  publish: { short: 'p', value: true },
  'publish-all': { short: 'P', value: false },
  expose: { value: true },
  env: { short: 'e', value: true },
  hostname: { short: 'h', value: true },
  link: { value: true },
  'add-host': { value: true },
  dns: { value: true },
  'dns-search': { value: true },
  'dns-option': { value: true },
  'dns-opt': { value: true }, // docker's hidden alias of --dns-option
  rm: { value: false },
  entrypoint: { value: true },
  workdir: { short: 'w', value: true },
  volume: { short: 'v', value: true },
  user: { short: 'u', value: true },
  restart: { value: true },
  privileged: { value: false },
  'cap-add': { value: true },
  help: { value: false },
};

const USAGE: Record<string, string> = {
  run: 'Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nCreate and run a new container from an image\n',
  exec: 'Usage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nExecute a command in a running container\n',
  ps: 'Usage:  docker ps [OPTIONS]\n\nList containers\n',
  inspect: 'Usage:  docker inspect [OPTIONS] NAME|ID [NAME|ID...]\n\nReturn low-level information on Docker objects\n',
  stop: 'Usage:  docker stop [OPTIONS] CONTAINER [CONTAINER...]\n\nStop one or more running containers\n',
  start: 'Usage:  docker start [OPTIONS] CONTAINER [CONTAINER...]\n\nStart one or more stopped containers\n',
  rm: 'Usage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRemove one or more containers\n',
  logs: 'Usage:  docker logs [OPTIONS] CONTAINER\n\nFetch the logs of a container\n',
  port: 'Usage:  docker port CONTAINER [PRIVATE_PORT[/PROTO]]\n\nList port mappings or a specific mapping for the container\n',
  network: 'Usage:  docker network COMMAND\n\nManage networks\n\nCommands:\n  connect     Connect a container to a network\n  create      Create a network\n  disconnect  Disconnect a container from a network\n  inspect     Display detailed information on one or more networks\n  ls          List networks\n  prune       Remove all unused networks\n  rm          Remove one or more networks\n',
};

/** Split a command line like a shell would (quotes, escapes); `docker` prefix optional. */
export function splitArgs(line: string): string[] {
  const items = parseShell(line);
  if (items.length === 0) return [];
  return items[0]!.pipeline.commands[0]!.argv;
}

/** Run one docker CLI invocation against the engine (time advances inside engine.clock.run). */
export async function dockerCli(engine: Engine, argvOrLine: string | string[], io: DockerIo = {}): Promise<ExecResult> {
  let argv: string[];
  try {
    argv = typeof argvOrLine === 'string' ? splitArgs(argvOrLine) : argvOrLine;
  } catch (e) {
    // The line never reaches docker: the shell rejects it.
    if (e instanceof ShellSyntaxError) return { exitCode: 2, stdout: '', stderr: `sh: ${e.message}\n` };
    throw e;
  }
  if (argv[0] === 'docker') argv = argv.slice(1);
  const o = new Out(io);
  try {
    const code = await dispatch(engine, argv, o, io);
    return o.result(code);
  } catch (e) {
    if (e instanceof UsageError) {
      o.err.write(e.message);
      return o.result(e.code);
    }
    if (e instanceof DockerError) {
      o.err.write(`Error response from daemon: ${e.message}\n`);
      return o.result(1);
    }
    throw e;
  }
}

class UsageError extends Error {
  constructor(msg: string, readonly code = 1) {
    super(msg);
  }
}

function flags(verb: string, argv: string[], spec: FlagSpec, interspersed = true) {
  try {
    const f = parseFlags(argv, { ...spec, help: { value: false } }, interspersed);
    return f;
  } catch (e) {
    if (e instanceof FlagError) throw new UsageError(`${e.message}\nSee 'docker ${verb} --help'.\n`, 125);
    throw e;
  }
}

function needArgs(verb: string, args: string[], min: number, what: string): void {
  if (args.length < min) {
    throw new UsageError(`"docker ${verb}" requires at least ${min} argument${min > 1 ? 's' : ''}.\nSee 'docker ${verb} --help'.\n\n${USAGE[verb.split(' ')[0]!] ?? ''}`.replace(/\n\n$/, '\n') + (what ? '' : ''), 1);
  }
}

async function dispatch(e: Engine, argv: string[], o: Out, io: DockerIo): Promise<number> {
  let verb = argv[0];
  let rest = argv.slice(1);
  if (verb === 'container' && rest.length) {
    verb = rest[0] === 'ls' || rest[0] === 'list' ? 'ps' : rest[0];
    rest = rest.slice(1);
  }
  if (!verb || verb === '--help' || verb === 'help') {
    o.out.write('Usage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers (emulated by vnet)\n\nCommon Commands:\n  run         Create and run a new container from an image\n  exec        Execute a command in a running container\n  ps          List containers\n  inspect     Return low-level information on Docker objects\n  port        List port mappings or a specific mapping for the container\n  stop        Stop one or more running containers\n  start       Start one or more stopped containers\n  rm          Remove one or more containers\n  logs        Fetch the logs of a container\n  network     Manage networks\n');
    return 0;
  }
  if (verb === '--version' || verb === 'version' || verb === '-v') {
    o.out.write('Docker version 27.5.1, build 9f9e405 (vnet emulation)\n');
    return 0;
  }
  if (rest.includes('--help') && USAGE[verb]) {
    o.out.write(USAGE[verb]!);
    return 0;
  }
  switch (verb) {
    case 'run':
      return run(e, rest, o, io);
    case 'create':
      return create(e, rest, o);
    case 'exec':
      return exec(e, rest, o, io);
    case 'ps':
      return ps(e, rest, o);
    case 'inspect':
      return inspect(e, rest, o);
    case 'stop':
    case 'kill':
      return eachContainer(e, verb, rest, o, async (c) => (verb === 'kill' ? e.killContainer(c) : e.stopContainer(c, Number(flags(verb, rest, { time: { short: 't', value: true } }).values.get('time')?.[0] ?? 10))));
    case 'start':
      return eachContainer(e, verb, rest, o, (c) => e.startContainer(c));
    case 'restart':
      return eachContainer(e, verb, rest, o, async (c) => {
        await e.stopContainer(c);
        await e.startContainer(c);
      });
    case 'rm': {
      const f = flags('rm', rest, { force: { short: 'f', value: false } });
      return eachContainer(e, 'rm', f.args, o, (c) => e.removeContainer(c, f.bools.has('force')), true);
    }
    case 'logs': {
      const f = flags('logs', rest, { follow: { short: 'f', value: false }, tail: { value: true } });
      needArgs('logs', f.args, 1, 'CONTAINER');
      const c = e.findContainer(f.args[0]!);
      for (const chunk of c.logChunks) (chunk.stream === 'stderr' ? o.err : o.out).write(chunk.data);
      return 0;
    }
    case 'port':
      return port(e, rest, o);
    case 'network':
      return network(e, rest, o);
    case 'pull': {
      const ref = rest[0];
      if (!ref) throw new UsageError(`"docker pull" requires exactly 1 argument.\nSee 'docker pull --help'.\n`);
      const { findImage } = await import('../apps/images.js');
      if (!findImage(ref)) throw new DockerError(`pull access denied for ${ref}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
      const tag = ref.includes(':') ? '' : ':latest';
      if (!ref.includes(':')) o.out.write('Using default tag: latest\n');
      o.out.write(`${ref.includes(':') ? ref.split(':')[1] : 'latest'}: Pulling from library/${ref.split(':')[0]}\nStatus: Image is up to date for ${ref}${tag}\ndocker.io/library/${ref}${tag}\n`);
      return 0;
    }
    default:
      o.err.write(`docker: '${verb}' is not a docker command.\nSee 'docker --help'\n`);
      return 1;
  }
}

async function eachContainer(e: Engine, verb: string, args: string[], o: Out, fn: (c: Container) => Promise<void>, flagsParsed = false): Promise<number> {
  const list = flagsParsed ? args : args.filter((a) => !a.startsWith('-') && !/^\d+$/.test(a));
  if (list.length === 0) throw new UsageError(`"docker ${verb}" requires at least 1 argument.\nSee 'docker ${verb} --help'.\n\n${USAGE[verb] ?? ''}`);
  return eachRef(list, o, (ref) => fn(e.findContainer(ref)));
}

/** Apply `fn` to each reference: print it when done, Docker's error when not; exit 1 if any failed. */
async function eachRef(refs: string[], o: Out, fn: (ref: string) => unknown): Promise<number> {
  let rc = 0;
  for (const ref of refs) {
    try {
      await fn(ref);
      o.out.write(`${ref}\n`);
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
      o.err.write(`Error response from daemon: ${err.message}\n`);
      rc = 1;
    }
  }
  return rc;
}

function runSpec(rest: string[]) {
  const f = flags('run', rest, RUN_FLAGS, false);
  if (f.args.length === 0) throw new UsageError(`"docker run" requires at least 1 argument.\nSee 'docker run --help'.\n\n${USAGE['run']}`, 125);
  const v = (k: string): string[] => f.values.get(k) ?? [];
  const env: Record<string, string> = {};
  for (const kv of v('env')) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const network = v('network').concat(v('net')).pop();
  return {
    f,
    spec: {
      image: f.args[0]!,
      cmd: f.args.slice(1),
      name: v('name').pop(),
      network,
      networkAliases: v('network-alias').concat(v('net-alias')),
      ip: v('ip').pop(),
      publish: v('publish'),
      publishAll: f.bools.has('publish-all'),
      expose: v('expose'),
      env,
      hostname: v('hostname').pop(),
      links: v('link'),
      addHost: v('add-host'),
      dns: v('dns'),
      dnsSearch: v('dns-search'),
      dnsOptions: v('dns-option').concat(v('dns-opt')),
      rm: f.bools.has('rm'),
      tty: f.bools.has('tty'),
      interactive: f.bools.has('interactive'),
    },
  };
}

async function create(e: Engine, rest: string[], o: Out): Promise<number> {
  const { spec } = runSpec(rest);
  try {
    const c = e.createContainer(spec);
    o.out.write(`${c.id}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof DockerError)) throw err;
    o.err.write(`Error response from daemon: ${err.message}\n`);
    return 1;
  }
}

async function run(e: Engine, rest: string[], o: Out, io: DockerIo): Promise<number> {
  const { f, spec } = runSpec(rest);
  const detach = f.bools.has('detach');
  let c: Container;
  try {
    c = e.createContainer(spec);
  } catch (err) {
    if (!(err instanceof DockerError)) throw err;
    if (err.message.startsWith('pull access denied')) {
      const ref = spec.image.includes(':') ? spec.image : `${spec.image}:latest`;
      o.err.write(`Unable to find image '${ref}' locally\n`);
    }
    o.err.write(`docker: Error response from daemon: ${err.message.replace(/\.?$/, '.')}\nSee 'docker run --help'.\n`);
    return 125;
  }
  try {
    await e.startContainer(c);
  } catch (err) {
    if (!(err instanceof DockerError)) throw err;
    o.err.write(`docker: Error response from daemon: ${err.message.replace(/\.?$/, '.')}\n`);
    return err.runExitCode;
  }
  if (detach) {
    o.out.write(`${c.id}\n`);
    return 0;
  }
  // Foreground: attach to the main process until it exits.
  const fwd = (ch: Uint8Array, stream: 'stdout' | 'stderr'): void => (stream === 'stderr' ? o.err : o.out).write(ch);
  for (const chunk of c.logChunks) fwd(chunk.data, chunk.stream);
  c.attached.add(fwd);
  let feeding = true;
  if (io.stdin && c.openStdin && c.stdin) {
    const target = c.stdin;
    void (async () => {
      for (;;) {
        const ch = await io.stdin!.read();
        if (ch === null || !feeding) break;
        target.write(ch);
      }
      if (feeding) target.end();
    })();
  } else if (c.openStdin) c.stdin?.end();
  const done = c.mainDone;
  const code = done ? await done : c.exitCode;
  feeding = false;
  c.attached.delete(fwd);
  return code;
}

/** `docker exec` flags. */
export const EXEC_FLAGS: FlagSpec = {
  detach: { short: 'd', value: false },
  interactive: { short: 'i', value: false },
  tty: { short: 't', value: false },
  env: { short: 'e', value: true },
  workdir: { short: 'w', value: true },
  user: { short: 'u', value: true },
  'detach-keys': { value: true },
};

async function exec(e: Engine, rest: string[], o: Out, io: DockerIo): Promise<number> {
  const f = flags('exec', rest, EXEC_FLAGS, false);
  if (f.args.length < 2) throw new UsageError(`"docker exec" requires at least 2 arguments.\nSee 'docker exec --help'.\n\n${USAGE['exec']}`);
  const c = e.findContainer(f.args[0]!);
  if (!c.running) throw new DockerError(`container ${c.id} is not running`, 'conflict');
  const env: Record<string, string> = {};
  for (const kv of f.values.get('env') ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const argv = f.args.slice(1);
  const stdin = f.bools.has('interactive') && io.stdin ? io.stdin : undefined;
  const run = c.exec(argv, { stdin, tty: f.bools.has('tty'), env, signal: io.signal, onStdout: (ch) => o.out.write(ch), onStderr: (ch) => o.err.write(ch) });
  if (f.bools.has('detach')) {
    void run;
    return 0;
  }
  const r = await run;
  if (r.exitCode === 127 && r.stderr.startsWith('OCI runtime exec failed')) return 126 + 1;
  return r.exitCode;
}

function portsText(c: Container): string {
  if (!c.running) return '';
  const parts: string[] = [];
  for (const b of c.activePorts) {
    parts.push(`${b.hostIp}:${b.hostPort}->${b.containerPort}/${b.proto}`);
    if (b.hostIp === '0.0.0.0') parts.push(`[::]:${b.hostPort}->${b.containerPort}/${b.proto}`);
  }
  for (const x of c.exposed) if (!c.activePorts.some((b) => `${b.containerPort}/${b.proto}` === x)) parts.push(x);
  return parts.join(', ');
}

function statusText(e: Engine, c: Container): string {
  const now = e.clock.epochMs();
  if (c.state === 'running') return `Up ${humanDuration(now - c.startedAt)}`;
  if (c.state === 'created') return 'Created';
  return `Exited (${c.exitCode}) ${humanDuration(now - c.finishedAt)} ago`;
}

async function ps(e: Engine, rest: string[], o: Out): Promise<number> {
  const f = flags('ps', rest, { all: { short: 'a', value: false }, quiet: { short: 'q', value: false }, 'no-trunc': { value: false }, format: { value: true } });
  const list = [...e.containers.values()].filter((c) => f.bools.has('all') || c.running).sort((a, b) => b.created - a.created || b.seq - a.seq);
  if (f.bools.has('quiet')) {
    for (const c of list) o.out.write(`${c.id.slice(0, 12)}\n`);
    return 0;
  }
  const now = e.clock.epochMs();
  const rows = list.map((c) => ({
    ID: c.id.slice(0, 12),
    Image: c.imageRef,
    Command: truncCommand(c.commandLine),
    CreatedAt: goCreated(c.created),
    RunningFor: `${humanDuration(now - c.created)} ago`,
    Status: statusText(e, c),
    Ports: portsText(c),
    Names: c.name,
    Networks: [...c.endpoints.values()].map((ep) => ep.network.name).join(','),
    State: c.state,
  }));
  const fmt = f.values.get('format')?.pop();
  if (fmt) {
    for (const r of rows) o.out.write(applyFormat(fmt, r) + '\n');
    return 0;
  }
  o.out.write(table([['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], ...rows.map((r) => [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names])]));
  return 0;
}

function goCreated(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC');
}

/** A tiny Go-template subset: {{json .}}, {{.Field}}, {{json .Field}}. */
export function applyFormat(fmt: string, obj: Record<string, unknown>): string {
  return fmt.replace(/\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}/g, (_m, json: string | undefined, path: string) => {
    // .A.B.C walks nested fields, as Go templates do
    let v: unknown = obj;
    for (const k of path.split('.').filter(Boolean)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    return json ? JSON.stringify(v) : String(v ?? '');
  });
}

async function inspect(e: Engine, rest: string[], o: Out): Promise<number> {
  const f = flags('inspect', rest, { format: { short: 'f', value: true }, type: { value: true } });
  if (f.args.length === 0) throw new UsageError(`"docker inspect" requires at least 1 argument.\nSee 'docker inspect --help'.\n\n${USAGE['inspect']}`);
  const objs: unknown[] = [];
  const errs: string[] = [];
  for (const ref of f.args) {
    const c = e.tryContainer(ref);
    if (c) {
      objs.push(containerInspect(e, c));
      continue;
    }
    const n = e.tryNetwork(ref);
    if (n) {
      objs.push(networkInspect(n));
      continue;
    }
    errs.push(`Error: No such object: ${ref}\n`);
  }
  // Like the CLI: the JSON is printed, then the errors.
  const fmt = f.values.get('format')?.pop();
  if (fmt) for (const x of objs) o.out.write(applyFormat(fmt, x as Record<string, unknown>) + '\n');
  else o.out.write(renderInspect(objs));
  for (const m of errs) o.err.write(m);
  return errs.length ? 1 : 0;
}

async function port(e: Engine, rest: string[], o: Out): Promise<number> {
  if (rest.length === 0) throw new UsageError(`"docker port" requires at least 1 argument.\nSee 'docker port --help'.\n\n${USAGE['port']}`);
  const c = e.findContainer(rest[0]!);
  const want = rest[1];
  const fmt = (ip: string, p: string): string => (ip.includes(':') ? `[${ip}]:${p}` : `${ip}:${p}`);
  const lines: [string, string][] = [];
  for (const b of c.activePorts) {
    const key = `${b.containerPort}/${b.proto}`;
    lines.push([key, fmt(b.hostIp, b.hostPort)]);
    if (b.hostIp === '0.0.0.0') lines.push([key, fmt('::', b.hostPort)]);
  }
  if (want !== undefined) {
    const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(want);
    if (!m) {
      const num = want.split('/')[0];
      o.err.write(`Error: invalid port (${num}): strconv.ParseUint: parsing "${num}": invalid syntax\n`);
      return 1;
    }
    const key = `${m[1]}/${m[2] ?? 'tcp'}`;
    const hits = lines.filter(([k]) => k === key);
    if (hits.length === 0) {
      o.err.write(`Error: No public port '${want}' published for ${rest[0]}\n`);
      return 1;
    }
    for (const [, v] of hits) o.out.write(`${v}\n`);
    return 0;
  }
  lines.sort((a, b) => naturalCompare(a[0], b[0]));
  for (const [k, v] of lines) o.out.write(`${k} -> ${v}\n`);
  return 0;
}

async function network(e: Engine, rest: string[], o: Out): Promise<number> {
  const sub = rest[0];
  const args = rest.slice(1);
  switch (sub) {
    case 'ls':
    case 'list': {
      const f = flags('network ls', args, { quiet: { short: 'q', value: false }, format: { value: true }, filter: { short: 'f', value: true }, 'no-trunc': { value: false } });
      const nets = e.networkList().sort((a, b) => naturalCompare(a.name, b.name));
      if (f.bools.has('quiet')) {
        for (const n of nets) o.out.write(`${n.id.slice(0, 12)}\n`);
        return 0;
      }
      const fmt = f.values.get('format')?.pop();
      if (fmt) {
        for (const n of nets) o.out.write(applyFormat(fmt, { ID: n.id.slice(0, 12), Name: n.name, Driver: n.driver, Scope: 'local', IPv6: false, Internal: n.internal, CreatedAt: goCreated(n.created), Labels: '' }) + '\n');
        return 0;
      }
      o.out.write(table([['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], ...nets.map((n) => [n.id.slice(0, 12), n.name, n.driver, 'local'])]));
      return 0;
    }
    case 'create': {
      const f = flags('network create', args, {
        driver: { short: 'd', value: true }, subnet: { value: true }, gateway: { value: true }, 'ip-range': { value: true },
        internal: { value: false }, attachable: { value: false }, label: { value: true }, opt: { short: 'o', value: true }, ipv6: { value: false },
      });
      if (f.args.length !== 1) throw new UsageError(`"docker network create" requires exactly 1 argument.\nSee 'docker network create --help'.\n\nUsage:  docker network create [OPTIONS] NETWORK\n\nCreate a network\n`);
      const kv = (list: string[]): Record<string, string> => Object.fromEntries(list.map((x) => { const i = x.indexOf('='); return i < 0 ? [x, ''] : [x.slice(0, i), x.slice(i + 1)]; }));
      const v = (k: string): string | undefined => f.values.get(k)?.pop();
      if ((f.values.get('subnet')?.length ?? 0) > 1) throw new DockerError('multiple subnets are not supported by vnet');
      const n = e.createNetwork(f.args[0]!, {
        driver: v('driver'), subnet: v('subnet'), gateway: v('gateway'), ipRange: v('ip-range'),
        internal: f.bools.has('internal'), attachable: f.bools.has('attachable'),
        labels: kv(f.values.get('label') ?? []), options: kv(f.values.get('opt') ?? []),
      });
      o.out.write(`${n.id}\n`);
      return 0;
    }
    case 'inspect': {
      const f = flags('network inspect', args, { format: { short: 'f', value: true }, verbose: { short: 'v', value: false } });
      if (f.args.length === 0) throw new UsageError(`"docker network inspect" requires at least 1 argument.\nSee 'docker network inspect --help'.\n\nUsage:  docker network inspect [OPTIONS] NETWORK [NETWORK...]\n\nDisplay detailed information on one or more networks\n`);
      const objs: unknown[] = [];
      const errs: string[] = [];
      for (const ref of f.args) {
        try {
          objs.push(networkInspect(e.findNetwork(ref)));
        } catch (err) {
          if (!(err instanceof DockerError)) throw err;
          errs.push(`Error response from daemon: ${err.message}\n`);
        }
      }
      const fmt = f.values.get('format')?.pop();
      if (fmt) for (const x of objs) o.out.write(applyFormat(fmt, x as Record<string, unknown>) + '\n');
      else o.out.write(renderInspect(objs));
      for (const m of errs) o.err.write(m);
      return errs.length ? 1 : 0;
    }
    case 'rm':
    case 'remove': {
      const f = flags('network rm', args, { force: { short: 'f', value: false } });
      if (f.args.length === 0) throw new UsageError(`"docker network rm" requires at least 1 argument.\nSee 'docker network rm --help'.\n\nUsage:  docker network rm NETWORK [NETWORK...]\n\nRemove one or more networks\n`);
      return eachRef(f.args, o, (ref) => e.removeNetwork(ref));
    }
    case 'connect': {
      const f = flags('network connect', args, { alias: { value: true }, ip: { value: true }, link: { value: true } });
      if (f.args.length !== 2) throw new UsageError(`"docker network connect" requires exactly 2 arguments.\nSee 'docker network connect --help'.\n\nUsage:  docker network connect [OPTIONS] NETWORK CONTAINER\n\nConnect a container to a network\n`);
      e.connect(f.args[0]!, f.args[1]!, { aliases: f.values.get('alias') ?? [], ip: f.values.get('ip')?.pop() });
      return 0;
    }
    case 'disconnect': {
      const f = flags('network disconnect', args, { force: { short: 'f', value: false } });
      if (f.args.length !== 2) throw new UsageError(`"docker network disconnect" requires exactly 2 arguments.\nSee 'docker network disconnect --help'.\n\nUsage:  docker network disconnect [OPTIONS] NETWORK CONTAINER\n\nDisconnect a container from a network\n`);
      e.disconnect(f.args[0]!, f.args[1]!);
      return 0;
    }
    case 'prune': {
      const f = flags('network prune', args, { force: { short: 'f', value: false }, filter: { value: true } });
      if (!f.bools.has('force')) {
        o.out.write('WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
        return 0;
      }
      const removed = e.networkList().filter((n) => !n.predefined && n.endpoints.size === 0 && ![...e.containers.values()].some((c) => c.networkRequests.some((r) => r.network === n.name || r.network === n.id)));
      for (const n of removed) e.removeNetwork(n.id);
      if (removed.length) o.out.write(`Deleted Networks:\n${removed.map((n) => n.name + '\n').join('')}`);
      return 0;
    }
    default:
      if (sub === undefined || sub === '--help') {
        o.out.write(USAGE['network']!);
        return 0;
      }
      o.err.write(`docker: 'network ${sub}' is not a docker command.\nSee 'docker --help'\n`);
      return 1;
  }
}
