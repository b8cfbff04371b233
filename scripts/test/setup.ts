import { beforeEach } from 'vitest';
import { dumpLogs } from './diagnostics.js';

// Every test file: when a test fails, the logs of the hubs and processes it started are kept.
beforeEach(({ task, onTestFailed }) => {
  onTestFailed(() => dumpLogs(task.name, task.file?.filepath ?? 'unknown'));
});
