import type { Clock } from '../sim/clock.js';
import type { Prng } from '../sim/prng.js';
import { BridgeDev } from '../link/bridge.js';
import { createVethPair, type VethDev } from '../link/veth.js';
import { Namespace } from '../stack/namespace.js';
import { parseIp } from '../wire/addr.js';
import { Udp } from '../stack/udp.js';
import { ZoneServer } from '../dns/zone-server.js';

/** Public hosts of the emulated internet: each answers ping; 8.8.8.8 and 1.1.1.1 serve DNS. */
export const PUBLIC_HOSTS: Record<string, string> = {
  '8.8.8.8': 'dns.google',
  '8.8.4.4': 'dns.google',
  '1.1.1.1': 'one.one.one.one',
  '93.184.215.14': 'example.com',
  '142.250.74.46': 'google.com',
  '140.82.121.4': 'github.com',
};

/** Latencies: a switched LAN and a WAN hop of a home connection. */
const LAN_DELAY_MS = 0.15;
const WAN_DELAY_MS = 4.5;

/**
 * The world outside the Docker host: the host's eth0 sits on a LAN (a switch) with a router
 * at .1 that forwards (and masquerades, like a home router) to an "internet" namespace that
 * owns the public addresses. Nothing here touches the real network.
 */
export class World {
  readonly lanSwitch: BridgeDev;
  readonly router: Namespace;
  readonly internet: Namespace;
  readonly hostUplink: VethDev;
  readonly routerIp: number;

  constructor(clock: Clock, prng: Prng, hostIp: number, prefixLen: number, nextIndex: () => number, randomMac: () => number) {
    const net = (hostIp & (0xffffffff << (32 - prefixLen))) >>> 0;
    this.routerIp = (net + 1) >>> 0;
    this.lanSwitch = new BridgeDev('lan0', 1000, randomMac(), clock);
    // host eth0 <-> switch
    const [eth0, swHost] = createVethPair(clock, { name: 'eth0', index: 2, mac: randomMac() }, { name: 'sw-host', index: 1001, mac: randomMac() });
    eth0.kind = 'ether';
    eth0.gsoMaxSize = 0;
    eth0.delayMs = LAN_DELAY_MS / 2;
    swHost.delayMs = LAN_DELAY_MS / 2;
    this.lanSwitch.addPort(swHost);
    this.hostUplink = eth0;

    this.router = new Namespace('router', clock, prng.fork('router'));
    const [rLan, swR] = createVethPair(clock, { name: 'eth0', index: 2, mac: randomMac() }, { name: 'sw-router', index: 1002, mac: randomMac() });
    rLan.kind = 'ether';
    rLan.gsoMaxSize = 0;
    rLan.delayMs = LAN_DELAY_MS / 2;
    swR.delayMs = LAN_DELAY_MS / 2;
    this.lanSwitch.addPort(swR);
    this.router.addDev(rLan);
    this.router.addAddress(rLan, this.routerIp, prefixLen);
    this.router.ipForward = true;

    this.internet = new Namespace('internet', clock, prng.fork('internet'));
    const wanNet = parseIp('198.51.100.0');
    const [rWan, iEth] = createVethPair(clock, { name: 'eth1', index: 3, mac: randomMac() }, { name: 'eth0', index: 2, mac: randomMac() });
    rWan.kind = 'ether';
    iEth.kind = 'ether';
    rWan.gsoMaxSize = 0;
    iEth.gsoMaxSize = 0;
    rWan.delayMs = WAN_DELAY_MS;
    iEth.delayMs = WAN_DELAY_MS;
    this.router.addDev(rWan);
    this.router.addAddress(rWan, wanNet + 2, 24);
    this.router.addRoute({ dst: 0, prefixLen: 0, gw: wanNet + 1, dev: rWan });
    this.internet.addDev(iEth);
    this.internet.addAddress(iEth, wanNet + 1, 24);
    for (const ip of Object.keys(PUBLIC_HOSTS)) this.internet.addAddress(iEth, parseIp(ip), 32);
    // The internet routes the LAN back through the router (no NAT needed at the router).
    this.internet.addRoute({ dst: net, prefixLen, gw: wanNet + 2, dev: iEth });
    void nextIndex;
    // Public DNS (8.8.8.8, 1.1.1.1, …): one zone server bound to every address of the internet.
    const zone: Record<string, number[]> = {};
    for (const [ip, name] of Object.entries(PUBLIC_HOSTS)) (zone[name] ??= []).push(parseIp(ip));
    zone['www.example.com'] = [parseIp('93.184.215.14')];
    zone['docker.com'] = [parseIp('141.193.213.10')];
    // One socket per address: a server bound to 0.0.0.0 would answer from the primary address.
    const udp = new Udp(this.internet);
    this.dns = ['8.8.8.8', '8.8.4.4', '1.1.1.1'].map((ip) => {
      const z = new ZoneServer(udp, { a: zone }, parseIp(ip), 53);
      z.start();
      return z;
    });
  }

  readonly dns: ZoneServer[];

  dispose(): void {
    this.router.dispose();
    this.internet.dispose();
  }
}
