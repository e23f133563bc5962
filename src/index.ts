/** vnet public API. */
export { Engine, type EngineOptions, type ContainerSpec, type CreateNetworkOptions } from './engine/engine.js';
export { ContainerHandle, NetworkHandle } from './engine/handles.js';
export { DockerError } from './engine/errors.js';
export type { ExecResult } from './engine/container.js';
export { VirtualClock } from './sim/virtual-clock.js';
export { RealClock } from './sim/real-clock.js';
export type { Clock } from './sim/clock.js';
export { readPcap } from './wire/pcap.js';
