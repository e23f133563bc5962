import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';

let engine: Engine;
afterEach(async () => engine?.close());

describe('default networks', () => {
  it('host pings a container and a container pings the host on docker0 and on its LAN IP', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name c1 alpine');
    const r = await engine.host.exec('ping -c 1 172.17.0.2');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/1 packets transmitted, 1 received, 0% packet loss/);
    expect((await engine.docker('exec c1 ping -c 1 172.17.0.1')).stdout).toMatch(/1 packets received/);
    expect((await engine.docker('exec c1 ping -c 1 192.168.0.10')).stdout).toMatch(/1 packets received/);
  });

  it('ping to an unused address in the subnet: no reply, 100% loss', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name c1 busybox');
    const t0 = engine.clock.now();
    const r = await engine.docker('exec c1 ping -c 2 172.17.0.77');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('PING 172.17.0.77 (172.17.0.77): 56 data bytes\n\n--- 172.17.0.77 ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n');
    // busybox waits -W (10 s) after the last probe
    expect(engine.clock.now() - t0).toBeGreaterThanOrEqual(11_000);
    await engine.docker('run -dit --name u1 ubuntu');
    const g = await engine.docker('exec u1 ping -c 1 172.17.0.77');
    expect(g.stdout).toContain('From 172.17.0.3 icmp_seq=1 Destination Host Unreachable');
    expect(g.stdout).toContain('1 packets transmitted, 0 received, +1 errors, 100% packet loss');
  });

  it('a container on none has only lo and reaches nothing', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name lonely --network none busybox');
    const ip = await engine.docker('exec lonely ip addr');
    expect(ip.stdout).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP>/);
    expect(ip.stdout).not.toContain('eth0');
    const r = await engine.docker('exec lonely ping -c 1 172.17.0.1');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('ping: sendto: Network unreachable\n');
    expect(JSON.parse((await engine.docker('network inspect none')).stdout)[0].Containers).toEqual({});
    expect((await engine.docker('exec lonely ping -c 1 127.0.0.1')).exitCode).toBe(0);
  });

  it('a container on host sees the host interfaces', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name hosty --network host ubuntu');
    const ip = (await engine.docker('exec hosty ip addr')).stdout;
    expect(ip).toContain('2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000');
    expect(ip).toContain('inet 192.168.0.10/24 brd 192.168.0.255 scope global eth0');
    expect(ip).toContain('3: docker0:');
    expect((await engine.docker('exec hosty hostname')).stdout).toBe('vnet-host\n');
  });

  it('ip addr inside a container: eth0@ifN with the peer index, MAC from the IP', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name u1 ubuntu');
    await engine.docker('run -dit --name b1 busybox');
    const u = (await engine.docker('exec u1 ip addr')).stdout;
    expect(u).toBe(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n' +
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n' +
        '    inet 127.0.0.1/8 scope host lo\n' +
        '       valid_lft forever preferred_lft forever\n' +
        '    inet6 ::1/128 scope host \n' +
        '       valid_lft forever preferred_lft forever\n' +
        '4: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \n' +
        '    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n' +
        '    inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0\n' +
        '       valid_lft forever preferred_lft forever\n',
    );
    const b = (await engine.docker('exec b1 ip addr')).stdout;
    expect(b).toContain('6: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue state UP \n    link/ether 02:42:ac:11:00:03 brd ff:ff:ff:ff:ff:ff\n');
    const host = (await engine.host.exec('ip addr')).stdout;
    expect(host).toMatch(/5: veth[0-9a-f]{7}@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master docker0 state UP group default \n/);
    expect((await engine.docker('exec u1 ip route')).stdout).toBe('default via 172.17.0.1 dev eth0 \n172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.2 \n');
    await engine.docker('exec u1 ping -c 1 172.17.0.3');
    expect((await engine.docker('exec u1 ip neigh')).stdout).toBe('172.17.0.3 dev eth0 lladdr 02:42:ac:11:00:03 REACHABLE\n');
    const s = (await engine.docker('exec u1 ip -s link show eth0')).stdout;
    expect(s).toMatch(/RX:  bytes packets errors dropped  missed   mcast/);
  });

  it('addresses are lowest-free and reused; MACs follow; released on stop', async () => {
    engine = await Engine.create();
    for (const n of ['c1', 'c2', 'c3']) await engine.docker(`run -dit --name ${n} busybox`);
    await engine.docker('rm -f c2');
    await engine.docker('run -dit --name c4 busybox');
    const ips = Object.fromEntries(['c1', 'c3', 'c4'].map((n) => [n, (engine.container(n).inspect().NetworkSettings as { IPAddress: string }).IPAddress]));
    expect(ips).toEqual({ c1: '172.17.0.2', c3: '172.17.0.4', c4: '172.17.0.3' });
    const stop = await engine.docker('stop c1');
    expect(stop).toMatchObject({ exitCode: 0, stdout: 'c1\n' });
    const ins = engine.container('c1').inspect() as { State: { Status: string }; NetworkSettings: { IPAddress: string; Networks: { bridge: { IPAddress: string } } } };
    expect(ins.State.Status).toBe('exited');
    expect(ins.NetworkSettings.Networks.bridge.IPAddress).toBe('');
    await engine.docker('run -dit --name c5 busybox');
    expect(engine.container('c5').ip).toBe('172.17.0.2');
  });

  it('inspect NetworkSettings has Docker 27 keys in order', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name web ubuntu');
    const j = JSON.parse((await engine.docker('inspect web')).stdout)[0];
    expect(Object.keys(j.NetworkSettings)).toEqual(['Bridge', 'SandboxID', 'SandboxKey', 'Ports', 'HairpinMode', 'LinkLocalIPv6Address', 'LinkLocalIPv6PrefixLen', 'SecondaryIPAddresses', 'SecondaryIPv6Addresses', 'EndpointID', 'Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'MacAddress', 'Networks']);
    expect(Object.keys(j.NetworkSettings.Networks.bridge)).toEqual(['IPAMConfig', 'Links', 'Aliases', 'MacAddress', 'DriverOpts', 'NetworkID', 'EndpointID', 'Gateway', 'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'DNSNames']);
    expect(j.NetworkSettings).toMatchObject({ Gateway: '172.17.0.1', IPAddress: '172.17.0.2', IPPrefixLen: 16, MacAddress: '02:42:ac:11:00:02' });
    expect(j.Config.Hostname).toBe(j.Id.slice(0, 12));
    expect((await engine.docker('exec web hostname')).stdout).toBe(`${j.Id.slice(0, 12)}\n`);
    expect((await engine.docker('exec web cat /etc/hosts')).stdout).toBe(`127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n172.17.0.2\t${j.Id.slice(0, 12)}\n`);
  });

  it('daemon errors use Docker wording and leave state unchanged', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name web busybox');
    const dup = await engine.docker('run -dit --name web busybox');
    expect(dup.exitCode).toBe(125);
    expect(dup.stderr).toMatch(/^docker: Error response from daemon: Conflict\. The container name "\/web" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.\nSee 'docker run --help'\.\n$/);
    expect(await engine.docker('exec nope hostname')).toMatchObject({ exitCode: 1, stderr: 'Error response from daemon: No such container: nope\n' });
    expect((await engine.docker('rm web')).stderr).toBe('Error response from daemon: cannot remove container "/web": container is running: stop the container before removing or force remove\n');
    expect((await engine.docker('run -d nosuchimage')).stderr).toContain("Unable to find image 'nosuchimage:latest' locally");
    expect((await engine.docker('network inspect foo'))).toMatchObject({ exitCode: 1, stdout: '[]\n', stderr: 'Error response from daemon: network foo not found\n' });
    expect((await engine.docker('run --bogus busybox')).stderr).toBe("unknown flag: --bogus\nSee 'docker run --help'.\n");
    expect((await engine.docker('frobnicate')).stderr).toBe("docker: 'frobnicate' is not a docker command.\nSee 'docker --help'\n");
    expect((await engine.docker('ps -q')).stdout.trim().split('\n').length).toBe(1);
    expect(await engine.docker('run "unterminated')).toEqual({ exitCode: 2, stdout: '', stderr: 'sh: unterminated quoted string\n' });
  });

  it('network ls shows the defaults in Docker columns, sorted by name', async () => {
    engine = await Engine.create();
    const ls = (await engine.docker('network ls')).stdout.split('\n');
    expect(ls[0]).toBe('NETWORK ID     NAME      DRIVER    SCOPE');
    expect(ls.slice(1, 4).map((l) => l.replace(/^[0-9a-f]{12}/, 'X'))).toEqual(['X   bridge    bridge    local', 'X   host      host      local', 'X   none      null      local']);
  });

  it('is deterministic for a seed', async () => {
    const run = async (): Promise<string> => {
      const e = await Engine.create({ seed: 5 });
      const id = (await e.docker('run -dit --name c1 ubuntu')).stdout;
      const p = (await e.docker('exec c1 ping -c 3 172.17.0.1')).stdout;
      await e.close();
      return id + p;
    };
    expect(await run()).toBe(await run());
  });
});

describe('docker run in the foreground', () => {
  it('keeps stderr apart without -t, merges it with -t; logs likewise', async () => {
    engine = await Engine.create();
    const r = await engine.docker('run --name pp busybox ping -c 1 nosuchhost');
    expect(r).toMatchObject({ exitCode: 1, stdout: '', stderr: "ping: bad address 'nosuchhost'\n" });
    expect((await engine.docker('logs pp')).stderr).toBe("ping: bad address 'nosuchhost'\n");
    const t = await engine.docker('run -t --rm busybox ping -c 1 nosuchhost');
    expect(t).toMatchObject({ exitCode: 1, stdout: "ping: bad address 'nosuchhost'\n", stderr: '' });
    expect((await engine.docker('ps -a -q')).stdout.trim().split('\n').length).toBe(1); // --rm removed it
  });
});

describe('virtual time', () => {
  it('ping -c 5 takes four-plus virtual seconds and a few wall milliseconds', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name v1 busybox');
    await engine.docker('run -dit --name v2 busybox');
    const t0 = engine.clock.now();
    const w0 = performance.now();
    const r = await engine.docker('exec v1 ping -c 5 172.17.0.3');
    expect(r.stdout).toContain('5 packets transmitted, 5 packets received, 0% packet loss');
    expect(engine.clock.now() - t0).toBeGreaterThanOrEqual(4000);
    expect(engine.clock.now() - t0).toBeLessThan(5000);
    expect(performance.now() - w0).toBeLessThan(2000);
  });

  it('ping -s 2000 is fragmented on the way out and reassembled on the way in, both ways', async () => {
    engine = await Engine.create();
    await engine.docker('run -dit --name v1 busybox');
    await engine.docker('run -dit --name u1 ubuntu');
    const r = await engine.docker('exec v1 ping -c 1 -s 2000 172.17.0.3');
    expect(r.stdout).toMatch(/^PING 172\.17\.0\.3 \(172\.17\.0\.3\): 2000 data bytes\n2008 bytes from 172\.17\.0\.3: seq=0 ttl=64 time=/);
    expect((await engine.docker('exec u1 ping -c 1 -s 2000 172.17.0.2')).stdout).toContain('2008 bytes from 172.17.0.2: icmp_seq=1 ttl=64');
    // and across the host's router hop to the outside world
    expect((await engine.docker('exec v1 ping -c 1 -s 3000 8.8.8.8')).stdout).toContain('3008 bytes from 8.8.8.8');
    expect((await engine.docker('exec v1 ping -c 1 -s 65508 172.17.0.3')).stderr).toBe('ping: sendto: Message too long\n');
  });
});
