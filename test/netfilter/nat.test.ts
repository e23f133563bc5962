import { describe, expect, it } from 'vitest';
import { Netfilter } from '../../src/netfilter/netfilter.js';
import { Hook, Verdict, type NfPacket } from '../../src/netfilter/hook.js';
import { iptables } from '../../src/netfilter/iptables-cli.js';
import { CT_TIMEOUTS } from '../../src/netfilter/conntrack.js';
import { ipHlen, ipSrc, ipDst } from '../../src/wire/ipv4.js';
import { readU16 } from '../../src/wire/addr.js';
import {
  ACK, FIN, RST, SYN, checksumsOk, dportOf, dstOf, echo, fakeHost, icmpError, ip, pkt, sportOf, srcOf, tcp, udp, udpNoChecksum,
} from './packets.js';

const HOST = '192.168.0.10';
const GW = '172.17.0.1';
const C1 = '172.17.0.2';
const C2 = '172.17.0.3';
const CLIENT = '192.168.0.50';

function router(...cmds: string[]): { nf: Netfilter; host: ReturnType<typeof fakeHost> } {
  const host = fakeHost([HOST, GW], { eth0: HOST, docker0: GW });
  const nf = new Netfilter(host);
  for (const c of cmds) expect(iptables(nf, c), c).toMatchObject({ exitCode: 0 });
  return { nf, host };
}

/** Route a packet through PREROUTING → FORWARD → POSTROUTING; the (possibly rewritten) bytes, or null if dropped. */
function forward(nf: Netfilter, b: Uint8Array, inIf: string, outIf: string): Uint8Array | null {
  const p: NfPacket = pkt(b, inIf, null);
  if (nf.run(Hook.PREROUTING, p) !== Verdict.ACCEPT) return null;
  p.outIf = outIf;
  if (nf.run(Hook.FORWARD, p) !== Verdict.ACCEPT) return null;
  if (nf.run(Hook.POSTROUTING, p) !== Verdict.ACCEPT) return null;
  return p.buf;
}

const DNAT_8080 = '-t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80';
const MASQ = '-t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE';

describe('DNAT', () => {
  it('rewrites the first packet, keeps the binding for the flow and un-NATs replies', () => {
    const { nf } = router(DNAT_8080);
    const syn = tcp(CLIENT, HOST, 40000, 8080, SYN);
    const before = syn.slice();
    const out = forward(nf, syn, 'eth0', 'docker0')!;
    expect(syn).toEqual(before); // copy-on-write: the input bytes are untouched
    expect(dstOf(out)).toBe(ip(C1));
    expect(dportOf(out)).toBe(80);
    expect(srcOf(out)).toBe(ip(CLIENT));
    expect(checksumsOk(out)).toBe(true);

    const synack = forward(nf, tcp(C1, CLIENT, 80, 40000, SYN | ACK), 'docker0', 'eth0')!;
    expect(srcOf(synack)).toBe(ip(HOST));
    expect(sportOf(synack)).toBe(8080);
    expect(checksumsOk(synack)).toBe(true);

    const ack = forward(nf, tcp(CLIENT, HOST, 40000, 8080, ACK), 'eth0', 'docker0')!;
    expect(dstOf(ack)).toBe(ip(C1));
    expect(dportOf(ack)).toBe(80);
    expect(checksumsOk(ack)).toBe(true);
    // The nat table was consulted once (first packet only).
    expect(nf.nat.get('PREROUTING')!.rules[0]!.pkts).toBe(1);
  });

  it('DNAT in OUTPUT for locally generated packets (address only keeps the port)', () => {
    const { nf } = router('-t nat -A OUTPUT -d 10.9.9.9 -j DNAT --to-destination 172.17.0.3');
    const p = pkt(udp(HOST, '10.9.9.9', 5000, 53), null, 'eth0');
    expect(nf.run(Hook.OUTPUT, p)).toBe(Verdict.ACCEPT);
    p.outIf = 'docker0';
    expect(nf.run(Hook.POSTROUTING, p)).toBe(Verdict.ACCEPT);
    expect(dstOf(p.buf)).toBe(ip(C2));
    expect(dportOf(p.buf)).toBe(53);
    expect(checksumsOk(p.buf)).toBe(true);
    // The reply arrives from the container and leaves as if from 10.9.9.9.
    const r = pkt(udp(C2, HOST, 53, 5000), 'docker0');
    expect(nf.run(Hook.PREROUTING, r)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.INPUT, r)).toBe(Verdict.ACCEPT);
    expect(srcOf(r.buf)).toBe(ip('10.9.9.9'));
    expect(checksumsOk(r.buf)).toBe(true);
  });

  it('filter FORWARD sees the translated destination and --ctstate DNAT', () => {
    const { nf } = router(DNAT_8080, '-P FORWARD DROP', '-A FORWARD -d 172.17.0.2 -p tcp --dport 80 -m conntrack --ctstate DNAT -j ACCEPT');
    expect(forward(nf, tcp(CLIENT, HOST, 40001, 8080, SYN), 'eth0', 'docker0')).not.toBeNull();
    expect(forward(nf, tcp(CLIENT, C1, 40002, 80, SYN), 'eth0', 'docker0')).toBeNull();
  });
});

describe('MASQUERADE / SNAT', () => {
  it('masquerades to the out interface address and un-SNATs replies', () => {
    const { nf } = router(MASQ);
    const out = forward(nf, udp(C1, '8.8.8.8', 33000, 53), 'docker0', 'eth0')!;
    expect(srcOf(out)).toBe(ip(HOST));
    expect(sportOf(out)).toBe(33000);
    expect(checksumsOk(out)).toBe(true);
    const back = forward(nf, udp('8.8.8.8', HOST, 53, 33000), 'eth0', 'docker0')!;
    expect(dstOf(back)).toBe(ip(C1));
    expect(dportOf(back)).toBe(33000);
    expect(checksumsOk(back)).toBe(true);
  });

  it('does not masquerade traffic staying on the bridge', () => {
    const { nf } = router(MASQ);
    const out = forward(nf, udp(C1, C2, 1000, 2000), 'docker0', 'docker0')!;
    expect(srcOf(out)).toBe(ip(C1));
  });

  it('picks another source port deterministically when the tuple clashes', () => {
    const run = (): number[] => {
      const { nf } = router(MASQ);
      const a = forward(nf, tcp(C1, '8.8.8.8', 40000, 443, SYN), 'docker0', 'eth0')!;
      const b = forward(nf, tcp(C2, '8.8.8.8', 40000, 443, SYN), 'docker0', 'eth0')!;
      expect(checksumsOk(b)).toBe(true);
      // Replies reach the right containers.
      const ra = forward(nf, tcp('8.8.8.8', HOST, 443, sportOf(a), SYN | ACK), 'eth0', 'docker0')!;
      const rb = forward(nf, tcp('8.8.8.8', HOST, 443, sportOf(b), SYN | ACK), 'eth0', 'docker0')!;
      expect(dstOf(ra)).toBe(ip(C1));
      expect(dstOf(rb)).toBe(ip(C2));
      expect(dportOf(rb)).toBe(40000);
      return [sportOf(a), sportOf(b)];
    };
    const first = run();
    expect(first[0]).toBe(40000);
    expect(first[1]).not.toBe(40000);
    expect(run()).toEqual(first);
  });

  it('SNAT --to-source ip and --to-source :port (port only keeps the address)', () => {
    const { nf } = router(
      '-t nat -A POSTROUTING -p udp -s 127.0.0.11 --sport 41000 -j SNAT --to-source :53',
      '-t nat -A POSTROUTING -s 10.1.0.0/16 -j SNAT --to-source 192.168.0.10',
    );
    const p = pkt(udp('127.0.0.11', '172.17.0.2', 41000, 5555), null, 'eth0');
    expect(nf.run(Hook.OUTPUT, p)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.POSTROUTING, p)).toBe(Verdict.ACCEPT);
    expect(srcOf(p.buf)).toBe(ip('127.0.0.11'));
    expect(sportOf(p.buf)).toBe(53);
    expect(checksumsOk(p.buf)).toBe(true);
    const q = forward(nf, tcp('10.1.2.3', '8.8.8.8', 1234, 80, SYN), 'lan', 'eth0')!;
    expect(srcOf(q)).toBe(ip(HOST));
  });

  it('drops when MASQUERADE finds no address on the out interface', () => {
    const { nf } = router('-t nat -A POSTROUTING -o wg0 -j MASQUERADE');
    expect(forward(nf, udp(C1, '8.8.8.8', 1, 2), 'docker0', 'wg0')).toBeNull();
  });

  it('masquerades ICMP echo and maps replies back by identifier', () => {
    const { nf } = router(MASQ);
    const req = forward(nf, echo(C1, '8.8.8.8', 8, 0x1234), 'docker0', 'eth0')!;
    expect(srcOf(req)).toBe(ip(HOST));
    expect(checksumsOk(req)).toBe(true);
    const id = readU16(req, 24);
    const rep = forward(nf, echo('8.8.8.8', HOST, 0, id), 'eth0', 'docker0')!;
    expect(dstOf(rep)).toBe(ip(C1));
    expect(readU16(rep, 24)).toBe(0x1234);
    expect(checksumsOk(rep)).toBe(true);
    // A second container using the same identifier gets a different one on the wire.
    const req2 = forward(nf, echo(C2, '8.8.8.8', 8, 0x1234), 'docker0', 'eth0')!;
    const id2 = readU16(req2, 24);
    expect(id2).not.toBe(0x1234);
    expect(checksumsOk(req2)).toBe(true);
    const rep2 = forward(nf, echo('8.8.8.8', HOST, 0, id2), 'eth0', 'docker0')!;
    expect(dstOf(rep2)).toBe(ip(C2));
    expect(readU16(rep2, 24)).toBe(0x1234);
    expect(checksumsOk(rep2)).toBe(true);
  });

  it('keeps a zero UDP checksum zero', () => {
    const { nf } = router(MASQ);
    const out = forward(nf, udpNoChecksum(C1, '8.8.8.8', 7000, 7001), 'docker0', 'eth0')!;
    expect(srcOf(out)).toBe(ip(HOST));
    expect(readU16(out, 26)).toBe(0);
    expect(checksumsOk(out)).toBe(true);
  });
});

describe('RELATED ICMP errors', () => {
  it('rewrites outer and quoted headers of an error about a DNATed flow', () => {
    const { nf } = router(DNAT_8080);
    const inbound = forward(nf, tcp(CLIENT, HOST, 40000, 8080, SYN), 'eth0', 'docker0')!;
    // The container answers with port unreachable quoting the packet it received.
    const err = icmpError(C1, CLIENT, 3, 3, inbound);
    const out = forward(nf, err, 'docker0', 'eth0')!;
    expect(srcOf(out)).toBe(ip(HOST));
    expect(dstOf(out)).toBe(ip(CLIENT));
    expect(checksumsOk(out)).toBe(true);
    const q = 28; // quoted IP header
    expect(ipSrc(out, q)).toBe(ip(CLIENT));
    expect(ipDst(out, q)).toBe(ip(HOST));
    expect(readU16(out, q + ipHlen(out, q) + 2)).toBe(8080);
    // The quoted IP header checksum is valid.
    let s = 0;
    for (let i = 0; i < 20; i += 2) s += readU16(out, q + i);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    expect(s).toBe(0xffff);
  });

  it('rewrites an error from a router on the path of a masqueraded flow', () => {
    const { nf } = router(MASQ);
    const sent = forward(nf, udp(C1, '8.8.8.8', 33434, 33434), 'docker0', 'eth0')!;
    const err = icmpError('10.0.0.1', HOST, 11, 0, sent);
    const back = forward(nf, err, 'eth0', 'docker0')!;
    expect(srcOf(back)).toBe(ip('10.0.0.1')); // the router's address is untouched
    expect(dstOf(back)).toBe(ip(C1));
    expect(ipSrc(back, 28)).toBe(ip(C1));
    expect(checksumsOk(back)).toBe(true);
  });
});

describe('conntrack timeouts', () => {
  it('forgets an unreplied UDP flow after 30 s, a replied one after the stream timeout', () => {
    const { nf, host } = router('-P FORWARD DROP', '-A FORWARD -i docker0 -j ACCEPT', '-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT');
    expect(forward(nf, udp(C1, '8.8.8.8', 1000, 53), 'docker0', 'eth0')).not.toBeNull();
    host.time = CT_TIMEOUTS.udp + 1;
    expect(forward(nf, udp('8.8.8.8', C1, 53, 1000), 'eth0', 'docker0')).toBeNull();

    host.time = 100_000;
    expect(forward(nf, udp(C1, '8.8.8.8', 2000, 53), 'docker0', 'eth0')).not.toBeNull();
    expect(forward(nf, udp('8.8.8.8', C1, 53, 2000), 'eth0', 'docker0')).not.toBeNull();
    host.time += 5000;
    expect(forward(nf, udp(C1, '8.8.8.8', 2000, 53), 'docker0', 'eth0')).not.toBeNull();
    host.time += 100_000; // within the 120 s stream timeout
    expect(forward(nf, udp('8.8.8.8', C1, 53, 2000), 'eth0', 'docker0')).not.toBeNull();
    host.time += CT_TIMEOUTS.udpStream + 1;
    expect(forward(nf, udp('8.8.8.8', C1, 53, 2000), 'eth0', 'docker0')).toBeNull();
  });

  it('keeps an established TCP connection for days, a closed one briefly', () => {
    const { nf, host } = router('-P FORWARD DROP', '-A FORWARD -i docker0 -j ACCEPT', '-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT');
    forward(nf, tcp(C1, '8.8.8.8', 1000, 80, SYN), 'docker0', 'eth0');
    forward(nf, tcp('8.8.8.8', C1, 80, 1000, SYN | ACK), 'eth0', 'docker0');
    forward(nf, tcp(C1, '8.8.8.8', 1000, 80, ACK), 'docker0', 'eth0');
    host.time += 3 * 24 * 3600 * 1000;
    expect(forward(nf, tcp('8.8.8.8', C1, 80, 1000, ACK), 'eth0', 'docker0')).not.toBeNull();
    forward(nf, tcp('8.8.8.8', C1, 80, 1000, RST), 'eth0', 'docker0');
    host.time += CT_TIMEOUTS.tcpClose + 1;
    expect(forward(nf, tcp('8.8.8.8', C1, 80, 1000, ACK), 'eth0', 'docker0')).toBeNull();
  });

  it('an unanswered SYN expires after the SYN_SENT timeout; FIN both ways → TIME_WAIT', () => {
    const { nf, host } = router('-P FORWARD DROP', '-A FORWARD -i docker0 -j ACCEPT', '-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT');
    forward(nf, tcp(C1, '8.8.8.8', 1001, 80, SYN), 'docker0', 'eth0');
    host.time += CT_TIMEOUTS.tcpSynSent + 1;
    expect(forward(nf, tcp('8.8.8.8', C1, 80, 1001, SYN | ACK), 'eth0', 'docker0')).toBeNull();
    forward(nf, tcp(C1, '8.8.8.8', 1002, 80, SYN), 'docker0', 'eth0');
    forward(nf, tcp('8.8.8.8', C1, 80, 1002, SYN | ACK), 'eth0', 'docker0');
    forward(nf, tcp(C1, '8.8.8.8', 1002, 80, ACK | FIN), 'docker0', 'eth0');
    forward(nf, tcp('8.8.8.8', C1, 80, 1002, ACK | FIN), 'eth0', 'docker0');
    host.time += CT_TIMEOUTS.tcpTimeWait - 1000;
    expect(forward(nf, tcp('8.8.8.8', C1, 80, 1002, ACK), 'eth0', 'docker0')).not.toBeNull();
    host.time += CT_TIMEOUTS.tcpTimeWait + 1;
    expect(forward(nf, tcp('8.8.8.8', C1, 80, 1002, ACK), 'eth0', 'docker0')).toBeNull();
  });

  it('ICMP echo flows expire after 30 s', () => {
    const { nf, host } = router(MASQ);
    const req = forward(nf, echo(C1, '8.8.8.8', 8, 77), 'docker0', 'eth0')!;
    host.time = CT_TIMEOUTS.icmp + 1;
    const rep = forward(nf, echo('8.8.8.8', HOST, 0, readU16(req, 24)), 'eth0', 'docker0')!;
    expect(dstOf(rep)).toBe(ip(HOST)); // no longer translated
    expect(nf.conntrack.size).toBe(1); // the reply itself started a new (unconfirmed→confirmed) flow
  });
});

describe('embedded DNS rules inside a container (reference §2.5)', () => {
  it('DNATs 127.0.0.11:53 to the resolver port and SNATs replies back to :53', () => {
    const host = fakeHost(['172.18.0.2'], { eth0: '172.18.0.2' });
    const nf = new Netfilter(host);
    for (const c of [
      '-t nat -N DOCKER_OUTPUT',
      '-t nat -N DOCKER_POSTROUTING',
      '-t nat -A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT',
      '-t nat -A POSTROUTING -d 127.0.0.11/32 -j DOCKER_POSTROUTING',
      '-t nat -I DOCKER_OUTPUT -d 127.0.0.11/32 -p udp --dport 53 -j DNAT --to-destination 127.0.0.11:46233',
      '-t nat -I DOCKER_OUTPUT -d 127.0.0.11/32 -p tcp --dport 53 -j DNAT --to-destination 127.0.0.11:37121',
      '-t nat -I DOCKER_POSTROUTING -s 127.0.0.11/32 -p udp --sport 46233 -j SNAT --to-source :53',
      '-t nat -I DOCKER_POSTROUTING -s 127.0.0.11/32 -p tcp --sport 37121 -j SNAT --to-source :53',
    ]) expect(iptables(nf, c), c).toMatchObject({ exitCode: 0 });
    // Query: OUTPUT → POSTROUTING → (lo) → PREROUTING → INPUT.
    const q = pkt(udp('127.0.0.1', '127.0.0.11', 40000, 53), null, 'lo');
    expect(nf.run(Hook.OUTPUT, q)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.POSTROUTING, q)).toBe(Verdict.ACCEPT);
    expect(dportOf(q.buf)).toBe(46233);
    const qin = pkt(q.buf, 'lo');
    const copy = q.buf;
    expect(nf.run(Hook.PREROUTING, qin)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.INPUT, qin)).toBe(Verdict.ACCEPT);
    expect(qin.buf).toBe(copy); // already translated: not copied again
    expect(dportOf(qin.buf)).toBe(46233);
    expect(checksumsOk(qin.buf)).toBe(true);
    // Answer from the resolver's socket: leaves with source port 53.
    const a = pkt(udp('127.0.0.11', '127.0.0.1', 46233, 40000), null, 'lo');
    expect(nf.run(Hook.OUTPUT, a)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.POSTROUTING, a)).toBe(Verdict.ACCEPT);
    expect(sportOf(a.buf)).toBe(53);
    expect(srcOf(a.buf)).toBe(ip('127.0.0.11'));
    expect(checksumsOk(a.buf)).toBe(true);
    const ain = pkt(a.buf, 'lo');
    expect(nf.run(Hook.PREROUTING, ain)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.INPUT, ain)).toBe(Verdict.ACCEPT);
    expect(sportOf(ain.buf)).toBe(53);
  });
});

describe('fast path', () => {
  it('without rules conntrack stays off and packets are not touched', () => {
    const nf = new Netfilter(fakeHost());
    const p = pkt(udp('1.1.1.1', '2.2.2.2', 1, 2), 'eth0');
    expect(nf.run(Hook.PREROUTING, p)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.INPUT, p)).toBe(Verdict.ACCEPT);
    expect(p.ct).toBeNull();
    expect(nf.conntrackEnabled).toBe(false);
    expect(nf.conntrack.size).toBe(0);
    iptables(nf, '-A INPUT -m conntrack --ctstate INVALID -j DROP');
    expect(nf.conntrackEnabled).toBe(true);
    // A packet that crossed PREROUTING before conntrack came on is INVALID, not a crash.
    expect(nf.run(Hook.INPUT, pkt(udp('1.1.1.1', '2.2.2.2', 1, 2), 'eth0'))).toBe(Verdict.DROP);
  });
});

describe('loopback', () => {
  it('a packet looped back with its ct attached skips conntrack (DNAT in OUTPUT to a local port)', () => {
    const nf = new Netfilter(fakeHost(['192.168.0.10']));
    expect(iptables(nf, '-t nat -A OUTPUT -p tcp -d 192.168.0.10 --dport 80 -j DNAT --to-destination 127.0.0.1:8080').exitCode).toBe(0);
    expect(iptables(nf, '-A INPUT -m conntrack --ctstate INVALID -j DROP').exitCode).toBe(0);
    const p = pkt(tcp('192.168.0.10', '192.168.0.10', 40000, 80, SYN), null, 'lo');
    expect(nf.run(Hook.OUTPUT, p)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.POSTROUTING, p)).toBe(Verdict.ACCEPT);
    expect(dstOf(p.buf)).toBe(ip('127.0.0.1'));
    // The stack re-injects the same packet on lo, ct kept.
    p.inIf = 'lo';
    p.outIf = null;
    expect(nf.run(Hook.PREROUTING, p)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.INPUT, p)).toBe(Verdict.ACCEPT);
    expect(dportOf(p.buf)).toBe(8080);
    // The answer comes back from 127.0.0.1:8080 as from 192.168.0.10:80.
    const r = pkt(tcp('127.0.0.1', '192.168.0.10', 8080, 40000, SYN | ACK), null, 'lo');
    expect(nf.run(Hook.OUTPUT, r)).toBe(Verdict.ACCEPT);
    expect(nf.run(Hook.POSTROUTING, r)).toBe(Verdict.ACCEPT);
    expect(srcOf(r.buf)).toBe(ip('192.168.0.10'));
    expect(sportOf(r.buf)).toBe(80);
    expect(checksumsOk(r.buf)).toBe(true);
  });
});

