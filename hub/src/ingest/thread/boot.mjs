// Entry of the metrics writer thread. The hub runs from its TypeScript sources through tsx, and a
// worker thread does not inherit tsx's loader from `--import`, so it is registered here first.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
