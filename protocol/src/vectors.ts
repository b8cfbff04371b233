import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the golden test vectors, for the hub's and sidecar's tests. */
export const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');

/** Reads one vector file, e.g. `loadVector('messages/metrics.json')`. */
export function loadVector<T = unknown>(rel: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, rel), 'utf8')) as T;
}
