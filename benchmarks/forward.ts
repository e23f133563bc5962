/**
 * Frames/s routed through a host namespace that FORWARDs (veth → namespace with ip_forward
 * and iptables → veth), with 0, 10 and 100 rules in FORWARD plus conntrack, against the
 * bridge-only path (veth → bridge → veth) over frames of the same size, measured in the same
 * run. The routed path does what Linux does per packet: IPv4 validation (checksum), route
 * lookup, netfilter PREROUTING/FORWARD/POSTROUTING, TTL decrement on a private copy,
 * neighbour lookup, transmit.
 */
import { VirtualClock } from '../src/sim/virtual-clock.js';
import { Prng } from '../src/sim/prng.js';
import { BridgeDev } from '../src/link/bridge.js';
import { createVethPair, type VethDev } from '../src/link/veth.js';
import { Namespace } from '../src/stack/namespace.js';
import { attachNetfilter } from '../src/stack/netfilter-host.js';
import { iptables } from '../src/netfilter/iptables-cli.js';
import { writeMac } from '../src/wire/mac.js';
import { parseIp, writeU16 } from '../src/wire/addr.js';
import { encodeIpv4, PROTO_UDP } from '../src/wire/ipv4.js';
import { buildUdp } from '../src/wire/udp.js';
import { medianOf, report, row, type Row } from './harness.js';

const FRAMES = 200_000;
/** Distinct flows (UDP source ports): conntrack holds one entry per flow. */
const FLOWS = 256;
const BURST = 1024;

const SRC = parseIp('10.0.1.2');
const DST = parseIp('10.0.2.2');
const MAC_CLIENT = 0x020000000001;
const MAC_LAN = 0x020000000002;
const MAC_WAN = 0x020000000003;
const MAC_SERVER = 0x020000000004;

/** Valid Ethernet+IPv4+UDP frames of `size` bytes (no FCS), one per flow. */
function buildFrames(size: number, dstMac: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const payload = new Uint8Array(size - 14 - 20 - 8);
  for (let i = 0; i < FLOWS; i++) {
    const udp = buildUdp(SRC, DST, 20000 + i, 9, payload);
    const ip = encodeIpv4({ tos: 0, id: i, df: true, ttl: 64, proto: PROTO_UDP, src: SRC, dst: DST, payload: udp });
    const f = new Uint8Array(14 + ip.length);
    writeMac(f, 0, dstMac);
    writeMac(f, 6, MAC_CLIENT);
    writeU16(f, 12, 0x0800);
    f.set(ip, 14);
    out.push(f);
  }
  return out;
}

/** Push FRAMES frames into `input` in bursts (draining the clock between bursts); frames/s. */
function pump(clock: VirtualClock, input: VethDev, frames: Uint8Array[], delivered: () => number, reset: () => void): number {
  reset();
  const t0 = performance.now();
  const nf = frames.length;
  for (let i = 0; i < FRAMES; ) {
    const end = Math.min(FRAMES, i + BURST);
    for (; i < end; i++) input.xmit(frames[i % nf]!);
    clock.advance(clock.now() + 0.05);
  }
  const dt = (performance.now() - t0) / 1000;
  if (delivered() !== FRAMES) throw new Error(`delivered ${delivered()}/${FRAMES}`);
  return FRAMES / dt;
}

type Ruleset = 'none' | 'empty' | number;

/** client ─veth─ [lan0  router namespace  wan0] ─veth─ server sink. */
function benchForward(size: number, rules: Ruleset): () => number {
  const clock = new VirtualClock();
  const ns = new Namespace('router', clock, new Prng(1));
  ns.ipForward = true;
  const [client, lan] = createVethPair(clock, { name: 'client', index: 10, mac: MAC_CLIENT }, { name: 'lan0', index: 2, mac: MAC_LAN });
  const [wan, server] = createVethPair(clock, { name: 'wan0', index: 3, mac: MAC_WAN }, { name: 'server', index: 11, mac: MAC_SERVER });
  ns.addDev(lan);
  ns.addDev(wan);
  ns.addAddress(lan, parseIp('10.0.1.1'), 24);
  ns.addAddress(wan, parseIp('10.0.2.1'), 24);
  ns.neigh.addPermanent(wan, DST, MAC_SERVER);
  let received = 0;
  server.rx = () => {
    received++;
  };
  if (rules !== 'none') {
    const nf = attachNetfilter(ns);
    const ipt = (line: string): void => {
      const r = iptables(nf, line);
      if (r.exitCode !== 0) throw new Error(`iptables ${line}: ${r.stderr}`);
    };
    if (typeof rules === 'number') {
      ipt('-P FORWARD DROP');
      // rules that each packet is tested against and none matches (like DOCKER-ISOLATION per network)
      for (let i = 0; i < rules; i++) ipt(`-A FORWARD -s 198.18.${i}.0/24 -i lan0 -o wan0 -p udp --dport ${1000 + i} -j DROP`);
      ipt('-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
      ipt('-A FORWARD -i lan0 -o wan0 -j ACCEPT');
    }
  }
  const frames = buildFrames(size, MAC_LAN);
  return () => pump(clock, client, frames, () => received, () => (received = 0));
}

/** client ─veth─ bridge ─veth─ server: the L2 path a same-network container pair uses. */
function benchBridgeOnly(size: number): () => number {
  const clock = new VirtualClock();
  const br = new BridgeDev('br0', 1, 0x0242000000ff, clock);
  const [client, p1] = createVethPair(clock, { name: 'client', index: 10, mac: MAC_CLIENT }, { name: 'p1', index: 11, mac: 0x020000100001 });
  const [server, p2] = createVethPair(clock, { name: 'server', index: 12, mac: MAC_SERVER }, { name: 'p2', index: 13, mac: 0x020000100002 });
  br.addPort(p1);
  br.addPort(p2);
  let received = 0;
  server.rx = () => {
    received++;
  };
  client.rx = () => {};
  // the server announces itself once so the bridge learns its port
  const hello = new Uint8Array(60);
  writeMac(hello, 0, 0xffffffffffff);
  writeMac(hello, 6, MAC_SERVER);
  server.xmit(hello);
  clock.advance(clock.now() + 1);
  const frames = buildFrames(size, MAC_SERVER);
  return () => pump(clock, client, frames, () => received, () => (received = 0));
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  // "N rules + conntrack": FORWARD policy DROP, N rules every packet is tested against and
  // none matches, then `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT` (conntrack on:
  // lookup/create per packet, confirm at POSTROUTING) and `-i lan0 -o wan0 -j ACCEPT`.
  const cases: [string, Ruleset][] = [
    ['no netfilter', 'none'],
    ['iptables, FORWARD empty', 'empty'],
    ['0 rules + conntrack', 0],
    ['10 rules + conntrack', 10],
    ['100 rules + conntrack', 100],
  ];
  for (const size of [64, 1514]) {
    const bridge = await medianOf(5, benchBridgeOnly(size));
    rows.push(row(`veth→bridge→veth ${size} B`, 'frames/s', bridge, 'same (bridge-only)', bridge));
    for (const [label, rules] of cases) {
      const v = await medianOf(5, benchForward(size, rules));
      rows.push(row(`routed FORWARD ${label} ${size} B`, 'frames/s', v, 'veth→bridge→veth', bridge));
    }
  }
  report('forward', rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
