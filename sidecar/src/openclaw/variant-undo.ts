import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../changes/bundle-state.js';
import type { VariantUndo } from './variant.js';

/**
 * What the OpenClaw config held before an A/B variant first changed it, kept in
 * `<stateDir>/variants/<agentId>.json` until the variant is removed. The first record stays: a
 * later change for the same variant (more peers) sees a config the variant has already changed.
 */
const fileOf = (stateDir: string, agentId: string) => path.join(stateDir, 'variants', `${path.basename(agentId)}.json`);

export function readVariantUndo(stateDir: string, agentId: string): VariantUndo | undefined {
  try {
    const r = JSON.parse(readFileSync(fileOf(stateDir, agentId), 'utf8')) as VariantUndo;
    return r && r.agentId === agentId && r.before && typeof r.before === 'object' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the record unless one is kept already. */
export function keepVariantUndo(stateDir: string, undo: VariantUndo): void {
  if (!readVariantUndo(stateDir, undo.agentId)) writeAtomic(fileOf(stateDir, undo.agentId), JSON.stringify(undo));
}

export function dropVariantUndo(stateDir: string, agentId: string): void {
  rmSync(fileOf(stateDir, agentId), { force: true });
}
