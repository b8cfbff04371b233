import { conversationsCollector } from './conversations/index.js';
import { logsCollector } from './logs/index.js';
import { openclawCollector } from './openclaw/index.js';
import { processCollector } from './process/index.js';
import { systemCollector } from './system/index.js';
import type { CollectorFactory } from './types.js';

/** Every built-in collector, one line each. */
export const COLLECTORS: readonly CollectorFactory[] = [
  systemCollector,
  processCollector,
  openclawCollector,
  logsCollector,
  conversationsCollector,
];
