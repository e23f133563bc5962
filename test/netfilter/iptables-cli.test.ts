import { describe, expect, it } from 'vitest';
import { Netfilter } from '../../src/netfilter/netfilter.js';
import { Hook } from '../../src/netfilter/hook.js';
import { iptables, iptablesCommand } from '../../src/netfilter/iptables-cli.js';
import { iptablesSave } from '../../src/netfilter/iptables-save.js';
import { fakeHost, pkt, udp, tcp, SYN } from './packets.js';

const HINT = "Try `iptables -h' or 'iptables --help' for more information.\n";

function make(...cmds: string[]): Netfilter {
  const nf = new Netfilter(fakeHost(['192.168.0.10']));
  for (const c of cmds) expect(iptables(nf, c), c).toMatchObject({ exitCode: 0 });
  return nf;
}
const state = (nf: Netfilter): string => iptablesSave(nf, { all: true, counters: true });
const ok = (nf: Netfilter, c: string): string => {
  const r = iptables(nf, c);
  expect(r, c).toMatchObject({ exitCode: 0, stderr: '' });
  return r.stdout;
};

describe('iptables commands', () => {
  it('-A appends, -I inserts (at 1 or at n), -R replaces, -D deletes by spec or number', () => {
    const nf = make();
    ok(nf, '-A INPUT -s 1.1.1.1 -j ACCEPT');
    ok(nf, '-A INPUT -s 2.2.2.2 -j ACCEPT');
    ok(nf, '-I INPUT -s 3.3.3.3 -j DROP');
    ok(nf, '-I INPUT 3 -s 4.4.4.4 -j DROP');
    expect(ok(nf, '-S INPUT')).toBe(
      '-P INPUT ACCEPT\n-A INPUT -s 3.3.3.3/32 -j DROP\n-A INPUT -s 1.1.1.1/32 -j ACCEPT\n-A INPUT -s 4.4.4.4/32 -j DROP\n-A INPUT -s 2.2.2.2/32 -j ACCEPT\n',
    );
    ok(nf, '-R INPUT 1 -s 5.5.5.5 -j DROP');
    ok(nf, '-D INPUT -s 1.1.1.1/32 -j ACCEPT');
    ok(nf, '-D INPUT 2');
    expect(ok(nf, '-S INPUT')).toBe('-P INPUT ACCEPT\n-A INPUT -s 5.5.5.5/32 -j DROP\n-A INPUT -s 2.2.2.2/32 -j ACCEPT\n');
    // -I at position count+1 is allowed (append).
    ok(nf, '-I INPUT 3 -j ACCEPT');
    expect(nf.filter.get('INPUT')!.rules.length).toBe(3);
  });

  it('-C checks for an equal rule (normalised), exit 1 otherwise', () => {
    const nf = make('-A FORWARD -p tcp -d 10.0.0.2 --dport 80 -j ACCEPT');
    expect(iptables(nf, '-C FORWARD -d 10.0.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT').exitCode).toBe(0);
    expect(iptables(nf, '-C FORWARD -p tcp -d 10.0.0.2 --dport 81 -j ACCEPT')).toEqual({
      exitCode: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).\n',
    });
  });

  it('-N, -X, -E, -P, -F, -Z and the tables', () => {
    const nf = make();
    ok(nf, '-N MYCHAIN');
    ok(nf, '-A MYCHAIN -j RETURN');
    ok(nf, '-A INPUT -j MYCHAIN');
    ok(nf, '-E MYCHAIN OTHER');
    expect(ok(nf, '-S')).toContain('-A INPUT -j OTHER');
    ok(nf, '-P INPUT DROP');
    ok(nf, '-t nat -N DOCKER');
    ok(nf, '-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER');
    nf.run(Hook.INPUT, pkt(udp('1.1.1.1', '192.168.0.10', 1, 2), 'eth0'));
    expect(nf.filter.get('INPUT')!.rules[0]!.pkts).toBe(1);
    ok(nf, '-Z INPUT');
    expect(nf.filter.get('INPUT')!.rules[0]!.pkts).toBe(0);
    expect(nf.filter.get('INPUT')!.pkts).toBe(0);
    ok(nf, '-F INPUT');
    expect(iptables(nf, '-X OTHER').stderr).toBe('iptables: Directory not empty.\n');
    ok(nf, '-F OTHER');
    ok(nf, '-X OTHER');
    expect(nf.filter.get('OTHER')).toBeUndefined();
    ok(nf, '-t nat -F');
    ok(nf, '-t nat -X');
    expect(nf.nat.get('DOCKER')).toBeUndefined();
    expect(ok(nf, '-S')).toBe('-P INPUT DROP\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n');
  });

  it('accepts long options, grouped short options and --opt=value', () => {
    const nf = make();
    ok(nf, '--table=filter --append INPUT --protocol udp --destination-port 53 --jump ACCEPT');
    ok(nf, '-t filter --insert INPUT --source 10.0.0.0/255.0.0.0 --in-interface eth+ --jump DROP');
    expect(ok(nf, '-S INPUT')).toBe('-P INPUT ACCEPT\n-A INPUT -s 10.0.0.0/8 -i eth+ -j DROP\n-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n');
    expect(ok(nf, '-nvL INPUT')).toContain('Chain INPUT (policy ACCEPT 0 packets, 0 bytes)');
    expect(ok(nf, '-tnat -nL')).toContain('Chain POSTROUTING (policy ACCEPT)');
  });

  it('normalises addresses and prints matches in iptables-save order', () => {
    const nf = make();
    ok(nf, '-A FORWARD -j ACCEPT -m conntrack --ctstate ESTABLISHED,RELATED -o br0 -p tcp --sport 1000:2000 -s 10.1.2.3/16 ! -d 1.2.3.4');
    ok(nf, '-A FORWARD -p icmp --icmp-type echo-request -j REJECT --reject-with icmp-host-prohibited');
    ok(nf, '-A FORWARD -p tcp ! --dport 22 -j REJECT --reject-with tcp-reset');
    ok(nf, '-t nat -A POSTROUTING -p udp -s 127.0.0.11 --sport 5353 -j SNAT --to-source :53');
    ok(nf, '-t nat -A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-2048');
    ok(nf, '-t nat -A PREROUTING -d 0/0 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2');
    expect(iptablesSave(nf, { table: 'filter' })).toBe(
      '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n' +
        '-A FORWARD -s 10.1.0.0/16 ! -d 1.2.3.4/32 -o br0 -p tcp -m conntrack --ctstate RELATED,ESTABLISHED -m tcp --sport 1000:2000 -j ACCEPT\n' +
        '-A FORWARD -p icmp -m icmp --icmp-type 8 -j REJECT --reject-with icmp-host-prohibited\n' +
        '-A FORWARD -p tcp -m tcp ! --dport 22 -j REJECT --reject-with tcp-reset\n' +
        'COMMIT\n',
    );
    expect(iptablesSave(nf, { table: 'nat', date: 'Mon Jan  1 00:00:00 2024' })).toBe(
      '# Generated by iptables-save v1.8.9 on Mon Jan  1 00:00:00 2024\n' +
        '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n' +
        '-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.2\n' +
        '-A POSTROUTING -s 127.0.0.11/32 -p udp -m udp --sport 5353 -j SNAT --to-source :53\n' +
        '-A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-2048\n' +
        'COMMIT\n# Completed on Mon Jan  1 00:00:00 2024\n',
    );
  });

  it('-L formats like iptables 1.8 (with -v, -x, --line-numbers, K/M suffixes)', () => {
    const nf = make('-A INPUT -i eth0 -p tcp --dport 80 -j ACCEPT', '-N LOGDROP', '-A LOGDROP -j DROP', '-A INPUT -j LOGDROP');
    const r = nf.filter.get('INPUT')!.rules[0]!;
    r.pkts = 123456;
    r.bytes = 98765432;
    expect(ok(nf, '-L INPUT -n -v')).toBe(
      'Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n' +
        ' pkts bytes target     prot opt in     out     source               destination         \n' +
        ' 123K   99M ACCEPT     tcp  --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80\n' +
        '    0     0 LOGDROP    all  --  *      *       0.0.0.0/0            0.0.0.0/0           \n',
    );
    expect(ok(nf, '-L INPUT -n -v -x --line-numbers')).toBe(
      'Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n' +
        'num      pkts      bytes target     prot opt in     out     source               destination         \n' +
        '1      123456   98765432 ACCEPT     tcp  --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80\n' +
        '2           0          0 LOGDROP    all  --  *      *       0.0.0.0/0            0.0.0.0/0           \n',
    );
    expect(ok(nf, '-L')).toBe(
      'Chain INPUT (policy ACCEPT)\n' +
        'target     prot opt source               destination         \n' +
        'ACCEPT     tcp  --  anywhere             anywhere             tcp dpt:http\n' +
        'LOGDROP    all  --  anywhere             anywhere            \n' +
        '\n' +
        'Chain FORWARD (policy ACCEPT)\n' +
        'target     prot opt source               destination         \n' +
        '\n' +
        'Chain OUTPUT (policy ACCEPT)\n' +
        'target     prot opt source               destination         \n' +
        '\n' +
        'Chain LOGDROP (1 references)\n' +
        'target     prot opt source               destination         \n' +
        'DROP       all  --  anywhere             anywhere            \n',
    );
  });

  it('counts traffic per rule and per policy, shown by -L -v and iptables-save -c', () => {
    const nf = make('-A INPUT -p tcp -j ACCEPT');
    const b = tcp('1.1.1.1', '192.168.0.10', 1, 80, SYN);
    nf.run(Hook.INPUT, pkt(b, 'eth0'));
    nf.run(Hook.INPUT, pkt(udp('1.1.1.1', '192.168.0.10', 1, 2), 'eth0'));
    expect(iptablesSave(nf, { table: 'filter', counters: true })).toContain(`:INPUT ACCEPT [1:33]\n:FORWARD ACCEPT [0:0]`);
    expect(iptablesSave(nf, { table: 'filter', counters: true })).toContain(`[1:${b.length}] -A INPUT -p tcp -j ACCEPT`);
  });
});

describe('more iptables behaviour', () => {
  it('-m state --state is kept as written; -S chain n prints one rule', () => {
    const nf = make('-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p udp -m udp --dport 53 -j ACCEPT');
    expect(ok(nf, '-S INPUT 1')).toBe('-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n');
    expect(ok(nf, '-L INPUT -n')).toContain('ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED\n');
    expect(iptables(nf, '-A INPUT -m state --ctstate NEW -j ACCEPT').stderr).toContain('unknown option "--ctstate"');
  });

  it('-Z chain n zeroes one rule; -v -S shows counters', () => {
    const nf = make('-A INPUT -j ACCEPT', '-A INPUT -j ACCEPT');
    nf.run(Hook.INPUT, pkt(udp('1.1.1.1', '192.168.0.10', 1, 2), 'eth0'));
    nf.filter.get('INPUT')!.rules[1]!.pkts = 5;
    ok(nf, '-Z INPUT 1');
    expect(ok(nf, '-S INPUT -v')).toBe('-P INPUT ACCEPT -c 0 0\n-A INPUT -j ACCEPT -c 0 0\n-A INPUT -j ACCEPT -c 5 0\n');
  });

  it('iptables-save prints only tables that were used, nat before filter', () => {
    const nf = make();
    expect(iptablesSave(nf)).toBe('');
    const nf2 = new Netfilter(fakeHost());
    ok(nf2, '-t nat -L');
    expect(iptablesSave(nf2)).toBe('*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n');
    ok(nf2, '-L');
    expect(iptablesSave(nf2).indexOf('*nat')).toBeLessThan(iptablesSave(nf2).indexOf('*filter'));
  });

  it('-w and -n/-v combinations are accepted where iptables accepts them', () => {
    const nf = make();
    ok(nf, '-w -A INPUT -j ACCEPT');
    ok(nf, '-w 5 -A INPUT -j DROP');
    expect(nf.filter.get('INPUT')!.rules.length).toBe(2);
  });
});

describe('iptables errors leave the tables unchanged', () => {
  const cases: [string, number, string][] = [
    ['-A NOPE -j ACCEPT', 1, 'iptables: No chain/target/match by that name.\n'],
    ['-A INPUT -j FOO', 2, "iptables v1.8.9 (legacy): Couldn't load target `FOO':No such file or directory\n\n" + HINT],
    ['-A INPUT -p tcp --dport 80:x -j ACCEPT', 2, "iptables v1.8.9 (legacy): invalid port/service `x' specified\n" + HINT],
    ['-A INPUT --dport 80 -j ACCEPT', 2, 'iptables v1.8.9 (legacy): unknown option "--dport"\n' + HINT],
    ['-A INPUT -p foo -j ACCEPT', 2, 'iptables v1.8.9 (legacy): unknown protocol "foo" specified\n' + HINT],
    ['-A INPUT -s 1.2.3 -j ACCEPT', 2, "iptables v1.8.9 (legacy): host/network `1.2.3' not found\n" + HINT],
    ['-A INPUT -s 1.2.3.4/33 -j ACCEPT', 2, "iptables v1.8.9 (legacy): invalid mask `33' specified\n" + HINT],
    ['-A INPUT -j ACCEPT extra', 2, "iptables v1.8.9 (legacy): Bad argument `extra'\n" + HINT],
    ['-A INPUT --bogus', 2, 'iptables v1.8.9 (legacy): unknown option "--bogus"\n' + HINT],
    ['-A', 2, 'iptables v1.8.9 (legacy): option "-A" requires an argument\n' + HINT],
    ['-s 1.1.1.1', 2, 'iptables v1.8.9 (legacy): no command specified\n' + HINT],
    ['-A INPUT -I INPUT', 2, 'iptables v1.8.9 (legacy): Cannot use -I with -A\n' + HINT],
    ['-D INPUT -s 9.9.9.9 -j DROP', 1, 'iptables: Bad rule (does a matching rule exist in that chain?).\n'],
    ['-D INPUT 5', 1, 'iptables: Index of deletion too big.\n'],
    ['-I INPUT 5 -j ACCEPT', 1, 'iptables: Index of insertion too big.\n'],
    ['-R INPUT 5 -j ACCEPT', 1, 'iptables: Index of replacement too big.\n'],
    ['-I INPUT 0 -j ACCEPT', 2, "iptables v1.8.9 (legacy): Invalid rule number `0'\n" + HINT],
    ['-N USER', 1, 'iptables: Chain already exists.\n'],
    ['-N ACCEPT', 2, 'iptables v1.8.9 (legacy): chain name may not clash with target name\n' + HINT],
    ['-N ABCDEFGHIJKLMNOPQRSTUVWXYZ0123', 2, "iptables v1.8.9 (legacy): chain name `ABCDEFGHIJKLMNOPQRSTUVWXYZ0123' too long (must be under 29 chars)\n" + HINT],
    ['-X USER', 1, 'iptables: Too many links.\n'],
    ['-X EMPTYREF', 1, 'iptables: Directory not empty.\n'],
    ['-X NOPE', 1, 'iptables: No chain/target/match by that name.\n'],
    ['-X INPUT', 1, "iptables: Invalid argument. Run `dmesg' for more information.\n"],
    ['-F NOPE', 1, 'iptables: No chain/target/match by that name.\n'],
    ['-L NOPE', 1, 'iptables: No chain/target/match by that name.\n'],
    ['-P USER DROP', 1, 'iptables: Bad built-in chain name.\n'],
    ['-P INPUT REJECT', 1, "iptables: Bad policy name. Run `dmesg' for more information.\n"],
    ['-E USER EMPTYREF', 1, 'iptables: File exists.\n'],
    ['-A INPUT -j DNAT --to-destination 1.2.3.4', 1, "iptables: Invalid argument. Run `dmesg' for more information.\n"],
    ['-t nat -A POSTROUTING -j DNAT --to-destination 1.2.3.4', 1, "iptables: Invalid argument. Run `dmesg' for more information.\n"],
    ['-t nat -A PREROUTING -j NATCHAIN', 1, "iptables: Invalid argument. Run `dmesg' for more information.\n"],
    ['-A USER -j EMPTYREF', 1, 'iptables: Too many levels of symbolic links.\n'],
    ['-A INPUT -m tcp --dport 80 -j ACCEPT', 1, "iptables: Invalid argument. Run `dmesg' for more information.\n"],
    ['-A OUTPUT -i eth0 -j DROP', 2, "iptables v1.8.9 (legacy): Can't use -i with OUTPUT\n" + HINT],
    ['-L -s 1.1.1.1', 2, "iptables v1.8.9 (legacy): Illegal option `-s' with this command\n" + HINT],
    ['-A INPUT -p udp -j REJECT --reject-with tcp-reset', 2, 'iptables v1.8.9 (legacy): REJECT: TCP RST can only be used with protocol tcp\n' + HINT],
    ['-A INPUT -j ACCEPT --to-destination 1.1.1.1', 2, 'iptables v1.8.9 (legacy): unknown option "--to-destination"\n' + HINT],
    ['-A INPUT ! -j ACCEPT', 2, 'iptables v1.8.9 (legacy): cannot have ! before -j\n' + HINT],
    ['-A INPUT -s 1.1.1.1 -s 2.2.2.2 -j ACCEPT', 2, 'iptables v1.8.9 (legacy): multiple -s flags not allowed\n' + HINT],
    ['-t mangle -L', 3, "iptables v1.8.9 (legacy): can't initialize iptables table `mangle': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.\n"],
  ];
  for (const [cmd, code, err] of cases) {
    it(`iptables ${cmd}`, () => {
      const nf = make(
        '-N USER', '-A INPUT -j USER', '-N EMPTYREF', '-A EMPTYREF -j ACCEPT', '-A EMPTYREF -j USER', '-A INPUT -s 1.1.1.1 -j ACCEPT',
        '-t nat -N NATCHAIN', '-t nat -A NATCHAIN -j MASQUERADE', '-t nat -A POSTROUTING -j NATCHAIN',
      );
      const before = state(nf);
      expect(iptablesCommand(nf, cmd.split(' '))).toEqual({ exitCode: code, stdout: '', stderr: err });
      expect(state(nf)).toBe(before);
    });
  }
});

describe('iptables-save and conntrack listings', () => {
  it('iptables-save [-c] [-t table] as a program; iptables -V', async () => {
    const { iptablesSaveCommand } = await import('../../src/netfilter/iptables-save.js');
    const nf = make('-A INPUT -j ACCEPT');
    expect(iptablesSaveCommand(nf, ['-t', 'filter', '-c'], 'Sun Nov 22 22:00:00 2026').stdout).toBe(
      '# Generated by iptables-save v1.8.9 on Sun Nov 22 22:00:00 2026\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[0:0] -A INPUT -j ACCEPT\nCOMMIT\n# Completed on Sun Nov 22 22:00:00 2026\n',
    );
    expect(iptablesSaveCommand(nf, ['-x']).exitCode).toBe(1);
    expect(iptablesCommand(nf, ['-V'])).toEqual({ exitCode: 0, stdout: 'iptables v1.8.9 (legacy)\n', stderr: '' });
  });

  it('lists connections like conntrack -L', () => {
    const nf = make('-A FORWARD -m conntrack --ctstate NEW -j ACCEPT');
    const p = pkt(udp('10.0.0.2', '8.8.8.8', 5000, 53), 'lan', 'wan');
    nf.run(Hook.PREROUTING, p);
    nf.run(Hook.FORWARD, p);
    nf.run(Hook.POSTROUTING, p);
    expect(nf.conntrackList()).toEqual([
      'udp      17 30 src=10.0.0.2 dst=8.8.8.8 sport=5000 dport=53 [UNREPLIED] src=8.8.8.8 dst=10.0.0.2 sport=53 dport=5000 mark=0 use=1',
    ]);
  });
});
