export { Tcp, type ConnectOptions } from './tcp.js';
export { TcpConnection } from './connection.js';
export { TcpListener } from './listener.js';
export type { TcpHandler } from './handler.js';
export { TcpStats } from './stats.js';
export { DEFAULT_TCP_CONFIG, type TcpConfig } from './config.js';
export { TcpState, TCP_STATE_NAMES } from './state.js';
