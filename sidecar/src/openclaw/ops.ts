import type { GatewayLike } from './types.js';

/** `config.get`: the parsed config (OpenClaw redacts its own secrets) and its hash. */
export async function getConfig(gw: GatewayLike): Promise<{ config: Record<string, unknown>; hash: string | null }> {
  const r = await gw.request<Record<string, unknown>>('config.get', {});
  const config = (r.config ?? r.parsed ?? r.resolved ?? {}) as Record<string, unknown>;
  return { config, hash: typeof r.hash === 'string' ? r.hash : null };
}

/** The default model (`agents.defaults.model.primary`), or null. */
export function modelOf(config: Record<string, unknown>): string | null {
  const m = (config.agents as { defaults?: { model?: unknown } } | undefined)?.defaults?.model;
  if (typeof m === 'string') return m;
  const p = (m as { primary?: unknown } | undefined)?.primary;
  return typeof p === 'string' ? p : null;
}

/**
 * How long `config.patch` may take to answer: OpenClaw answers once it has written the file and
 * evaluated the reload, 12-26 s on a busy 2-core server and over 30 s at worst; a late answer
 * read as a failure rolled back a change the gateway had in fact applied.
 */
const PATCH_TIMEOUT_MS = 120_000;

/**
 * `config.patch` with the current base hash (a merge patch of the given object). Retries once
 * when the config changed underneath (hash mismatch). Returns the new hash. `replacePaths` names
 * the arrays the patch shrinks or deletes on purpose: OpenClaw refuses such a patch otherwise.
 */
export async function patchConfig(
  gw: GatewayLike,
  patch: Record<string, unknown>,
  opts: { timeoutMs?: number; replacePaths?: string[] } = {},
): Promise<string | null> {
  const { timeoutMs = PATCH_TIMEOUT_MS, replacePaths = [] } = opts;
  for (let attempt = 0; ; attempt++) {
    const { hash } = await getConfig(gw);
    try {
      const r = await gw.request<{ hash?: unknown }>(
        'config.patch',
        {
          raw: JSON.stringify(patch),
          ...(hash ? { baseHash: hash } : {}),
          ...(replacePaths.length ? { replacePaths } : {}),
        },
        timeoutMs,
      );
      return typeof r?.hash === 'string' ? r.hash : null;
    } catch (e) {
      if (attempt >= 1 || !/hash|changed|conflict/i.test((e as Error).message)) throw e;
    }
  }
}

/** Channel ids and their state from `channels.status`. */
export async function listChannels(
  gw: GatewayLike,
  timeoutMs?: number,
): Promise<{ id: string; enabled?: boolean; connected?: boolean; error?: string | null }[]> {
  const r = await gw.request<{ channelOrder?: unknown; channels?: Record<string, Record<string, unknown>> }>(
    'channels.status',
    {},
    timeoutMs,
  );
  const channels = r.channels ?? {};
  const ids = Array.isArray(r.channelOrder)
    ? r.channelOrder.filter((c): c is string => typeof c === 'string')
    : Object.keys(channels);
  return ids.slice(0, 32).map((id) => {
    const c = channels[id] ?? {};
    const running = c.running ?? c.connected;
    return {
      id,
      enabled:
        typeof c.enabled === 'boolean' ? c.enabled : typeof c.configured === 'boolean' ? c.configured : undefined,
      connected: typeof running === 'boolean' ? running : undefined,
      error: typeof c.lastError === 'string' ? c.lastError.slice(0, 200) : null,
    };
  });
}

/** Stops every channel (the lasting form of a pause: there is no pause flag in OpenClaw). */
export async function stopChannels(gw: GatewayLike, ids?: string[]): Promise<string[]> {
  const list = ids ?? (await listChannels(gw)).map((c) => c.id);
  for (const channel of list) await gw.request('channels.stop', { channel }, 30_000);
  return list;
}

export async function startChannels(gw: GatewayLike, ids?: string[]): Promise<string[]> {
  const list = ids ?? (await listChannels(gw)).map((c) => c.id);
  for (const channel of list) await gw.request('channels.start', { channel }, 30_000);
  return list;
}

/** Polls the gateway's `/readyz` over HTTP (same port as the WebSocket). */
export async function waitReady(wsUrl: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/readyz';
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !signal?.aborted) {
    try {
      const r = await fetch(u, { signal: AbortSignal.timeout(2000) });
      if (r.ok && ((await r.json()) as { ready?: boolean }).ready) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
