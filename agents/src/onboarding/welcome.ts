import { HubError } from '../hub-client.js';
import type { ConversationView } from '../hub-types.js';
import { type Llm, maybeWrite } from '../llm.js';
import type { OnboardingHub, WelcomeClient } from './hub-api.js';

/** The welcome sequence: days after the start of onboarding. */
export const WELCOME_DAYS = [0, 1, 3, 7] as const;
const DAY_MS = 86_400_000;

/**
 * The day due now: the newest day of the sequence that has begun. Only that one is sent, so an
 * agent that was stopped for a while sends the current mail rather than a backlog of old ones.
 */
export function dueDay(startedAt: string | null, now: number): number | null {
  if (!startedAt) return null;
  const elapsed = (now - Date.parse(startedAt)) / DAY_MS;
  const due = WELCOME_DAYS.filter((d) => d <= elapsed);
  return due.length ? due[due.length - 1] : null;
}

/** What the client's own agent did since onboarding started, as the mails tell it. */
export interface AgentActivity {
  agentName: string | null;
  conversations: number;
  messagesIn: number;
  replies: number;
  tokens: number;
  costUsd: number;
  channels: string[];
  /** The first few things people asked the agent. */
  examples: string[];
  liveChannels: string[];
}

/** Reads the client's instances' conversations since the start, through the API. */
export async function agentActivity(hub: OnboardingHub, c: WelcomeClient): Promise<AgentActivity> {
  const state = await hub.onboardingState(c.clientId).catch(() => null);
  const instances = await hub.listInstances({ clientId: c.clientId });
  const msgs: ConversationView[] = [];
  for (const i of instances)
    msgs.push(...(await hub.conversations(i.id, { from: c.startedAt ?? undefined, limit: 2000 })));
  msgs.sort((a, b) => a.t.localeCompare(b.t));
  const inbound = msgs.filter((m) => m.role === 'user');
  return {
    agentName: state?.desired.personality?.name ?? null,
    conversations: new Set(msgs.map((m) => `${m.sessionKey}|${m.channel}`)).size,
    messagesIn: inbound.length,
    replies: msgs.filter((m) => m.role === 'assistant').length,
    tokens: msgs.reduce((s, m) => s + m.tokensIn + m.tokensOut, 0),
    costUsd: msgs.reduce((s, m) => s + m.cost, 0),
    channels: [...new Set(msgs.map((m) => m.channel))],
    examples: inbound.slice(0, 3).map((m) => m.text.replace(/\s+/g, ' ').slice(0, 140)),
    liveChannels: Object.entries(state?.reportedChannels ?? {})
      .filter(([, r]) => r.connected)
      .map(([id]) => id),
  };
}

/** The rules' mail for a day, every figure from the client's own agent. */
export function welcomeMail(day: number, c: WelcomeClient, a: AgentActivity): { subject: string; text: string } {
  const name = a.agentName ?? 'your agent';
  const Name = name.charAt(0).toUpperCase() + name.slice(1);
  const usage =
    a.conversations === 0
      ? `${Name} has had no conversations yet.`
      : `So far ${name} has had ${a.conversations} conversation${a.conversations === 1 ? '' : 's'} (${a.messagesIn} message${a.messagesIn === 1 ? '' : 's'} in, ${a.replies} repl${a.replies === 1 ? 'y' : 'ies'}), using ${a.tokens} tokens ($${a.costUsd.toFixed(2)}).`;
  const examples = a.examples.length
    ? `\n\nPeople asked, for example:\n${a.examples.map((e) => `- “${e}”`).join('\n')}`
    : '';
  const live = a.liveChannels.length
    ? `Live on: ${a.liveChannels.join(', ')}.`
    : 'No channel is connected yet: open the onboarding Channels screen to connect one.';
  const opening: Record<number, [string, string]> = {
    0: [
      `Welcome to Deep Signal, ${c.clientName}`,
      `Welcome! ${Name} is yours: it runs on its own server, for ${c.clientName} only.`,
    ],
    1: [`${Name}'s first day`, `${Name} has been with you for a day.`],
    3: [`Three days with ${name}`, `Three days in, here is how ${name} is doing.`],
    7: [`A week with ${name}`, `${Name} has been with you for a week. Your first week in numbers:`],
  };
  const [subject, first] = opening[day] ?? [`Day ${day} with ${name}`, `Day ${day} with ${name}.`];
  const tip =
    day === 0
      ? 'Questions while you set up? The help chat in the onboarding portal answers from your own setup.'
      : a.conversations === 0
        ? 'Try it: send it a message on a connected channel, or in the onboarding test drive.'
        : 'Read every conversation in your dashboard, under Conversations.';
  return { subject, text: `${first}\n\n${usage} ${live}${examples}\n\n${tip}` };
}

/** One client's outcome in a welcome pass. */
export interface WelcomeOutcome {
  clientId: string;
  day: number | null;
  action: 'sent' | 'already_sent' | 'not_due' | 'opted_out' | 'no_owner' | 'failed';
  detail?: string;
}

const SYSTEM =
  'You write a short welcome email from Deep Signal about a client’s own AI agent. Reword the draft in ' +
  'plain, warm words. Keep every number, name and quoted example exactly; add no fact that is not in the draft. ' +
  'Return only the email body.';

/**
 * One pass of the welcome sequence over every client in onboarding: the mail due today (by
 * `now`), once — the hub records what was sent, so a restarted agent never sends a day again —
 * and none once the client opted out.
 */
export async function welcomePass(o: { hub: OnboardingHub; llm: Llm | null; now?: number }): Promise<WelcomeOutcome[]> {
  const now = o.now ?? Date.now();
  const out: WelcomeOutcome[] = [];
  for (const c of (await o.hub.welcomeClients()).clients) {
    const day = dueDay(c.startedAt, now);
    if (c.optedOut) out.push({ clientId: c.clientId, day, action: 'opted_out' });
    else if (!c.hasOwner) out.push({ clientId: c.clientId, day, action: 'no_owner' });
    else if (day === null) out.push({ clientId: c.clientId, day, action: 'not_due' });
    else if (c.sent.some((s) => s.day >= day)) out.push({ clientId: c.clientId, day, action: 'already_sent' });
    else {
      try {
        const draft = welcomeMail(day, c, await agentActivity(o.hub, c));
        const w = await maybeWrite(o.llm, SYSTEM, draft.text);
        const numbers = draft.text.match(/\d+(\.\d+)?/g) ?? [];
        const keeps = w.text !== null && numbers.every((n) => (w.text as string).includes(n));
        const r = await o.hub.sendWelcome(c.clientId, day, {
          subject: draft.subject,
          text: keeps ? (w.text as string) : draft.text,
        });
        out.push({ clientId: c.clientId, day, action: r.state === 'sent' ? 'sent' : 'already_sent' });
      } catch (e) {
        if (e instanceof HubError && e.status === 401) throw e;
        const opted = e instanceof HubError && e.code === 'HUB_ERR_WELCOME_OPTED_OUT';
        out.push({ clientId: c.clientId, day, action: opted ? 'opted_out' : 'failed', detail: (e as Error).message });
      }
    }
  }
  return out;
}

/** One line for the runner's log. */
export function formatWelcome(r: WelcomeOutcome[]): string {
  const sent = r.filter((x) => x.action === 'sent');
  const failed = r.filter((x) => x.action === 'failed');
  return `onboarding: welcome pass over ${r.length} client(s): ${sent.length} sent${sent.length ? ` (${sent.map((s) => `${s.clientId} day ${s.day}`).join(', ')})` : ''}${failed.length ? `, ${failed.length} failed: ${failed.map((f) => f.detail).join('; ')}` : ''}`;
}
