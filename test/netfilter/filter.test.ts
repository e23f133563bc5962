import { describe, expect, it } from 'vitest';
import { Netfilter } from '../../src/netfilter/netfilter.js';
import { Hook, Verdict } from '../../src/netfilter/hook.js';
import { iptables } from '../../src/netfilter/iptables-cli.js';
import { ACK, SYN, echo, fakeHost, icmpError, pkt, tcp, udp } from './packets.js';

function setup(...cmds: string[]): { nf: Netfilter; host: ReturnType<typeof fakeHost> } {
  const host = fakeHost(['192.168.0.10', '172.17.0.1'], { eth0: '192.168.0.10', docker0: '172.17.0.1' });
  const nf = new Netfilter(host);
  for (const c of cmds) {
    const r = iptables(nf, c);
    expect(r, c).toMatchObject({ exitCode: 0, stderr: '' });
  }
  return { nf, host };
}

const fwd = (nf: Netfilter, b: Uint8Array, inIf = 'eth0', outIf = 'eth1'): Verdict => nf.run(Hook.FORWARD, pkt(b, inIf, outIf));

describe('filter table evaluation', () => {
  it('accepts everything with no rules and counts the policy', () => {
    const { nf } = setup();
    const b = udp('10.0.0.1', '10.0.0.2', 1000, 53);
    expect(fwd(nf, b)).toBe(Verdict.ACCEPT);
    expect(nf.filter.get('FORWARD')!.pkts).toBe(1);
    expect(nf.filter.get('FORWARD')!.bytes).toBe(b.length);
  });

  it('applies a DROP policy and counts it', () => {
    const { nf } = setup('-P FORWARD DROP');
    expect(fwd(nf, udp('10.0.0.1', '10.0.0.2', 1, 2))).toBe(Verdict.DROP);
    expect(nf.filter.get('FORWARD')!.pkts).toBe(1);
  });

  it('matches source/destination CIDRs with negation', () => {
    const { nf } = setup('-A FORWARD -s 10.0.0.0/8 -j DROP', '-A FORWARD ! -d 192.168.1.0/24 -j REJECT');
    expect(fwd(nf, udp('10.9.9.9', '192.168.1.1', 1, 2))).toBe(Verdict.DROP);
    expect(fwd(nf, udp('11.0.0.1', '192.168.1.200', 1, 2))).toBe(Verdict.ACCEPT);
    expect(fwd(nf, udp('11.0.0.1', '192.168.2.1', 1, 2))).toBe(Verdict.DROP);
    const rules = nf.filter.get('FORWARD')!.rules;
    expect(rules[0]!.pkts).toBe(1);
    expect(rules[1]!.pkts).toBe(1);
    expect(rules[1]!.bytes).toBe(udp('11.0.0.1', '192.168.2.1', 1, 2).length);
  });

  it('a single address means /32', () => {
    const { nf } = setup('-A FORWARD -d 10.0.0.2 -j DROP');
    expect(fwd(nf, udp('1.1.1.1', '10.0.0.2', 1, 2))).toBe(Verdict.DROP);
    expect(fwd(nf, udp('1.1.1.1', '10.0.0.3', 1, 2))).toBe(Verdict.ACCEPT);
  });

  it('matches protocols, ports and port ranges with negation', () => {
    const { nf } = setup(
      '-A FORWARD -p tcp --dport 80 -j DROP',
      '-A FORWARD -p udp --sport 1000:2000 -j DROP',
      '-A FORWARD -p tcp -m tcp ! --dport 22 -j REJECT --reject-with tcp-reset',
      '-A FORWARD ! -p icmp -j ACCEPT',
      '-A FORWARD -j DROP',
    );
    expect(fwd(nf, tcp('1.1.1.1', '2.2.2.2', 5555, 80, SYN))).toBe(Verdict.DROP);
    expect(fwd(nf, udp('1.1.1.1', '2.2.2.2', 1500, 80))).toBe(Verdict.DROP);
    expect(fwd(nf, udp('1.1.1.1', '2.2.2.2', 2001, 80))).toBe(Verdict.ACCEPT);
    expect(fwd(nf, tcp('1.1.1.1', '2.2.2.2', 5555, 22, SYN))).toBe(Verdict.ACCEPT);
    expect(fwd(nf, tcp('1.1.1.1', '2.2.2.2', 5555, 23, SYN))).toBe(Verdict.DROP);
    expect(fwd(nf, echo('1.1.1.1', '2.2.2.2', 8, 7))).toBe(Verdict.DROP);
  });

  it('matches --icmp-type', () => {
    const { nf } = setup('-A FORWARD -p icmp --icmp-type echo-request -j DROP', '-A FORWARD -p icmp --icmp-type 3/3 -j DROP');
    expect(fwd(nf, echo('1.1.1.1', '2.2.2.2', 8, 1))).toBe(Verdict.DROP);
    expect(fwd(nf, echo('1.1.1.1', '2.2.2.2', 0, 1))).toBe(Verdict.ACCEPT);
    const orig = udp('2.2.2.2', '1.1.1.1', 1, 2);
    expect(fwd(nf, icmpError('1.1.1.1', '2.2.2.2', 3, 3, orig))).toBe(Verdict.DROP);
    expect(fwd(nf, icmpError('1.1.1.1', '2.2.2.2', 3, 1, orig))).toBe(Verdict.ACCEPT);
  });

  it('matches interfaces exactly, negated and with the + wildcard', () => {
    const { nf } = setup('-A FORWARD -i veth+ -j DROP', '-A FORWARD -i eth0 ! -o eth1 -j DROP');
    const b = udp('1.1.1.1', '2.2.2.2', 1, 2);
    expect(fwd(nf, b, 'veth12ab', 'eth0')).toBe(Verdict.DROP);
    expect(fwd(nf, b, 'eth0', 'eth1')).toBe(Verdict.ACCEPT);
    expect(fwd(nf, b, 'eth0', 'eth2')).toBe(Verdict.DROP);
    expect(fwd(nf, b, 'eth00', 'eth2')).toBe(Verdict.ACCEPT);
  });

  it('jumps to user chains and RETURNs, counting every rule passed', () => {
    const { nf } = setup(
      '-N CHECK',
      '-A CHECK -s 10.0.0.1 -j RETURN',
      '-A CHECK -j DROP',
      '-A FORWARD -p udp -j CHECK',
      '-A FORWARD -j ACCEPT',
    );
    expect(fwd(nf, udp('10.0.0.1', '2.2.2.2', 1, 2))).toBe(Verdict.ACCEPT);
    expect(fwd(nf, udp('10.0.0.9', '2.2.2.2', 1, 2))).toBe(Verdict.DROP);
    expect(fwd(nf, tcp('10.0.0.9', '2.2.2.2', 1, 2, SYN))).toBe(Verdict.ACCEPT);
    const check = nf.filter.get('CHECK')!.rules;
    expect(check.map((r) => r.pkts)).toEqual([1, 1]);
    expect(nf.filter.get('FORWARD')!.rules.map((r) => r.pkts)).toEqual([2, 2]);
  });

  it('RETURN from a built-in chain applies the policy', () => {
    const { nf } = setup('-P FORWARD DROP', '-A FORWARD -j RETURN', '-A FORWARD -j ACCEPT');
    expect(fwd(nf, udp('1.1.1.1', '2.2.2.2', 1, 2))).toBe(Verdict.DROP);
    expect(nf.filter.get('FORWARD')!.pkts).toBe(1);
  });

  it('a rule without -j only counts', () => {
    const { nf } = setup('-A FORWARD -p udp', '-A FORWARD -j DROP');
    fwd(nf, udp('1.1.1.1', '2.2.2.2', 1, 2));
    expect(nf.filter.get('FORWARD')!.rules[0]!.pkts).toBe(1);
  });

  it('REJECT asks the host to answer, with the default and explicit kinds', () => {
    const { nf, host } = setup('-A INPUT -p udp -j REJECT', '-A INPUT -p tcp -j REJECT --reject-with tcp-reset', '-A OUTPUT -j REJECT --reject-with icmp-admin-prohibited');
    expect(nf.run(Hook.INPUT, pkt(udp('1.1.1.1', '192.168.0.10', 1, 2), 'eth0'))).toBe(Verdict.DROP);
    expect(nf.run(Hook.INPUT, pkt(tcp('1.1.1.1', '192.168.0.10', 1, 2, SYN), 'eth0'))).toBe(Verdict.DROP);
    expect(nf.run(Hook.OUTPUT, pkt(udp('192.168.0.10', '1.1.1.1', 1, 2), null, 'eth0'))).toBe(Verdict.DROP);
    expect(host.rejects.map((r) => r.kind)).toEqual(['icmp-port-unreachable', 'tcp-reset', 'icmp-admin-prohibited']);
  });

  it('matches -m addrtype LOCAL through the host', () => {
    const { nf } = setup('-A INPUT -m addrtype --dst-type LOCAL -j DROP', '-A OUTPUT -m addrtype ! --src-type LOCAL -j DROP');
    expect(nf.run(Hook.INPUT, pkt(udp('1.1.1.1', '172.17.0.1', 1, 2), 'eth0'))).toBe(Verdict.DROP);
    expect(nf.run(Hook.INPUT, pkt(udp('1.1.1.1', '172.17.0.9', 1, 2), 'eth0'))).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.OUTPUT, pkt(udp('192.168.0.10', '1.1.1.1', 1, 2), null, 'eth0'))).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.OUTPUT, pkt(udp('192.168.0.99', '1.1.1.1', 1, 2), null, 'eth0'))).toBe(Verdict.DROP);
  });

  it('stateful firewall: NEW only outbound, ESTABLISHED back, INVALID for unknown ICMP errors', () => {
    const { nf } = setup(
      '-P FORWARD DROP',
      '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -i lan -m conntrack --ctstate NEW -j ACCEPT',
    );
    const run = (b: Uint8Array, inIf: string, outIf: string): Verdict => {
      const p = pkt(b, inIf, outIf);
      expect(nf.run(Hook.PREROUTING, p)).toBe(Verdict.ACCEPT);
      const v = nf.run(Hook.FORWARD, p);
      if (v === Verdict.ACCEPT) expect(nf.run(Hook.POSTROUTING, p)).toBe(Verdict.ACCEPT);
      return v;
    };
    // Unsolicited inbound: NEW from wan → dropped.
    expect(run(tcp('8.8.8.8', '10.0.0.2', 80, 4000, SYN), 'wan', 'lan')).toBe(Verdict.DROP);
    // Outbound connection and its replies.
    expect(run(tcp('10.0.0.2', '8.8.8.8', 4000, 80, SYN), 'lan', 'wan')).toBe(Verdict.ACCEPT);
    expect(run(tcp('8.8.8.8', '10.0.0.2', 80, 4000, SYN | ACK), 'wan', 'lan')).toBe(Verdict.ACCEPT);
    expect(run(tcp('10.0.0.2', '8.8.8.8', 4000, 80, ACK), 'lan', 'wan')).toBe(Verdict.ACCEPT);
    // RELATED: an ICMP error about the connection comes back in.
    const err = icmpError('9.9.9.9', '10.0.0.2', 11, 0, tcp('10.0.0.2', '8.8.8.8', 4000, 80, ACK));
    expect(run(err, 'wan', 'lan')).toBe(Verdict.ACCEPT);
    // An ICMP error about nothing known is INVALID → dropped.
    const stray = icmpError('9.9.9.9', '10.0.0.2', 3, 3, udp('10.0.0.2', '7.7.7.7', 1, 2));
    expect(run(stray, 'wan', 'lan')).toBe(Verdict.DROP);
    // UDP: replies are ESTABLISHED.
    expect(run(udp('10.0.0.2', '8.8.8.8', 5000, 53), 'lan', 'wan')).toBe(Verdict.ACCEPT);
    expect(run(udp('8.8.8.8', '10.0.0.2', 53, 5000), 'wan', 'lan')).toBe(Verdict.ACCEPT);
    expect(run(udp('8.8.8.8', '10.0.0.2', 53, 5001), 'wan', 'lan')).toBe(Verdict.DROP);
  });

  it('picks up a TCP connection mid-stream as NEW (Linux nf_conntrack_tcp_loose)', () => {
    const { nf } = setup('-A FORWARD -m conntrack --ctstate INVALID -j DROP', '-A FORWARD -m conntrack --ctstate NEW -j ACCEPT', '-A FORWARD -j DROP');
    const p = pkt(tcp('10.0.0.2', '8.8.8.8', 4000, 80, ACK), 'lan', 'wan');
    nf.run(Hook.PREROUTING, p);
    expect(nf.run(Hook.FORWARD, p)).toBe(Verdict.ACCEPT);
  });

  it('does not confirm a connection whose first packet was dropped', () => {
    const { nf } = setup('-A FORWARD -p udp --dport 9 -j DROP');
    const p = pkt(udp('10.0.0.2', '8.8.8.8', 4000, 9), 'lan', 'wan');
    nf.run(Hook.PREROUTING, p);
    expect(nf.run(Hook.FORWARD, p)).toBe(Verdict.DROP);
    expect(nf.conntrack.size).toBe(0);
  });
});
