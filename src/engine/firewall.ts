import type { Netfilter } from '../netfilter/netfilter.js';
import { attachNetfilter } from '../stack/netfilter-host.js';
import type { Namespace } from '../stack/namespace.js';
import { setupBridgeNetwork, setupDaemonChains, teardownBridgeNetwork, type BridgeNetworkRules } from './docker-iptables.js';
import type { Network } from './network.js';

/** The rules one bridge network gets (its options decide ICC, masquerading, internal). */
export function bridgeRules(n: Network): BridgeNetworkRules {
  return {
    bridge: n.bridgeName,
    subnet: n.subnetString(),
    icc: n.options['com.docker.network.bridge.enable_icc'] !== 'false',
    internal: n.internal,
    masquerade: n.options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false',
  };
}

/** Docker's daemon start: the host gets iptables with Docker's chains. */
export function startFirewall(hostNs: Namespace): Netfilter {
  const nf = attachNetfilter(hostNs);
  setupDaemonChains(nf);
  return nf;
}

export function addNetworkRules(nf: Netfilter, n: Network): void {
  if (n.driver === 'bridge') setupBridgeNetwork(nf, bridgeRules(n));
}

export function removeNetworkRules(nf: Netfilter, n: Network): void {
  if (n.driver === 'bridge') teardownBridgeNetwork(nf, bridgeRules(n));
}
