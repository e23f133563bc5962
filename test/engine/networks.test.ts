/**
 * User-defined networks through the docker CLI: default pools, create options, inspect JSON,
 * `network ls`, prune, --ip, connect --ip/--alias, and bad input answered with Docker's wording
 * while nothing changes (reference §1, §4.1, §4.2, §4.6).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';

let e: Engine;
afterEach(async () => e?.close());

async function ok(x: Engine, line: string): Promise<string> {
  const r = await x.docker(line);
  expect(r.stderr, line).toBe('');
  expect(r.exitCode, line).toBe(0);
  return r.stdout;
}

const subnetOf = async (x: Engine, net: string): Promise<string> => (await ok(x, `network inspect -f "{{json .IPAM.Config}}" ${net}`)).trim();

/** Everything a failed command must leave alone: networks, their JSON, containers, iptables. */
async function state(x: Engine): Promise<string> {
  const ls = await ok(x, 'network ls');
  const ids = (await ok(x, 'network ls -q')).trim().split('\n');
  const insp = await ok(x, `network inspect ${ids.join(' ')}`);
  const ps = await ok(x, 'ps -a');
  const ipt = (await x.host.exec('iptables-save')).stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n');
  const links = (await x.host.exec('ip -o link show')).stdout;
  return [ls, insp, ps, ipt, links].join('\n----\n');
}

describe('default address pools (v27: lowest free, reuse after rm)', () => {
  it('172.18, 172.19, 172.20 in order; a removed pool is reused first', async () => {
    e = await Engine.create();
    for (const n of ['a1', 'a2', 'a3']) await ok(e, `network create ${n}`);
    expect(await subnetOf(e, 'a1')).toBe('[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]');
    expect(await subnetOf(e, 'a2')).toBe('[{"Subnet":"172.19.0.0/16","Gateway":"172.19.0.1"}]');
    expect(await subnetOf(e, 'a3')).toBe('[{"Subnet":"172.20.0.0/16","Gateway":"172.20.0.1"}]');
    expect(await ok(e, 'network rm a2')).toBe('a2\n');
    await ok(e, 'network create a4');
    expect(await subnetOf(e, 'a4')).toBe('[{"Subnet":"172.19.0.0/16","Gateway":"172.19.0.1"}]');
    await ok(e, 'network create a5');
    expect(await subnetOf(e, 'a5')).toBe('[{"Subnet":"172.21.0.0/16","Gateway":"172.21.0.1"}]');
  });

  it('skips pools taken by --subnet networks and the host LAN (192.168.0.0/24)', async () => {
    e = await Engine.create();
    await ok(e, 'network create --subnet 172.18.0.0/16 mine');
    await ok(e, 'network create auto');
    expect(await subnetOf(e, 'auto')).toBe('[{"Subnet":"172.19.0.0/16","Gateway":"172.19.0.1"}]');
    for (let i = 20; i <= 31; i++) await ok(e, `network create p${i}`);
    expect(await subnetOf(e, 'p31')).toBe('[{"Subnet":"172.31.0.0/16","Gateway":"172.31.0.1"}]');
    // 192.168.0.0/20 overlaps the host's on-link 192.168.0.0/24: the next /20 is taken
    await ok(e, 'network create past');
    expect(await subnetOf(e, 'past')).toBe('[{"Subnet":"192.168.16.0/20","Gateway":"192.168.16.1"}]');
  });
});

describe('network create options and inspect', () => {
  it('--subnet --gateway --ip-range --attachable --label -o bridge.name: inspect per reference §4.2', async () => {
    e = await Engine.create();
    const id = (await ok(e, 'network create --subnet 10.10.0.0/16 --gateway 10.10.0.254 --ip-range 10.10.5.0/24 --attachable --label team=net --label a=b -o com.docker.network.bridge.name=mybr custom')).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const out = await ok(e, 'network inspect custom');
    const created = JSON.parse(out)[0].Created as string;
    expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    expect(out).toBe(`[
    {
        "Name": "custom",
        "Id": "${id}",
        "Created": "${created}",
        "Scope": "local",
        "Driver": "bridge",
        "EnableIPv6": false,
        "IPAM": {
            "Driver": "default",
            "Options": {},
            "Config": [
                {
                    "Subnet": "10.10.0.0/16",
                    "IPRange": "10.10.5.0/24",
                    "Gateway": "10.10.0.254"
                }
            ]
        },
        "Internal": false,
        "Attachable": true,
        "Ingress": false,
        "ConfigFrom": {
            "Network": ""
        },
        "ConfigOnly": false,
        "Containers": {},
        "Options": {
            "com.docker.network.bridge.name": "mybr"
        },
        "Labels": {
            "a": "b",
            "team": "net"
        }
    }
]
`);
    // the bridge is named as asked and carries the gateway
    const link = (await e.host.exec('ip addr show mybr')).stdout;
    expect(link).toContain('inet 10.10.0.254/16 brd 10.10.255.255 scope global mybr');
    expect((await e.host.exec('iptables-save -t nat')).stdout).toContain('-A POSTROUTING -s 10.10.0.0/16 ! -o mybr -j MASQUERADE');
    // containers draw from the ip-range (libnetwork's bitmap: the range's first address is free to take)
    const cid = (await ok(e, 'run -dit --name r1 --network custom busybox')).trim();
    expect((await ok(e, 'exec r1 ip route')).split('\n')[0]).toBe('default via 10.10.0.254 dev eth0 ');
    const ins = JSON.parse(await ok(e, 'network inspect custom'))[0];
    expect(ins.Containers[cid]).toMatchObject({ Name: 'r1', IPv4Address: '10.10.5.0/16', MacAddress: '02:42:0a:0a:05:00' });
  });

  it('--subnet without --gateway: Gateway omitted in inspect, but .1 is the gateway', async () => {
    e = await Engine.create();
    await ok(e, 'network create --subnet 10.20.0.0/16 nogw');
    const ins = JSON.parse(await ok(e, 'network inspect nogw'))[0];
    expect(ins.IPAM).toEqual({ Driver: 'default', Options: {}, Config: [{ Subnet: '10.20.0.0/16' }] });
    expect(ins.Options).toEqual({});
    expect(ins.Labels).toEqual({});
    await ok(e, 'run -dit --name g1 --network nogw busybox');
    expect((await ok(e, 'exec g1 ip route')).split('\n')[0]).toBe('default via 10.20.0.1 dev eth0 ');
    expect((await e.docker('exec g1 ping -c 1 -W 1 10.20.0.1')).stdout).toContain('1 packets received');
  });

  it('default bridge: IPAM.Options null and the daemon options; a CLI network: br-<12hex>, {} options', async () => {
    e = await Engine.create();
    const b = JSON.parse(await ok(e, 'network inspect bridge'))[0];
    expect(b.IPAM).toEqual({ Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] });
    expect(b.Options['com.docker.network.bridge.name']).toBe('docker0');
    const id = (await ok(e, 'network create plain')).trim();
    const p = JSON.parse(await ok(e, 'network inspect plain'))[0];
    expect(p).toMatchObject({ Name: 'plain', Id: id, Driver: 'bridge', Internal: false, Attachable: false, Options: {}, Labels: {} });
    expect(p.IPAM).toEqual({ Driver: 'default', Options: {}, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] });
    expect((await e.host.exec(`ip addr show br-${id.slice(0, 12)}`)).stdout).toContain(`inet 172.18.0.1/16 brd 172.18.255.255 scope global br-${id.slice(0, 12)}`);
  });

  it('--internal shows Internal: true and gets no masquerading', async () => {
    e = await Engine.create();
    await ok(e, 'network create --internal sealed');
    expect(JSON.parse(await ok(e, 'network inspect sealed'))[0].Internal).toBe(true);
    expect((await e.host.exec('iptables-save -t nat')).stdout).not.toContain('172.18.0.0/16');
  });
});

describe('network ls and prune', () => {
  it('columns and natural sort by name', async () => {
    e = await Engine.create();
    for (const n of ['n10', 'n2', 'alpine-net', 'n1']) await ok(e, `network create ${n}`);
    const out = await ok(e, 'network ls');
    const lines = out.split('\n');
    expect(lines[0]).toBe('NETWORK ID     NAME         DRIVER    SCOPE');
    expect(lines.slice(1, -1).map((l) => l.split(/\s+/).slice(1).join(' '))).toEqual([
      'alpine-net bridge local', 'bridge bridge local', 'host host local', 'n1 bridge local', 'n2 bridge local', 'n10 bridge local', 'none null local',
    ]);
    for (const l of lines.slice(1, -1)) expect(l).toMatch(/^[0-9a-f]{12}   \S+\s+(bridge|host|null)\s+local$/);
    // tabwriter: every column but the last is max(longest + 3, 10) wide
    expect(lines[1]).toMatch(/^[0-9a-f]{12}   alpine-net   bridge    local$/);
    expect(out.endsWith('\n')).toBe(true);
    const q = (await ok(e, 'network ls -q')).trim().split('\n');
    expect(q).toHaveLength(7);
    for (const id of q) expect(id).toMatch(/^[0-9a-f]{12}$/);
  });

  it('prune removes unused custom networks only, and frees their pools', async () => {
    e = await Engine.create();
    await ok(e, 'network create used');
    await ok(e, 'network create idle1');
    await ok(e, 'network create idle2');
    await ok(e, 'run -dit --name u1 --network used busybox');
    const warn = await ok(e, 'network prune');
    expect(warn).toBe('WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
    const out = await ok(e, 'network prune -f');
    const lines = out.split('\n');
    expect(lines[0]).toBe('Deleted Networks:');
    expect(lines.slice(1, -1).sort()).toEqual(['idle1', 'idle2']);
    const names = (await ok(e, 'network ls --format "{{.Name}}"')).trim().split('\n');
    expect(names).toEqual(['bridge', 'host', 'none', 'used']);
    expect(await ok(e, 'network prune -f')).toBe('');
    await ok(e, 'network create again');
    expect(await subnetOf(e, 'again')).toBe('[{"Subnet":"172.19.0.0/16","Gateway":"172.19.0.1"}]');
  });
});

describe('--ip and connect --ip/--alias', () => {
  it('run --network NAME --ip X on a user subnet: the container gets X', async () => {
    e = await Engine.create();
    await ok(e, 'network create --subnet 10.30.0.0/24 fixed');
    await ok(e, 'run -dit --name f1 --network fixed --ip 10.30.0.50 busybox');
    await ok(e, 'run -dit --name f2 --network fixed busybox');
    expect(await ok(e, 'exec f1 ip -4 -o addr show eth0')).toContain('inet 10.30.0.50/24');
    expect(await ok(e, 'exec f2 ip -4 -o addr show eth0')).toContain('inet 10.30.0.2/24');
    const settings = JSON.parse(await ok(e, 'inspect -f "{{json .NetworkSettings.Networks}}" f1'));
    expect(settings.fixed).toMatchObject({ IPAMConfig: { IPv4Address: '10.30.0.50' }, IPAddress: '10.30.0.50', Gateway: '10.30.0.1', MacAddress: '02:42:0a:1e:00:32' });
    expect((await e.docker('exec f2 ping -c 1 -W 1 10.30.0.50')).stdout).toContain('1 packets received');
  });

  it('--ip without a user subnet, or on the default bridge: Docker\'s error, no container left', async () => {
    e = await Engine.create();
    await ok(e, 'network create auto');
    const before = await state(e);
    const a = await e.docker('run -dit --name x1 --network auto --ip 172.18.0.50 busybox');
    expect(a.exitCode).toBe(125);
    expect(a.stderr).toBe("docker: Error response from daemon: user specified IP address is supported only when connecting to networks with user configured subnets.\nSee 'docker run --help'.\n");
    const b = await e.docker('run -dit --name x2 --ip 172.17.0.50 busybox');
    expect(b.exitCode).toBe(125);
    expect(b.stderr).toBe("docker: Error response from daemon: user specified IP address is supported on user defined networks only.\nSee 'docker run --help'.\n");
    expect(await state(e)).toBe(before);
  });

  it('connect --ip --alias: eth1 with that address, reachable by the alias from the network', async () => {
    e = await Engine.create();
    await ok(e, 'network create --subnet 10.40.0.0/24 svc');
    await ok(e, 'run -dit --name web --network svc busybox'); // 10.40.0.2
    await ok(e, 'run -dit --name app busybox'); // 172.17.0.2
    expect(await ok(e, 'network connect --ip 10.40.0.77 --alias api --alias www svc app')).toBe('');
    expect(await ok(e, 'exec app ip -4 -o addr show eth1')).toContain('inet 10.40.0.77/24');
    const n = JSON.parse(await ok(e, 'inspect -f "{{json .NetworkSettings.Networks.svc}}" app'));
    expect(n).toMatchObject({ IPAMConfig: { IPv4Address: '10.40.0.77' }, Aliases: ['api', 'www'], IPAddress: '10.40.0.77' });
    expect(n.DNSNames).toEqual(expect.arrayContaining(['app', 'api', 'www']));
    const r = await e.docker('exec web ping -c 1 -W 1 api');
    expect(r.stdout).toContain('PING api (10.40.0.77)');
    expect(r.stdout).toContain('1 packets received');
    // default bridge: no network-scoped aliases
    const bad = await e.docker('network connect --alias x bridge web');
    expect(bad).toEqual({ exitCode: 1, stdout: '', stderr: 'Error response from daemon: network-scoped alias is supported only for containers in user defined networks\n' });
  });
});

describe('connect a stopped container', () => {
  it('the endpoint is created at start: eth0 + eth1, both networks reachable; rm of a network after disconnect', async () => {
    e = await Engine.create();
    await ok(e, 'network create n1');
    await ok(e, 'network create n2');
    await ok(e, 'run -dit --name p2 --network n2 busybox'); // 172.19.0.2
    const id = (await ok(e, 'create -it --name s1 --network n1 busybox')).trim();
    expect(await ok(e, 'network connect n2 s1')).toBe('');
    // not running: no endpoint yet
    expect(JSON.parse(await ok(e, 'network inspect n2'))[0].Containers[id]).toBeUndefined();
    await ok(e, 'start s1');
    expect(await ok(e, 'exec s1 ip route')).toBe('default via 172.18.0.1 dev eth0 \n172.18.0.0/16 dev eth0 proto kernel scope link src 172.18.0.2 \n172.19.0.0/16 dev eth1 proto kernel scope link src 172.19.0.3 \n');
    expect((await e.docker('exec s1 ping -c 1 -W 1 172.19.0.2')).stdout).toContain('1 packets received');
    expect(JSON.parse(await ok(e, 'network inspect n2'))[0].Containers[id]).toMatchObject({ Name: 's1', IPv4Address: '172.19.0.3/16' });
    await ok(e, 'stop -t 0 s1');
    // a stopped container holds no endpoint, so its network can go
    expect(JSON.parse(await ok(e, 'network inspect n1'))[0].Containers).toEqual({});
    await ok(e, 'network disconnect n1 s1');
    expect(await ok(e, 'network rm n1')).toBe('n1\n');
    await ok(e, 'start s1');
    expect(await ok(e, 'exec s1 ip route')).toBe('default via 172.19.0.1 dev eth0 \n172.19.0.0/16 dev eth0 proto kernel scope link src 172.19.0.3 \n');
  });
});

describe('bad input: Docker wording, state unchanged', () => {
  async function setup(): Promise<{ cid: string }> {
    e = await Engine.create();
    await ok(e, 'network create n1');
    await ok(e, 'network create --subnet 10.50.0.0/16 other');
    const cid = (await ok(e, 'run -dit --name c1 --network n1 busybox')).trim();
    await ok(e, 'run -dit --name hc --network host busybox');
    await ok(e, 'create --name st --network n1 busybox');
    return { cid };
  }

  it('each mistake answers with the daemon text and changes nothing', async () => {
    const { cid } = await setup();
    const n1 = JSON.parse(await ok(e, 'network inspect n1'))[0].Id as string;
    const stId = (await ok(e, 'inspect -f "{{.Id}}" st')).trim();
    const cases: [string, string][] = [
      ['network rm nosuch', 'Error response from daemon: network nosuch not found\n'],
      ['network connect nosuch c1', 'Error response from daemon: network nosuch not found\n'],
      ['network disconnect nosuch c1', 'Error response from daemon: network nosuch not found\n'],
      ['network create n1', 'Error response from daemon: network with name n1 already exists\n'],
      ['network create --subnet 172.18.128.0/24 ov', 'Error response from daemon: invalid pool request: Pool overlaps with other one on this address space\n'],
      ['network create --subnet 10.0.0.0/8 wide', 'Error response from daemon: invalid pool request: Pool overlaps with other one on this address space\n'],
      ['network create --subnet 172.17.0.0/16 dup0', 'Error response from daemon: invalid pool request: Pool overlaps with other one on this address space\n'],
      ['network rm n1', `Error response from daemon: error while removing network: network n1 id ${n1} has active endpoints\n`],
      ['network rm bridge', 'Error response from daemon: bridge is a pre-defined network and cannot be removed\n'],
      ['network rm host', 'Error response from daemon: host is a pre-defined network and cannot be removed\n'],
      ['network rm none', 'Error response from daemon: none is a pre-defined network and cannot be removed\n'],
      ['network create bridge', 'Error response from daemon: operation is not permitted on predefined bridge network\n'],
      ['network create none', 'Error response from daemon: operation is not permitted on predefined none network\n'],
      ['network connect n1 c1', 'Error response from daemon: endpoint with name c1 already exists in network n1\n'],
      ['network disconnect other c1', `Error response from daemon: container ${cid} is not connected to network other\n`],
      ['network disconnect other st', `Error response from daemon: container ${stId} is not connected to the network other\n`],
      ['network connect other hc', 'Error response from daemon: container sharing network namespace with another container or host cannot be connected to any other network\n'],
      ['network disconnect host hc', 'Error response from daemon: container cannot be disconnected from host network or connected to host network\n'],
      ['network connect host c1', 'Error response from daemon: container cannot be disconnected from host network or connected to host network\n'],
    ];
    for (const [line, stderr] of cases) {
      const before = await state(e);
      const r = await e.docker(line);
      expect({ line, ...r }).toEqual({ line, exitCode: 1, stdout: '', stderr });
      expect(await state(e), line).toBe(before);
    }
  });

  it('inspect of an unknown network prints [] and the error; rm goes on past a bad name', async () => {
    await setup();
    expect(await e.docker('network inspect nosuch')).toEqual({ exitCode: 1, stdout: '[]\n', stderr: 'Error response from daemon: network nosuch not found\n' });
    await ok(e, 'network create spare');
    const r = await e.docker('network rm nosuch spare');
    expect(r).toEqual({ exitCode: 1, stdout: 'spare\n', stderr: 'Error response from daemon: network nosuch not found\n' });
    expect((await e.docker('network inspect spare')).exitCode).toBe(1);
  });

  it('run --network with an unknown network fails at start (v27 wording)', async () => {
    await setup();
    const r = await e.docker('run -dit --name lost --network nosuch busybox');
    expect(r).toEqual({ exitCode: 125, stdout: '', stderr: 'docker: Error response from daemon: network nosuch not found.\n' });
  });

  it('a removed network\'s bridge, rules and pool are gone; the name can be reused', async () => {
    await setup();
    const before = await state(e);
    const id = (await ok(e, 'network create temp')).trim();
    await ok(e, 'network rm temp');
    expect(await state(e)).toBe(before);
    expect((await e.host.exec(`ip link show br-${id.slice(0, 12)}`)).exitCode).not.toBe(0);
    await ok(e, 'network create temp');
    expect(await subnetOf(e, 'temp')).toBe('[{"Subnet":"172.19.0.0/16","Gateway":"172.19.0.1"}]');
  });
});
