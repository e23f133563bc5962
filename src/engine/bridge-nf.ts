import type { NetDev } from '../link/netdev.js';
import type { BridgeDev } from '../link/bridge.js';
import { Hook, Verdict, type NfPacket } from '../netfilter/hook.js';
import type { Netfilter } from '../netfilter/netfilter.js';
import { ETH_HLEN, ETHERTYPE_IPV4 } from '../wire/ethernet.js';
import { readMac } from '../wire/mac.js';

/**
 * br_netfilter (net.bridge.bridge-nf-call-iptables=1), which dockerd ≤ 27 turns on for every
 * bridge once it enables IP forwarding (moby libnetwork/drivers/bridge/
 * setup_bridgenetfiltering.go, "Enable bridge net filtering if ip forwarding is enabled"):
 * IPv4 frames the bridge switches from one port to another also traverse the host's
 * PREROUTING, FORWARD and POSTROUTING, with the bridge as both input and output interface.
 * That is what makes the ICC rule (`-i br -o br -j ACCEPT|DROP`) see container↔container
 * traffic, and conntrack see its connections.
 *
 * Installed by wrapping the bridge port's receive function, so frames addressed to the
 * bridge itself (routed by the host stack) and non-IPv4 frames (ARP) pass untouched.
 */
export function filterBridgedFrames(nf: Netfilter, br: BridgeDev, port: NetDev): void {
  const bridgeRx = port.rx;
  const name = br.name;
  port.rx = (frame: Uint8Array, dev: NetDev): void => {
    if (
      frame.length >= ETH_HLEN + 20 &&
      frame[12] === ETHERTYPE_IPV4 >> 8 && frame[13] === (ETHERTYPE_IPV4 & 0xff) &&
      (frame[0]! & 1) === 0 && readMac(frame, 0) !== br.mac
    ) {
      const p: NfPacket = { buf: frame, off: ETH_HLEN, inIf: name, outIf: null, ct: null };
      if (nf.run(Hook.PREROUTING, p) !== Verdict.ACCEPT) return;
      p.outIf = name;
      if (nf.run(Hook.FORWARD, p) !== Verdict.ACCEPT) return;
      if (nf.run(Hook.POSTROUTING, p) !== Verdict.ACCEPT) return;
      frame = p.buf;
    }
    bridgeRx(frame, dev);
  };
}
