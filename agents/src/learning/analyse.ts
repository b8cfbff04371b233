import { asksForHuman, isHandoff, normaliseQuestion, sessionOutcomes } from '@deepsignal/protocol';
import type { ConversationView } from '../hub-types.js';

/** Thresholds of the analysis (README, learning). */
export interface LearningPolicy {
  /** Days of conversations read per instance. */
  days: number;
  /** Sessions an instance needs before anything is judged. */
  minSessions: number;
  /** A signal becomes a finding from this many occurrences. */
  minCount: number;
  /** A user message at or below this sentiment is a negative turn. */
  negativeAt: number;
  /** A repeated question is "handled badly" when at most this share of its sessions resolved. */
  badResolution: number;
  /** Example excerpts per finding. */
  examples: number;
}

export const DEFAULT_LEARNING_POLICY: LearningPolicy = {
  days: 7,
  minSessions: 5,
  minCount: 3,
  negativeAt: -0.3,
  badResolution: 0.5,
  examples: 3,
};

/** A user's words and what the assistant answered, shortened for a finding. */
export interface Example {
  sessionKey: string;
  t: string;
  user: string;
  assistant: string | null;
}

/** One finding of the analysis, with the examples that motivate it. */
export interface LearningFinding {
  kind: 'unanswered_questions' | 'handoffs' | 'negative_turns' | 'repeated_question';
  severity: 'info' | 'warning';
  what: string;
  count: number;
  /** Of the sessions looked at. */
  sessions: number;
  examples: Example[];
  /** For repeated questions: the normalised form that clusters them. */
  topic?: string;
}

const cut = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Reads an instance's conversations and finds what the persona handles badly, with the signals
 * measurable from stored messages (protocol conversation-signals): a question with no reply after
 * it, a reply handing over to a person or a user asking for one, user messages scored negative,
 * and the same question (normalised text) asked in several sessions of which few resolved.
 */
export function analyse(
  messages: readonly ConversationView[],
  p: LearningPolicy = DEFAULT_LEARNING_POLICY,
): LearningFinding[] {
  const sessions = sessionOutcomes(messages);
  if (sessions.length < p.minSessions) return [];
  const bySession = new Map<string, ConversationView[]>();
  for (const m of [...messages].sort((a, b) => a.t.localeCompare(b.t))) {
    const l = bySession.get(m.sessionKey) ?? [];
    l.push(m);
    bySession.set(m.sessionKey, l);
  }
  /** The user message and the reply after it. */
  const exampleAt = (list: ConversationView[], i: number): Example => {
    const reply = list.slice(i + 1).find((m) => m.role === 'assistant');
    return {
      sessionKey: list[i].sessionKey,
      t: list[i].t,
      user: cut(list[i].text),
      assistant: reply ? cut(reply.text) : null,
    };
  };
  const n = sessions.length;
  const out: LearningFinding[] = [];

  const unanswered = sessions.filter((s) => s.unanswered);
  if (unanswered.length >= p.minCount) {
    const examples = unanswered.slice(0, p.examples).map((s) => {
      const list = bySession.get(s.sessionKey) ?? [];
      return exampleAt(list, list.map((m) => m.role).lastIndexOf('user'));
    });
    out.push({
      kind: 'unanswered_questions',
      severity: 'warning',
      what: `${unanswered.length} of ${n} conversations left a question without a reply`,
      count: unanswered.length,
      sessions: n,
      examples,
    });
  }

  const handed = sessions.filter((s) => s.handedOff || s.askedForHuman);
  if (handed.length >= p.minCount) {
    const examples = handed.slice(0, p.examples).map((s) => {
      const list = bySession.get(s.sessionKey) ?? [];
      const i = list.findIndex(
        (m, j) =>
          (m.role === 'user' && asksForHuman(m.text)) ||
          (m.role === 'user' && list.slice(j + 1).find((x) => x.role === 'assistant' && isHandoff(x.text))),
      );
      return exampleAt(list, Math.max(0, i));
    });
    out.push({
      kind: 'handoffs',
      severity: 'warning',
      what: `${handed.length} of ${n} conversations were handed to a person or asked for one`,
      count: handed.length,
      sessions: n,
      examples,
    });
  }

  const negatives: Example[] = [];
  for (const list of bySession.values())
    list.forEach((m, i) => {
      if (m.role !== 'user' || m.sentiment === null || m.sentiment > p.negativeAt) return;
      const before = list
        .slice(0, i)
        .reverse()
        .find((x) => x.role === 'assistant');
      negatives.push({
        sessionKey: m.sessionKey,
        t: m.t,
        user: cut(m.text),
        assistant: before ? cut(before.text) : null,
      });
    });
  if (negatives.length >= p.minCount)
    out.push({
      kind: 'negative_turns',
      severity: 'info',
      what: `${negatives.length} user messages were negative (sentiment ≤ ${p.negativeAt})`,
      count: negatives.length,
      sessions: n,
      examples: negatives.slice(0, p.examples),
    });

  // Repeated questions: the first user message of each session, clustered by normalised text.
  const resolvedOf = new Map(sessions.map((s) => [s.sessionKey, s.resolved]));
  const clusters = new Map<string, { keys: string[]; examples: Example[] }>();
  for (const [key, list] of bySession) {
    const i = list.findIndex((m) => m.role === 'user');
    if (i < 0) continue;
    const topic = normaliseQuestion(list[i].text);
    if (!topic) continue;
    const c = clusters.get(topic) ?? { keys: [], examples: [] };
    c.keys.push(key);
    if (c.examples.length < p.examples) c.examples.push(exampleAt(list, i));
    clusters.set(topic, c);
  }
  for (const [topic, c] of [...clusters].sort((a, b) => b[1].keys.length - a[1].keys.length)) {
    if (c.keys.length < p.minCount) continue;
    const resolved = c.keys.filter((k) => resolvedOf.get(k)).length;
    if (resolved / c.keys.length > p.badResolution) continue;
    out.push({
      kind: 'repeated_question',
      severity: 'warning',
      what: `"${c.examples[0].user}" was asked in ${c.keys.length} conversations; ${resolved} resolved`,
      count: c.keys.length,
      sessions: n,
      examples: c.examples,
      topic,
    });
  }
  return out;
}

/**
 * Rule-based instructions for the persona from the findings (no model needed): one line per
 * badly handled repeated question, and one for handoffs, so the proposal says what to change.
 */
export function suggestInstructions(findings: readonly LearningFinding[]): string | null {
  const lines: string[] = [];
  for (const f of findings.filter((x) => x.kind === 'repeated_question').slice(0, 5))
    lines.push(
      `- Customers often ask "${cut(f.examples[0].user, 120)}". Answer it directly and completely; if a fact is missing, say what you can do and ask one clarifying question before offering a person.`,
    );
  if (findings.some((f) => f.kind === 'handoffs'))
    lines.push('- Offer a person only after trying to answer, or when the customer asks for one.');
  if (findings.some((f) => f.kind === 'unanswered_questions'))
    lines.push('- Every question gets a reply, even if it is only what you can and cannot do.');
  return lines.length ? `## Learned from recent conversations\n\n${lines.join('\n')}` : null;
}
