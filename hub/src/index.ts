/** Programmatic entry points of the hub (tests, demo, benchmarks). */
export { buildApp } from './app.js';
export { type HubConfig, type HubConfigInput, loadConfig, parseConfig } from './config.js';
export type { HubContext } from './context.js';
export { type RunningHub, type StartHubOptions, startHub } from './hub.js';
export { PortInUseError } from './util/listen.js';
