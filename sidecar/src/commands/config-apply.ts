import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { OpenclawLimits } from '@deepsignal/protocol';
import { writeAtomic } from '../changes/bundle-state.js';
import { guardedChange } from '../changes/guarded.js';
import { openclawConfigPath, openclawWorkspace } from '../openclaw/config-file.js';
import { addLimitsToPatch, currentLimits } from '../openclaw/limits.js';
import { getConfig, patchConfig } from '../openclaw/ops.js';
import { addVariantToPatch, type VariantAgent } from '../openclaw/variant.js';
import { dropVariantUndo, keepVariantUndo, readVariantUndo } from '../openclaw/variant-undo.js';
import { requireGateway } from './gateway.js';
import type { CommandHandler } from './types.js';

interface Params {
  model?: string;
  providerKeys?: { anthropic?: string; openrouter?: string };
  channels?: Record<string, Record<string, unknown>>;
  identity?: Record<string, unknown>;
  files?: Record<string, string | undefined>;
  limits?: OpenclawLimits;
  revision?: number;
  variant?: VariantAgent;
}

/** The variant agent's workspace, beside the main one (`workspace-<agentId>`). */
function variantWorkspace(ctx: Parameters<CommandHandler>[0], agentId: string): string {
  const main = openclawWorkspace(openclawConfigPath(ctx.config.openclawConfig));
  return path.join(path.dirname(main), `workspace-${path.basename(agentId)}`);
}

/**
 * `config.apply`: one `config.patch` (on the current base hash) with model, provider keys,
 * channels, identity and an A/B variant agent (openclaw/variant.ts); persona files written to
 * the workspaces; as a guarded change (snapshot, health check, rollback). [SPEC 6.2, 6.8]
 */
export const configApply: CommandHandler = async (ctx) => {
  const result = await guardedChange(ctx, () => applyConfig(ctx));
  // Only once the removal held (a rolled back one leaves the variant, and its record, in place).
  const v = (ctx.params as Params).variant;
  if (v?.remove) dropVariantUndo(ctx.config.stateDir, v.agentId);
  return result;
};

async function applyConfig(ctx: Parameters<CommandHandler>[0]) {
  const p = ctx.params as Params;
  const applied: string[] = [];
  const patch: Record<string, unknown> = {};
  const agents: Record<string, unknown> = {};
  if (p.model) {
    agents.defaults = { model: { primary: p.model } };
    applied.push('model');
  }
  if (p.identity) {
    agents.entries = { main: { identity: p.identity } };
    applied.push('identity');
  }
  // The variant's workspace is written first, so the agent has its persona when it appears.
  if (p.variant && !p.variant.remove) {
    const workspace = variantWorkspace(ctx, p.variant.agentId);
    mkdirSync(workspace, { recursive: true });
    for (const [name, text] of Object.entries(p.variant.files))
      if (text !== undefined) writeAtomic(path.join(workspace, path.basename(name)), text);
  }
  if (Object.keys(agents).length) patch.agents = agents;
  if (p.providerKeys) {
    const providers: Record<string, unknown> = {};
    for (const [name, apiKey] of Object.entries(p.providerKeys)) if (apiKey) providers[name] = { apiKey };
    if (Object.keys(providers).length) {
      patch.models = { providers };
      applied.push('providerKeys');
    }
  }
  if (p.channels) {
    patch.channels = p.channels;
    applied.push(...Object.keys(p.channels).map((c) => `channels.${c}`));
  }
  if (p.limits) applied.push(...addLimitsToPatch(patch, p.limits));
  let hash: string | null = null;
  let replacePaths: string[] = [];
  let previousLimits: OpenclawLimits | undefined;
  if (Object.keys(patch).length || p.variant) {
    const gw = await requireGateway(ctx);
    const current = p.limits || p.variant ? (await getConfig(gw)).config : {};
    // What the limits were, so the hub can put them back (a throttle is lifted later).
    if (p.limits) previousLimits = currentLimits(current, p.limits);
    if (p.variant) {
      const main = openclawWorkspace(openclawConfigPath(ctx.config.openclawConfig));
      const workspaces = { main, variant: variantWorkspace(ctx, p.variant.agentId) };
      const undo = readVariantUndo(ctx.config.stateDir, p.variant.agentId);
      const v = addVariantToPatch(patch, p.variant, current, workspaces, undo);
      // Kept before the config changes, so a removal can always put back what was there.
      if (v.undo) keepVariantUndo(ctx.config.stateDir, v.undo);
      applied.push(v.applied);
      replacePaths = v.replacePaths;
    }
    hash = await patchConfig(gw, patch, { replacePaths });
    ctx.progress({ message: 'configuration patched' });
  }
  if (p.files) {
    const dir = openclawWorkspace(openclawConfigPath(ctx.config.openclawConfig));
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(p.files)) {
      if (text === undefined) continue;
      // Names come from the catalog's strict schema (SOUL.md, AGENTS.md, IDENTITY.md, USER.md).
      writeAtomic(path.join(dir, path.basename(name)), text);
      applied.push(`files.${name}`);
    }
  }
  return {
    applied,
    hash,
    ...(previousLimits ? { previousLimits } : {}),
    ...(p.revision !== undefined ? { revision: p.revision } : {}),
  };
}
