/**
 * The log follower's saved position only moves once its lines are in the outbox: a crash between
 * reading lines and the next batch must re-read them, not skip them. [SPEC 4.4]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logsCollector } from '../src/collectors/logs/index.js';
import { startTestSidecar, uniqueId } from './helpers/sidecar.js';

const logDir = mkdtempSync(path.join(tmpdir(), 'ds-logcursor-'));
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

describe('log position', () => {
  it('is saved after the batch holding the lines is appended to the outbox, not before', async () => {
    const line = JSON.stringify({ time: new Date().toISOString(), _meta: { logLevelName: 'INFO' }, 0: 'hello' });
    writeFileSync(path.join(logDir, 'openclaw-2026-11-25.log'), `${line}\n${line}\n`);
    // no broker: everything stays in the outbox, which is what "durable" means here
    const t = await startTestSidecar(
      'mqtt://127.0.0.1:9',
      uniqueId('logs'),
      'pw',
      { openclawLogDir: logDir, batchIntervalMs: 3_600_000 },
      { collectors: [logsCollector] },
    );
    const cursor = path.join(t.stateDir, 'log-cursor.json');
    try {
      const logsHeld = () => [...t.sidecar.outbox.entries()].filter((e) => e.stream === 'logs').length;
      // the collector read both lines at start; they wait in the 1 h batch
      expect(logsHeld()).toBe(0);
      expect(existsSync(cursor)).toBe(false);
      t.sidecar.flush();
      expect(logsHeld()).toBe(1);
      expect(JSON.parse(readFileSync(cursor, 'utf8')).offset).toBe(Buffer.byteLength(`${line}\n${line}\n`));
    } finally {
      await t.cleanup();
    }
  });
});
