/**
 * What can be measured about a conversation from its stored messages alone, shared by the hub
 * (A/B outcome metrics, weekly report) and the learning agent (analysis), so both count the same.
 */

/** An assistant reply passing the question on to a person ("I'll pass this to a colleague"). */
const HANDOFF =
  /\b(pass(ing)? (this|it|you|your question) (on )?to|hand(ing)? (this|it|you) (over|off)|transfer(ring)? you|connect(ing)? you (with|to)|forward(ing)? (this|it|your)|(a|our) (colleague|human|person|team member|agent) will (get back|contact|reply|follow up))\b/i;
/** A user asking for a person instead of the assistant. */
const HUMAN_REQUEST =
  /\b(speak|talk|chat) (to|with) (a |an )?(human|person|real person|agent|someone|operator)|\b(real|actual) (human|person)\b|\bhuman,? please\b|^\s*human\s*[.!?]*\s*$/i;

const QUESTION = /\?|^\s*(how|what|when|where|which|who|why|can|could|do|does|is|are|will|would|should|may)\b/i;

/** True when a user message asks something (a question mark or a question word first). */
export const isQuestion = (userText: string) => QUESTION.test(userText);

/** True when an assistant reply hands the conversation to a person. */
export const isHandoff = (assistantText: string) => HANDOFF.test(assistantText);
/** True when a user message asks for a person. */
export const asksForHuman = (userText: string) => HUMAN_REQUEST.test(userText);

/**
 * A question normalised for clustering: lower case, accents and punctuation removed, digits
 * folded to `#`, filler words dropped, the remaining words sorted. Two questions are "the same"
 * when their normalised forms are equal: simple and explainable, no model needed.
 */
export function normaliseQuestion(text: string): string {
  const words = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[0-9]+/g, '#')
    .replace(/[^a-z#\s]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 1 && !FILLER.has(w))
    .map(stem);
  return [...new Set(words)].sort().join(' ');
}

const FILLER = new Set(
  'hi hello hey please thanks thank you the an and or is are am be to of for in on at my me we our your it this that do does did can could would will how what when where which who why there here just so with from about have has get want need know tell any some'.split(
    ' ',
  ),
);
/** Plural and -ing endings folded, so "refunds" and "refund" cluster together. */
const stem = (w: string) => w.replace(/(ing|es|s)$/, '') || w;

/** One message as the signals need it (a stored conversation message or its API view). */
export interface SignalMessage {
  sessionKey: string;
  t: string | number | Date;
  role: string;
  text: string;
  cost?: number;
  sentiment?: number | null;
  error?: string | null;
}

/** The measured outcome of one session. */
export interface SessionOutcome {
  sessionKey: string;
  /** First message's time (ms). */
  startedAt: number;
  userTurns: number;
  /** Answered, no handoff, no request for a person, no failed reply. */
  resolved: boolean;
  handedOff: boolean;
  askedForHuman: boolean;
  /** A question (or, without any question, the whole session) left without an assistant reply after it. */
  unanswered: boolean;
  /** Mean sentiment of the user's scored messages, null when none was scored. */
  sentiment: number | null;
  /** Mean characters per assistant reply (0 without one). */
  replyLength: number;
  cost: number;
}

/** Groups messages by session and measures each one (messages in any order). */
export function sessionOutcomes(messages: readonly SignalMessage[]): SessionOutcome[] {
  const bySession = new Map<string, SignalMessage[]>();
  for (const m of messages) {
    const list = bySession.get(m.sessionKey) ?? [];
    list.push(m);
    bySession.set(m.sessionKey, list);
  }
  const out: SessionOutcome[] = [];
  for (const [sessionKey, list] of bySession) {
    list.sort((a, b) => new Date(a.t).getTime() - new Date(b.t).getTime());
    const user = list.filter((m) => m.role === 'user');
    const assistant = list.filter((m) => m.role === 'assistant');
    if (!user.length) continue;
    const replied = (i: number) => list.slice(i + 1).some((m) => m.role === 'assistant' && !m.error);
    // A closing "thanks, great" needs no reply; a question does.
    const questions = list.map((m, i) => (m.role === 'user' && isQuestion(m.text) ? i : -1)).filter((i) => i >= 0);
    const unanswered = questions.length ? questions.some((i) => !replied(i)) : !replied(list.indexOf(user[0]));
    const handedOff = assistant.some((m) => isHandoff(m.text));
    const askedForHuman = user.some((m) => asksForHuman(m.text));
    const failed = assistant.some((m) => !!m.error);
    const scored = user.map((m) => m.sentiment).filter((s): s is number => typeof s === 'number');
    out.push({
      sessionKey,
      startedAt: new Date(list[0].t).getTime(),
      userTurns: user.length,
      resolved: !unanswered && !handedOff && !askedForHuman && !failed,
      handedOff,
      askedForHuman,
      unanswered,
      sentiment: scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : null,
      replyLength: assistant.length ? assistant.reduce((a, m) => a + m.text.length, 0) / assistant.length : 0,
      cost: list.reduce((a, m) => a + (m.cost ?? 0), 0),
    });
  }
  return out;
}
