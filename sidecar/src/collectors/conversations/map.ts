import { CONVERSATION_ROLES, type ConversationMessage, LIMITS } from '@deepsignal/protocol';

/** A transcript message as `chat.history` returns it. */
export interface HistoryMessage {
  role?: string;
  content?: unknown;
  timestamp?: number;
  provider?: string;
  model?: string;
  usage?: { input?: number; output?: number; cost?: { total?: number } };
  /** Why the turn ended: `stop`, `length`, `toolUse`, `aborted`, or `error` for a failed reply. */
  stopReason?: string;
  errorMessage?: string;
  __openclaw?: { id?: string; seq?: number; runId?: string; recordTimestampMs?: number };
}

const KNOWN_CHANNELS = [
  'telegram',
  'slack',
  'whatsapp',
  'discord',
  'signal',
  'imessage',
  'webchat',
  'msteams',
  'matrix',
  'email',
  'sms',
];

/** The channel of a session: from session metadata when present, else from its key. */
export function channelOf(sessionKey: string, meta?: Record<string, unknown>): string {
  for (const k of ['channel', 'lastChannel', 'provider']) {
    const v = meta?.[k];
    if (typeof v === 'string' && v) return v.slice(0, 64);
  }
  const parts = sessionKey.split(':');
  const hit = parts.find((p) => KNOWN_CHANNELS.includes(p));
  if (hit) return hit;
  return parts[2] === 'main' ? 'main' : 'unknown';
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) =>
        p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
          ? (p as { text: string }).text
          : '',
      )
      .filter(Boolean)
      .join('\n');
  }
  return '';
}

const ROLES = new Set<string>(CONVERSATION_ROLES);
const nn = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/**
 * Maps one transcript message; `prevUserTs` gives an assistant reply's latency, `finalAt` (when
 * the live `final` frame was seen) makes it exact. [SPEC 5.5]
 */
export function toConversationMessage(
  m: HistoryMessage,
  sessionKey: string,
  channel: string,
  prevUserTs: number | null,
  finalAt: number | undefined,
  now: number,
): ConversationMessage | null {
  const role = m.role === 'toolResult' ? 'tool' : m.role;
  if (!role || !ROLES.has(role)) return null;
  const meta = m.__openclaw ?? {};
  const t = nn(m.timestamp) || nn(meta.recordTimestampMs) || now;
  const messageId = meta.id ?? (meta.seq !== undefined ? `${sessionKey}#${meta.seq}` : null);
  if (!messageId) return null;
  const text = textOf(m.content);
  const end = finalAt ?? nn(meta.recordTimestampMs);
  // A failed reply counts toward the hub's error rate; the message says which provider error it was.
  const failed = role === 'assistant' && m.stopReason === 'error';
  const why = typeof m.errorMessage === 'string' && m.errorMessage.trim() ? m.errorMessage.trim() : 'error';
  return {
    messageId: String(messageId).slice(0, 128),
    t,
    sessionKey: sessionKey.slice(0, LIMITS.maxShortString),
    channel,
    role: role as ConversationMessage['role'],
    text: text.length > LIMITS.maxConversationText ? `${text.slice(0, LIMITS.maxConversationText - 1)}…` : text,
    tokensIn: Math.round(nn(m.usage?.input)),
    tokensOut: Math.round(nn(m.usage?.output)),
    cost: nn(m.usage?.cost?.total),
    model: m.model ? (m.provider ? `${m.provider}/${m.model}` : m.model).slice(0, 200) : null,
    provider: m.provider?.slice(0, 64) ?? null,
    latencyMs: role === 'assistant' && prevUserTs !== null && end > prevUserTs ? Math.round(end - prevUserTs) : null,
    ...(failed ? { error: why.slice(0, LIMITS.maxShortString) } : {}),
  };
}
