import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConversationMessage } from '@deepsignal/protocol';
import { CANARY_SESSION } from '../../changes/health.js';
import { errorMessage } from '../../errors.js';
import type { Collector, CollectorContext, CollectorFactory } from '../types.js';
import { channelOf, type HistoryMessage, toConversationMessage } from './map.js';

interface Cursor {
  /** Highest transcript seq sent per session. */
  seq: Record<string, number>;
}

/**
 * Conversation turns from the gateway: every `chat` final frame triggers a read of that session's
 * history (which carries token usage and cost); after each (re)connect, sessions.list +
 * chat.history catch up on what happened meanwhile. A per-session cursor on disk means no turn is
 * missed or sent twice; the hub also stores each messageId once. [SPEC 5.5]
 */
export function createConversationsCollector(ctx: CollectorContext): Collector {
  const gw = ctx.gateway;
  const file = path.join(ctx.config.stateDir, 'conversations-cursor.json');
  let cursor: Cursor = { seq: {} };
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Cursor;
    if (j && typeof j.seq === 'object') cursor = { seq: { ...j.seq } };
  } catch {}
  const channels = new Map<string, string>();
  const finals = new Map<string, number>();
  const chains = new Map<string, Promise<void>>();

  const save = () => {
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(cursor), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (e) {
      ctx.log('warn', `conversations cursor: ${errorMessage(e)}`);
    }
  };

  async function readSession(sessionKey: string): Promise<void> {
    // The health check's canary turns are the platform talking to itself, not a conversation.
    if (!gw?.connected || sessionKey === CANARY_SESSION) return;
    const r = await gw.request<{ messages?: HistoryMessage[] }>('chat.history', { sessionKey, limit: 200 }, 30_000);
    const msgs = (r.messages ?? [])
      .filter((m) => typeof m.__openclaw?.seq === 'number')
      .sort((a, b) => a.__openclaw!.seq! - b.__openclaw!.seq!);
    const from = cursor.seq[sessionKey] ?? 0;
    const out: ConversationMessage[] = [];
    let prevUser: number | null = null;
    let top = from;
    const channel = channels.get(sessionKey) ?? channelOf(sessionKey);
    for (const m of msgs) {
      if (m.role === 'user') prevUser = typeof m.timestamp === 'number' ? m.timestamp : prevUser;
      const seq = m.__openclaw!.seq!;
      if (seq <= from) continue;
      const c = toConversationMessage(
        m,
        sessionKey,
        channel,
        prevUser,
        m.__openclaw?.runId ? finals.get(m.__openclaw.runId) : undefined,
        ctx.now(),
      );
      if (c) out.push(c);
      top = Math.max(top, seq);
    }
    if (out.length) ctx.emit.conversations(out); // durable in the outbox when this returns
    if (top > from) {
      cursor.seq[sessionKey] = top;
      save();
    }
  }

  /** One read at a time per session, so two final frames cannot send a turn twice. */
  function queue(sessionKey: string): Promise<void> {
    const prev = chains.get(sessionKey) ?? Promise.resolve();
    const next = prev
      .then(() => readSession(sessionKey))
      .catch((e) => ctx.log('warn', `conversations ${sessionKey}: ${errorMessage(e)}`));
    chains.set(sessionKey, next);
    return next;
  }

  async function catchUp(): Promise<void> {
    if (!gw?.connected) return;
    const r = await gw.request<{ sessions?: Record<string, unknown>[] }>('sessions.list', { limit: 200 }, 30_000);
    for (const s of r.sessions ?? []) {
      const key = typeof s.key === 'string' ? s.key : null;
      if (!key) continue;
      channels.set(key, channelOf(key, s));
      await queue(key);
    }
  }

  const onEvent = (name: string, payload: unknown) => {
    if (name !== 'chat') return;
    const p = payload as { state?: string; sessionKey?: string; runId?: string };
    if (!p?.sessionKey || (p.state !== 'final' && p.state !== 'error' && p.state !== 'aborted')) return;
    if (p.runId) {
      finals.set(p.runId, ctx.now());
      if (finals.size > 500) finals.delete(finals.keys().next().value!);
    }
    void queue(p.sessionKey);
  };
  const onUp = () => void catchUp().catch((e) => ctx.log('warn', `conversations catch-up: ${errorMessage(e)}`));

  return {
    name: 'conversations',
    start() {
      if (!gw) return;
      gw.on('event', onEvent);
      gw.on('up', onUp);
      if (gw.connected) onUp();
    },
    async stop() {
      gw?.off('event', onEvent);
      gw?.off('up', onUp);
      await Promise.allSettled([...chains.values()]);
    },
  };
}

export const conversationsCollector: CollectorFactory = {
  name: 'conversations',
  create: (ctx) => createConversationsCollector(ctx),
};
