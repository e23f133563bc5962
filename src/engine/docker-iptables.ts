/**
 * Docker 27's iptables programming (iptables backend, pre-28 layout), issued as iptables
 * command lines through the emulated CLI so rule order emerges from -I/-A exactly as with
 * dockerd (moby v27 libnetwork/drivers/bridge/setup_ip_tables_linux.go, port_mapping_linux.go,
 * libnetwork/firewall_linux.go; see reference/docker.md §2).
 */
import type { Netfilter } from '../netfilter/netfilter.js';
import { iptablesCommand } from '../netfilter/iptables-cli.js';

export interface BridgeNetworkRules {
  /** Bridge device: 'docker0' or 'br-<12 hex>'. */
  bridge: string;
  /** 'a.b.c.d/len' (the network address). */
  subnet: string;
  /** Inter-container communication (com.docker.network.bridge.enable_icc / --icc). */
  icc: boolean;
  /** --internal network. */
  internal: boolean;
  /** com.docker.network.bridge.enable_ip_masquerade (default true). */
  masquerade: boolean;
  /** Daemon --userland-proxy (default true). */
  userlandProxy?: boolean;
}

export interface PortRules {
  bridge: string;
  proto: 'tcp' | 'udp';
  /** '0.0.0.0' for all addresses, else a host address. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  /** Daemon --userland-proxy (default true). */
  userlandProxy?: boolean;
}

export interface DaemonRules {
  /** Docker had to turn on net.ipv4.ip_forward itself, so it sets FORWARD's policy to DROP (default true). */
  enabledIpForward?: boolean;
}

/** Thrown when an iptables command Docker issues fails (Docker reports it as a daemon error). */
export class IptablesError extends Error {
  constructor(readonly args: string, readonly stderr: string) {
    super(`iptables failed: iptables ${args}: ${stderr.trim()}`);
  }
}

const split = (args: string): string[] => args.split(' ').filter((w) => w !== '');

function run(nf: Netfilter, args: string): void {
  const r = iptablesCommand(nf, split(args));
  if (r.exitCode !== 0) throw new IptablesError(args, r.stderr);
}

function exists(nf: Netfilter, table: string, chain: string, rule: string): boolean {
  return iptablesCommand(nf, split(`-t ${table} -C ${chain} ${rule}`)).exitCode === 0;
}

function chainExists(nf: Netfilter, table: string, chain: string): boolean {
  return nf.table(table)?.get(chain) !== undefined;
}

/** iptRule.Insert: -I unless the rule already exists anywhere in the chain. */
function insert(nf: Netfilter, table: string, chain: string, rule: string): void {
  if (!exists(nf, table, chain, rule)) run(nf, `-t ${table} -I ${chain} ${rule}`);
}

/** iptRule.Append: -A unless the rule already exists. */
function append(nf: Netfilter, table: string, chain: string, rule: string): void {
  if (!exists(nf, table, chain, rule)) run(nf, `-t ${table} -A ${chain} ${rule}`);
}

/** iptRule.Delete: -D if present. */
function remove(nf: Netfilter, table: string, chain: string, rule: string): void {
  if (exists(nf, table, chain, rule)) run(nf, `-t ${table} -D ${chain} ${rule}`);
}

/** EnsureJumpRule: delete then re-insert at the top, so the jump ends up first. */
function ensureJump(nf: Netfilter, chain: string, target: string): void {
  const rule = `-j ${target}`;
  if (exists(nf, 'filter', chain, rule)) run(nf, `-t filter -D ${chain} ${rule}`);
  run(nf, `-t filter -I ${chain} ${rule}`);
}

function newChain(nf: Netfilter, table: string, chain: string): void {
  if (!chainExists(nf, table, chain)) run(nf, `-t ${table} -N ${chain}`);
}

/** (Re-)arrange FORWARD so DOCKER-USER is first and DOCKER-ISOLATION-STAGE-1 second. */
function arrangeForwardJumps(nf: Netfilter): void {
  ensureJump(nf, 'FORWARD', 'DOCKER-ISOLATION-STAGE-1');
  ensureJump(nf, 'FORWARD', 'DOCKER-USER');
}

/** Daemon start: Docker's chains, their RETURN tails, FORWARD jumps and policy. */
export function setupDaemonChains(nf: Netfilter, opts: DaemonRules = {}): void {
  newChain(nf, 'nat', 'DOCKER');
  newChain(nf, 'filter', 'DOCKER');
  newChain(nf, 'filter', 'DOCKER-ISOLATION-STAGE-1');
  newChain(nf, 'filter', 'DOCKER-ISOLATION-STAGE-2');
  append(nf, 'filter', 'DOCKER-ISOLATION-STAGE-1', '-j RETURN');
  append(nf, 'filter', 'DOCKER-ISOLATION-STAGE-2', '-j RETURN');
  newChain(nf, 'filter', 'DOCKER-USER');
  append(nf, 'filter', 'DOCKER-USER', '-j RETURN');
  arrangeForwardJumps(nf);
  if (opts.enabledIpForward ?? true) run(nf, '-t filter -P FORWARD DROP');
}

function iccRule(br: string, accept: boolean): string {
  return `-i ${br} -o ${br} -j ${accept ? 'ACCEPT' : 'DROP'}`;
}

/** Program a bridge network's rules (reference §2.1, steps 1–7). */
export function setupBridgeNetwork(nf: Netfilter, n: BridgeNetworkRules): void {
  const br = n.bridge;
  const proxy = n.userlandProxy ?? true;
  if (!n.internal) {
    if (n.masquerade) {
      insert(nf, 'nat', 'POSTROUTING', `-s ${n.subnet} ! -o ${br} -j MASQUERADE`);
      if (proxy) insert(nf, 'nat', 'DOCKER', `-i ${br} -j RETURN`);
    }
    if (!proxy) insert(nf, 'nat', 'POSTROUTING', `-m addrtype --src-type LOCAL -o ${br} -j MASQUERADE`);
    if (n.icc) insert(nf, 'filter', 'FORWARD', iccRule(br, true));
    else append(nf, 'filter', 'FORWARD', iccRule(br, false));
    insert(nf, 'filter', 'FORWARD', `-i ${br} ! -o ${br} -j ACCEPT`);
    append(nf, 'nat', 'PREROUTING', '-m addrtype --dst-type LOCAL -j DOCKER');
    append(nf, 'nat', 'OUTPUT', `-m addrtype --dst-type LOCAL -j DOCKER${proxy ? ' ! --dst 127.0.0.0/8' : ''}`);
    insert(nf, 'filter', 'FORWARD', `-o ${br} -j DOCKER`);
    insert(nf, 'filter', 'FORWARD', `-o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  } else {
    insert(nf, 'filter', 'DOCKER-ISOLATION-STAGE-1', `-i ${br} ! -d ${n.subnet} -j DROP`);
    insert(nf, 'filter', 'DOCKER-ISOLATION-STAGE-1', `-o ${br} ! -s ${n.subnet} -j DROP`);
    if (n.icc) insert(nf, 'filter', 'FORWARD', iccRule(br, true));
    else append(nf, 'filter', 'FORWARD', iccRule(br, false));
  }
  insert(nf, 'filter', 'DOCKER-ISOLATION-STAGE-1', `-i ${br} ! -o ${br} -j DOCKER-ISOLATION-STAGE-2`);
  insert(nf, 'filter', 'DOCKER-ISOLATION-STAGE-2', `-o ${br} -j DROP`);
  arrangeForwardJumps(nf);
}

/** Remove everything setupBridgeNetwork added for this bridge (shared jumps stay, as in Docker). */
export function teardownBridgeNetwork(nf: Netfilter, n: BridgeNetworkRules): void {
  const br = n.bridge;
  remove(nf, 'filter', 'DOCKER-ISOLATION-STAGE-2', `-o ${br} -j DROP`);
  remove(nf, 'filter', 'DOCKER-ISOLATION-STAGE-1', `-i ${br} ! -o ${br} -j DOCKER-ISOLATION-STAGE-2`);
  remove(nf, 'filter', 'DOCKER-ISOLATION-STAGE-1', `-i ${br} ! -d ${n.subnet} -j DROP`);
  remove(nf, 'filter', 'DOCKER-ISOLATION-STAGE-1', `-o ${br} ! -s ${n.subnet} -j DROP`);
  remove(nf, 'filter', 'FORWARD', `-o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  remove(nf, 'filter', 'FORWARD', `-o ${br} -j DOCKER`);
  remove(nf, 'filter', 'FORWARD', `-i ${br} ! -o ${br} -j ACCEPT`);
  remove(nf, 'filter', 'FORWARD', iccRule(br, true));
  remove(nf, 'filter', 'FORWARD', iccRule(br, false));
  remove(nf, 'nat', 'DOCKER', `-i ${br} -j RETURN`);
  remove(nf, 'nat', 'POSTROUTING', `-s ${n.subnet} ! -o ${br} -j MASQUERADE`);
  remove(nf, 'nat', 'POSTROUTING', `-m addrtype --src-type LOCAL -o ${br} -j MASQUERADE`);
}

function portRuleArgs(p: PortRules): { dnat: string; masq: string; accept: string } {
  const proxy = p.userlandProxy ?? true;
  const hostIp = p.hostIp === '0.0.0.0' || p.hostIp === '' ? '0/0' : p.hostIp;
  return {
    dnat: `-p ${p.proto} -d ${hostIp} --dport ${p.hostPort} -j DNAT --to-destination ${p.containerIp}:${p.containerPort}${proxy ? ` ! -i ${p.bridge}` : ''}`,
    masq: `-p ${p.proto} -s ${p.containerIp} -d ${p.containerIp} --dport ${p.containerPort} -j MASQUERADE`,
    accept: `! -i ${p.bridge} -o ${p.bridge} -p ${p.proto} -d ${p.containerIp} --dport ${p.containerPort} -j ACCEPT`,
  };
}

/** A published port: DNAT in nat DOCKER, hairpin MASQUERADE, and the filter DOCKER ACCEPT (all appended). */
export function publishPort(nf: Netfilter, p: PortRules): void {
  const a = portRuleArgs(p);
  append(nf, 'nat', 'DOCKER', a.dnat);
  append(nf, 'nat', 'POSTROUTING', a.masq);
  append(nf, 'filter', 'DOCKER', a.accept);
}

export function unpublishPort(nf: Netfilter, p: PortRules): void {
  const a = portRuleArgs(p);
  remove(nf, 'nat', 'DOCKER', a.dnat);
  remove(nf, 'nat', 'POSTROUTING', a.masq);
  remove(nf, 'filter', 'DOCKER', a.accept);
}
