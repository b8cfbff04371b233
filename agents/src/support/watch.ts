import type { HubClient } from '../hub-client.js';
import type { TicketEntry } from '../hub-types.js';
import { type SupportTicket, supportApi } from './api.js';
import { causeGone, type SupportCategory } from './triage.js';

/** What the agent keeps in the meta of its notes, so a restart forgets nothing. */
export interface NoteMeta {
  triage?: boolean;
  category?: SupportCategory;
  measured?: boolean;
  escalated?: string | null;
  articles?: string[];
  /** When the agent first saw the cause gone (null: not gone, or back again). */
  healthySince?: string | null;
  resolutionProposed?: boolean;
}

/** What the follow-up of one ticket did. */
export interface WatchOutcome {
  ticketId: string;
  action: 'watching' | 'relapsed' | 'resolved' | 'proposed' | 'refused' | 'unchanged';
  detail: string;
}

/** The agent's latest note that carries its state, with that state. */
export function lastAgentState(thread: TicketEntry[]): NoteMeta | null {
  const notes = thread.filter(
    (e) => e.kind === 'note' && e.author === 'agent' && !!e.meta && typeof e.meta === 'object' && 'category' in e.meta,
  );
  return (notes.at(-1)?.meta as NoteMeta | undefined) ?? null;
}

/**
 * Follows a triaged ticket whose cause the hub measures: notes when the cause is gone (and when
 * it comes back), and once it stayed gone for `windowSec`, resolves it where the category allows
 * automatic replies (the hub checks the setting and the health again) or else proposes the
 * resolution to an operator. Escalated tickets are left to the person.
 */
export async function watchTicket(
  hub: HubClient,
  t: SupportTicket,
  o: { windowSec: number; autoCategories: Set<string>; dryRun: boolean; now?: number },
): Promise<WatchOutcome | null> {
  const state = lastAgentState(t.thread);
  if (!state?.measured || !state.category || !t.instanceId) return null;
  if (t.escalatedAt || state.escalated) return null;
  const now = o.now ?? Date.now();
  const instance = await hub.getInstance(t.instanceId).catch(() => null);
  const gone = causeGone(state.category, instance);
  const write = async (note: string, meta: NoteMeta, extra: { resolve?: string; proposeResolution?: string } = {}) => {
    if (!o.dryRun) await supportApi.write(hub, t.id, { note, meta: { ...state, ...meta }, ...extra });
  };
  if (!gone) {
    if (!state.healthySince) return { ticketId: t.id, action: 'unchanged', detail: 'the cause is still there' };
    await write(`Follow-up (support agent): the ${state.category} problem is back; not resolving.`, {
      healthySince: null,
      resolutionProposed: false,
    });
    return { ticketId: t.id, action: 'relapsed', detail: 'the cause came back' };
  }
  if (!state.healthySince) {
    const at = new Date(now).toISOString();
    await write(
      `Follow-up (support agent): the ${state.category} problem looks gone since ${at} (instance ${instance?.hostname} online, OpenClaw up, channels connected). Watching it for ${o.windowSec} s before closing.`,
      { healthySince: at },
    );
    return { ticketId: t.id, action: 'watching', detail: `healthy since ${at}` };
  }
  const healthyFor = Math.round((now - Date.parse(state.healthySince)) / 1000);
  if (healthyFor < o.windowSec)
    return { ticketId: t.id, action: 'unchanged', detail: `healthy for ${healthyFor} s of ${o.windowSec}` };
  const why = `the ${state.category} problem has been gone since ${state.healthySince} (${healthyFor} s, window ${o.windowSec} s)`;
  if (o.autoCategories.has(state.category)) {
    try {
      await write(
        `Resolution (support agent): ${why}; resolving automatically, as allowed for ${state.category}.`,
        {},
        {
          resolve: `Good news: the problem you reported is fixed — ${resolvedLine(state.category)} and has stayed so for a while. If anything is still wrong, just reply and we will look again.`,
        },
      );
      return { ticketId: t.id, action: 'resolved', detail: why };
    } catch (e) {
      return { ticketId: t.id, action: 'refused', detail: (e as Error).message };
    }
  }
  if (state.resolutionProposed) return { ticketId: t.id, action: 'unchanged', detail: 'resolution already proposed' };
  await write(
    `Resolution proposed (support agent): ${why}. Automatic replies are off for ${state.category}, so an operator decides.`,
    { resolutionProposed: true },
    { proposeResolution: why },
  );
  return { ticketId: t.id, action: 'proposed', detail: why };
}

const resolvedLine = (c: SupportCategory) =>
  c === 'channel'
    ? 'your channel is connected again'
    : c === 'resources'
      ? 'your server has room again'
      : 'your agent is running and answering again';
