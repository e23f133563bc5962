/**
 * Docker's isolation matrix (issue 3), proven with pings and with the iptables counters of the
 * rules that decided each case (the host's `engine.nf`, as `iptables -L -v` shows them).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import { parseIp } from '../../src/wire/addr.js';

/** Packet counter of the rule whose iptables-save text (after `-A CHAIN `) is `spec`. */
export function ruleCount(e: Engine, table: 'filter' | 'nat', chain: string, spec: string): number {
  const c = e.nf.table(table)!.get(chain);
  if (!c) throw new Error(`no chain ${table}/${chain}`);
  const r = c.rules.find((x) => x.spec === spec);
  if (!r) throw new Error(`no rule "-A ${chain} ${spec}" in ${table}: ${c.rules.map((x) => x.spec).join(' | ')}`);
  return r.pkts;
}

/** Counters of several rules at once, for before/after deltas. */
function snapshot(e: Engine, rules: Record<string, [string, string]>): () => Record<string, number> {
  const read = (): Record<string, number> => Object.fromEntries(Object.entries(rules).map(([k, [chain, spec]]) => [k, ruleCount(e, 'filter', chain, spec)]));
  const before = read();
  return () => {
    const now = read();
    return Object.fromEntries(Object.keys(rules).map((k) => [k, now[k]! - before[k]!]));
  };
}

const br = (e: Engine, net: string): string => e.network(net).n.bridgeName;

async function ping(e: Engine, from: string, to: string): Promise<{ ok: boolean; out: string }> {
  const r = await e.docker(`exec ${from} ping -c 1 -W 1 ${to}`);
  return { ok: r.exitCode === 0 && /1 packets received/.test(r.stdout), out: r.stdout + r.stderr };
}

describe('isolation matrix (one host: default bridge, n1, n2)', () => {
  let e: Engine;
  let b1: string;
  let b2: string;
  beforeAll(async () => {
    e = await Engine.create();
    for (const l of [
      'network create n1', // 172.18.0.0/16
      'network create n2', // 172.19.0.0/16
      'run -dit --name a1 --network n1 busybox', // 172.18.0.2
      'run -dit --name a2 --network n1 busybox', // 172.18.0.3
      'run -dit --name b1 --network n2 busybox', // 172.19.0.2
      'run -dit --name d1 busybox', // 172.17.0.2
      'run -dit --name d2 busybox', // 172.17.0.3
    ]) expect((await e.docker(l)).exitCode).toBe(0);
    b1 = br(e, 'n1');
    b2 = br(e, 'n2');
  });
  afterAll(async () => e.close());

  it('same user network: reachable; the ICC ACCEPT passes the request, conntrack the reply', async () => {
    const d = snapshot(e, {
      icc: ['FORWARD', `-i ${b1} -o ${b1} -j ACCEPT`],
      est: ['FORWARD', `-o ${b1} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`],
      user: ['DOCKER-USER', '-j RETURN'],
    });
    const r = await ping(e, 'a1', '172.18.0.3');
    expect(r.ok, r.out).toBe(true);
    expect(d()).toEqual({ icc: 1, est: 1, user: 2 });
  });

  it('same default bridge: reachable through the docker0 ICC rule', async () => {
    const d = snapshot(e, {
      icc: ['FORWARD', '-i docker0 -o docker0 -j ACCEPT'],
      est: ['FORWARD', '-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'],
    });
    expect((await ping(e, 'd1', '172.17.0.3')).ok).toBe(true);
    expect(d()).toEqual({ icc: 1, est: 1 });
  });

  it('different user networks: unreachable both ways, dropped in DOCKER-ISOLATION-STAGE-2', async () => {
    const d = snapshot(e, {
      stage1n1: ['DOCKER-ISOLATION-STAGE-1', `-i ${b1} ! -o ${b1} -j DOCKER-ISOLATION-STAGE-2`],
      stage1n2: ['DOCKER-ISOLATION-STAGE-1', `-i ${b2} ! -o ${b2} -j DOCKER-ISOLATION-STAGE-2`],
      dropToN1: ['DOCKER-ISOLATION-STAGE-2', `-o ${b1} -j DROP`],
      dropToN2: ['DOCKER-ISOLATION-STAGE-2', `-o ${b2} -j DROP`],
      out1: ['FORWARD', `-i ${b1} ! -o ${b1} -j ACCEPT`],
      out2: ['FORWARD', `-i ${b2} ! -o ${b2} -j ACCEPT`],
    });
    expect((await ping(e, 'a1', '172.19.0.2')).ok).toBe(false);
    expect((await ping(e, 'b1', '172.18.0.2')).ok).toBe(false);
    expect(d()).toEqual({ stage1n1: 1, stage1n2: 1, dropToN1: 1, dropToN2: 1, out1: 0, out2: 0 });
  });

  it('default bridge ↔ user network: unreachable both ways', async () => {
    const d = snapshot(e, {
      fromDocker0: ['DOCKER-ISOLATION-STAGE-1', '-i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2'],
      fromN1: ['DOCKER-ISOLATION-STAGE-1', `-i ${b1} ! -o ${b1} -j DOCKER-ISOLATION-STAGE-2`],
      dropToN1: ['DOCKER-ISOLATION-STAGE-2', `-o ${b1} -j DROP`],
      dropToDocker0: ['DOCKER-ISOLATION-STAGE-2', '-o docker0 -j DROP'],
    });
    expect((await ping(e, 'd1', '172.18.0.2')).ok).toBe(false);
    expect((await ping(e, 'a1', '172.17.0.2')).ok).toBe(false);
    expect(d()).toEqual({ fromDocker0: 1, fromN1: 1, dropToN1: 1, dropToDocker0: 1 });
  });

  it('every network still reaches the outside world (the "-i br ! -o br" ACCEPT)', async () => {
    const d = snapshot(e, {
      out1: ['FORWARD', `-i ${b1} ! -o ${b1} -j ACCEPT`],
      outD: ['FORWARD', '-i docker0 ! -o docker0 -j ACCEPT'],
      ret: ['DOCKER-ISOLATION-STAGE-2', '-j RETURN'],
    });
    expect((await ping(e, 'a1', '8.8.8.8')).ok).toBe(true);
    expect((await ping(e, 'd1', '8.8.8.8')).ok).toBe(true);
    expect(d()).toEqual({ out1: 1, outD: 1, ret: 2 });
  });
});

describe('isolation: special networks', () => {
  let e: Engine;
  afterEach(async () => e?.close());

  it('ICC off (enable_icc=false): same-bridge traffic hits the appended DROP; the way out stays open', async () => {
    e = await Engine.create();
    expect((await e.docker('network create -o com.docker.network.bridge.enable_icc=false quiet')).exitCode).toBe(0);
    await e.docker('run -dit --name q1 --network quiet busybox');
    await e.docker('run -dit --name q2 --network quiet busybox');
    const b = br(e, 'quiet');
    const rules = e.nf.filter.get('FORWARD')!.rules.map((r) => r.spec);
    expect(rules[rules.length - 1]).toBe(`-i ${b} -o ${b} -j DROP`);
    expect(rules).not.toContain(`-i ${b} -o ${b} -j ACCEPT`);
    const d = snapshot(e, { drop: ['FORWARD', `-i ${b} -o ${b} -j DROP`], out: ['FORWARD', `-i ${b} ! -o ${b} -j ACCEPT`] });
    expect((await ping(e, 'q1', '172.18.0.3')).ok).toBe(false);
    expect((await ping(e, 'q2', '172.18.0.2')).ok).toBe(false);
    expect((await ping(e, 'q1', '8.8.8.8')).ok).toBe(true);
    expect(d()).toEqual({ drop: 2, out: 1 });
    // the host (gateway) still reaches them: routed, not bridged
    expect((await e.host.exec('ping -c 1 -W 1 172.18.0.2')).exitCode).toBe(0);
    expect(JSON.parse((await e.docker('network inspect quiet')).stdout)[0].Options).toEqual({ 'com.docker.network.bridge.enable_icc': 'false' });
  });

  it('br_netfilter: switched IPv4 frames pass the host FORWARD chain (-i br -o br), ARP does not', async () => {
    e = await Engine.create();
    await e.docker('run -dit --name s1 busybox'); // 172.17.0.2
    await e.docker('run -dit --name s2 busybox'); // 172.17.0.3
    expect((await e.host.exec('iptables -I FORWARD -i docker0 -o docker0 -p icmp -j DROP')).exitCode).toBe(0);
    expect((await ping(e, 's1', '172.17.0.3')).ok).toBe(false);
    const rule = e.nf.filter.get('FORWARD')!.rules[0]!;
    expect([rule.spec, rule.pkts]).toEqual(['-i docker0 -o docker0 -p icmp -j DROP', 1]);
    // the ARP exchange before the echo was switched untouched: s1 knows s2's MAC
    const neigh = e.container('s1').c.ns!.neigh.entries().find((n) => n.ip === parseIp('172.17.0.3'));
    expect(neigh?.mac).toBe(0x0242ac110003);
    // a dropped first packet never confirms its connection (as in Linux)
    const ct = (): boolean => e.nf.conntrackList().some((l) => l.includes('src=172.17.0.2 dst=172.17.0.3'));
    expect(ct()).toBe(false);
    expect((await e.host.exec('iptables -D FORWARD 1')).exitCode).toBe(0);
    expect((await ping(e, 's1', '172.17.0.3')).ok).toBe(true);
    // now conntrack holds the bridged connection
    expect(ct()).toBe(true);
  });

  it('--internal: peers reach each other, but no default route and no way out', async () => {
    e = await Engine.create();
    // 'open' first, so the internal network's rules (inserted later) sit above its isolation jump
    await e.docker('network create open');
    await e.docker('network create --internal vault');
    await e.docker('run -dit --name v1 --network vault busybox'); // 172.19.0.2
    await e.docker('run -dit --name v2 --network vault busybox'); // 172.19.0.3
    await e.docker('run -dit --name o1 --network open busybox'); // 172.18.0.2
    const b = br(e, 'vault');
    const route = await e.docker('exec v1 ip route');
    expect(route.stdout).toBe('172.19.0.0/16 dev eth0 proto kernel scope link src 172.19.0.2 \n');
    expect(route.stdout).not.toContain('default');
    const insp = e.container('v1').inspect() as { NetworkSettings: { Networks: Record<string, { Gateway: string }> } };
    expect(insp.NetworkSettings.Networks['vault']!.Gateway).toBe('');
    const d = snapshot(e, {
      icc: ['FORWARD', `-i ${b} -o ${b} -j ACCEPT`],
      dropIn: ['DOCKER-ISOLATION-STAGE-1', `! -s 172.19.0.0/16 -o ${b} -j DROP`],
      dropOut: ['DOCKER-ISOLATION-STAGE-1', `! -d 172.19.0.0/16 -i ${b} -j DROP`],
    });
    expect((await ping(e, 'v1', '172.19.0.3')).ok).toBe(true);
    const out = await e.docker('exec v1 ping -c 1 -W 1 8.8.8.8');
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe('ping: sendto: Network unreachable\n');
    // from another network in: dropped on the way into the internal bridge
    expect((await ping(e, 'o1', '172.19.0.2')).ok).toBe(false);
    // even with a default route forced into the container, the host drops the way out
    const ns = e.container('v1').c.ns!;
    ns.addRoute({ dst: 0, prefixLen: 0, gw: parseIp('172.19.0.1'), dev: ns.dev('eth0')! });
    expect((await ping(e, 'v1', '8.8.8.8')).ok).toBe(false);
    // no MASQUERADE for an internal network
    expect(e.nf.nat.get('POSTROUTING')!.rules.map((r) => r.spec).join('\n')).not.toContain('172.19.0.0/16');
    expect(d()).toEqual({ icc: 2, dropIn: 1, dropOut: 1 });
  });

  it('none: only lo, reaches nothing, and nothing reaches the host\'s FORWARD chain', async () => {
    e = await Engine.create();
    await e.docker('run -dit --name d1 busybox');
    await e.docker('run -dit --name nn --network none busybox');
    const d = snapshot(e, { user: ['DOCKER-USER', '-j RETURN'] });
    for (const dst of ['172.17.0.2', '172.17.0.1', '8.8.8.8']) {
      const r = await e.docker(`exec nn ping -c 1 -W 1 ${dst}`);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe('ping: sendto: Network unreachable\n');
    }
    expect(e.nf.filter.get('INPUT')!.pkts).toBe(0);
    expect(d()).toEqual({ user: 0 });
    expect((await e.docker('exec nn ip route')).stdout).toBe('');
  });

  it('a container on two networks (network connect) has eth0 + eth1 and reaches both', async () => {
    e = await Engine.create();
    await e.docker('network create n1');
    await e.docker('network create n2');
    await e.docker('run -dit --name p1 --network n1 busybox'); // 172.18.0.2
    await e.docker('run -dit --name p2 --network n2 busybox'); // 172.19.0.2
    await e.docker('run -dit --name both --network n1 busybox'); // 172.18.0.3
    expect((await ping(e, 'both', '172.19.0.2')).ok).toBe(false);
    expect((await e.docker('network connect n2 both')).exitCode).toBe(0);
    const addr = (await e.docker('exec both ip addr')).stdout;
    expect(addr).toMatch(/eth0@if\d+: .*\n(.*\n)*\s+inet 172\.18\.0\.3\/16 /);
    expect(addr).toMatch(/eth1@if\d+: .*\n(.*\n)*\s+inet 172\.19\.0\.3\/16 /);
    const b2 = br(e, 'n2');
    const d = snapshot(e, {
      icc1: ['FORWARD', `-i ${br(e, 'n1')} -o ${br(e, 'n1')} -j ACCEPT`],
      icc2: ['FORWARD', `-i ${b2} -o ${b2} -j ACCEPT`],
      iso: ['DOCKER-ISOLATION-STAGE-2', `-o ${b2} -j DROP`],
    });
    expect((await ping(e, 'both', '172.18.0.2')).ok).toBe(true);
    expect((await ping(e, 'both', '172.19.0.2')).ok).toBe(true);
    expect((await ping(e, 'p2', '172.19.0.3')).ok).toBe(true);
    // p1 still cannot reach n2, even though "both" sits on it
    expect((await ping(e, 'p1', '172.19.0.2')).ok).toBe(false);
    expect(d()).toEqual({ icc1: 1, icc2: 2, iso: 1 });
    // the default route stays on n1: first by network name (reference §1.7)
    expect((await e.docker('exec both ip route')).stdout).toMatch(/^default via 172\.18\.0\.1 dev eth0 /);
    // disconnecting takes eth1 and the reachability away again
    expect((await e.docker('network disconnect n2 both')).exitCode).toBe(0);
    expect((await e.docker('exec both ip addr')).stdout).not.toContain('eth1');
    expect((await ping(e, 'both', '172.19.0.2')).ok).toBe(false);
  });

  it('default route with two networks: the name that sorts first wins, whatever the connect order', async () => {
    e = await Engine.create();
    await e.docker('network create zeta'); // 172.18
    await e.docker('network create alpha'); // 172.19
    await e.docker('run -dit --name g1 --network zeta busybox');
    expect((await e.docker('exec g1 ip route')).stdout).toMatch(/^default via 172\.18\.0\.1 dev eth0 /);
    await e.docker('network connect alpha g1');
    expect((await e.docker('exec g1 ip route')).stdout).toMatch(/^default via 172\.19\.0\.1 dev eth1 /);
    const insp = e.container('g1').inspect() as { NetworkSettings: { Networks: Record<string, { Gateway: string; IPAddress: string }> } };
    expect(insp.NetworkSettings.Networks['alpha']).toMatchObject({ Gateway: '172.19.0.1', IPAddress: '172.19.0.2' });
    // outbound traffic now leaves via alpha's bridge, masqueraded from alpha's subnet
    const masq = (): number => ruleCount(e, 'nat', 'POSTROUTING', `-s 172.19.0.0/16 ! -o ${br(e, 'alpha')} -j MASQUERADE`);
    const m0 = masq();
    expect((await ping(e, 'g1', '8.8.8.8')).ok).toBe(true);
    expect(masq() - m0).toBe(1);
    // an internal network never provides the default route, even if its name sorts first
    await e.docker('network create --internal aaa-internal');
    await e.docker('network connect aaa-internal g1');
    expect((await e.docker('exec g1 ip route')).stdout).toMatch(/^default via 172\.19\.0\.1 dev eth1 /);
  });
});
