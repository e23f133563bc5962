import type { BridgeDev } from '../link/bridge.js';
import { ipToString } from '../wire/addr.js';
import type { AddressPool } from './ipam.js';
import type { Endpoint } from './endpoint.js';

export type Driver = 'bridge' | 'host' | 'null';

export interface IpamConfigEntry {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
}

/** A Docker network: its IPAM, its bridge device in the host namespace, its endpoints. */
export class Network {
  readonly endpoints = new Map<string, Endpoint>();
  pool: AddressPool | null = null;
  gateway = 0;
  bridge: BridgeDev | null = null;
  internal = false;
  attachable = false;
  icc = true;
  masquerade = true;
  /** IPAM.Config as inspect shows it (the user's request, or the allocation). */
  ipamConfig: IpamConfigEntry[] | null = null;
  /** IPAM.Options: null for the daemon-created networks, {} for CLI-created ones. */
  ipamOptions: Record<string, string> | null = null;
  options: Record<string, string> = {};
  labels: Record<string, string> = {};
  /** Whether the user chose the subnet (then --ip is allowed). */
  userSubnet = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly driver: Driver,
    readonly created: number,
    readonly isDefault = false,
  ) {}

  get bridgeName(): string {
    return this.bridge?.name ?? '';
  }

  /** Predefined networks (bridge, host, none) cannot be removed or re-created. */
  get predefined(): boolean {
    return this.name === 'bridge' || this.name === 'host' || this.name === 'none';
  }

  /** User-defined networks get the embedded DNS and aliases. */
  get userDefined(): boolean {
    return !this.predefined;
  }

  subnetString(): string {
    return this.pool ? this.pool.toString() : '';
  }

  gatewayString(): string {
    return this.gateway ? ipToString(this.gateway) : '';
  }
}
