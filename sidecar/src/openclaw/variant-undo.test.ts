import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropVariantUndo, keepVariantUndo, readVariantUndo } from './variant-undo.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('the record of what a variant changed', () => {
  it('keeps the first record until the variant is removed', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ds-variant-undo-'));
    expect(readVariantUndo(dir, 'ab-b')).toBeUndefined();
    keepVariantUndo(dir, { agentId: 'ab-b', before: { 'session.dmScope': 'main' } });
    // A later change sees a config the variant changed already: the first record stays.
    keepVariantUndo(dir, { agentId: 'ab-b', before: { 'session.dmScope': 'per-channel-peer' } });
    expect(readVariantUndo(dir, 'ab-b')).toEqual({ agentId: 'ab-b', before: { 'session.dmScope': 'main' } });
    dropVariantUndo(dir, 'ab-b');
    expect(readVariantUndo(dir, 'ab-b')).toBeUndefined();
  });

  it('reads a damaged or foreign record as none', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ds-variant-undo-'));
    keepVariantUndo(dir, { agentId: 'ab-b', before: {} });
    writeFileSync(path.join(dir, 'variants', 'ab-b.json'), '{"agentId":"other","before":{}}');
    expect(readVariantUndo(dir, 'ab-b')).toBeUndefined();
    writeFileSync(path.join(dir, 'variants', 'ab-b.json'), '{not json');
    expect(readVariantUndo(dir, 'ab-b')).toBeUndefined();
  });
});
