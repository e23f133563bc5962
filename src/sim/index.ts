export * from './clock.js';
export { VirtualClock } from './virtual-clock.js';
export { RealClock } from './real-clock.js';
export { Prng } from './prng.js';
