import type { OnboardingHelpMessageView } from '@deepsignal/protocol';
import { HubError } from '../hub-client.js';
import { type Llm, maybeWrite } from '../llm.js';
import { CHANNELS, channelsFor, composeAnswer, type HelpFacts, topicsOf } from './answer.js';
import type { CheckOutcome, OnboardingHub } from './hub-api.js';

/** One answered question, for the runner's log and the tests. */
export interface AnsweredQuestion {
  questionId: string;
  clientId: string;
  text: string;
  /** `model` when a model reworded the rules' answer, else `rules`. */
  by: 'rules' | 'model';
  llmError: string | null;
  /** From the question's creation to the answer's post returning. */
  ms: number;
}

const SYSTEM =
  'You are the onboarding helper of Deep Signal, which runs a company’s own AI agent. Reword the draft ' +
  'answer for the client: short, plain and friendly. Use only the facts and the draft given. Never add a ' +
  'status, a number, a name or a step that is not in them. Keep every quoted error text exactly as written.';

/** The channels' own error texts an answer reports, which a reworded answer must keep word for word. */
const reportedErrors = (f: HelpFacts) =>
  channelsFor(f.topics, f.state)
    .map((c) => f.state.reportedChannels[c])
    .filter((r) => r && !r.connected && r.error)
    .map((r) => (r?.error ?? '').trim().replace(/\s+/g, ' ').slice(0, 300));

/** Reads the facts a question needs: onboarding state, deployment, checks run again, articles. */
export async function gatherFacts(hub: OnboardingHub, q: OnboardingHelpMessageView): Promise<HelpFacts> {
  const topics = topicsOf(q.text);
  const state = await hub.onboardingState(q.clientId);
  const deployment = state.instances.length ? null : ((await hub.deployments(q.clientId).catch(() => []))[0] ?? null);
  const checks: CheckOutcome[] = [];
  const run = async (check: CheckOutcome['check']) => {
    checks.push(await hub.runCheck(q.clientId, check));
  };
  if (topics.includes('key') && (state.desired.provider || !state.desired.testMode)) await run('provider');
  for (const c of channelsFor(topics, state))
    if (c !== 'whatsapp' && state.secrets[c] && !state.reportedChannels[c]?.connected) await run(c);
  const articles = await hub.kbSuggest(q.text).catch(() => []);
  return { question: q.text, topics, state, deployment, checks, articles };
}

/** The facts as stored with the answer (what the client's thread can show it was based on). */
function factsRecord(f: HelpFacts): Record<string, unknown> {
  return {
    topics: f.topics,
    channels: Object.fromEntries(
      CHANNELS.filter((c) => f.state.desired.channels?.[c] || f.state.reportedChannels[c]).map((c) => [
        c,
        { enabled: f.state.desired.channels?.[c]?.enabled ?? false, reported: f.state.reportedChannels[c] ?? null },
      ]),
    ),
    checks: f.checks.map((c) => ({ check: c.check, ok: c.ok, reason: c.reason, message: c.message })),
    instances: f.state.instances.map((i) => ({ status: i.status, openclawUp: i.openclawUp })),
    deployment: f.deployment ? { status: f.deployment.status } : null,
    articles: f.articles.slice(0, 3).map((a) => ({ slug: a.slug, title: a.title })),
  };
}

/** Answers one question: rules first; a model may reword them but may not drop a reported error. */
export async function answerQuestion(
  hub: OnboardingHub,
  llm: Llm | null,
  q: OnboardingHelpMessageView,
): Promise<AnsweredQuestion> {
  const facts = await gatherFacts(hub, q);
  const draft = composeAnswer(facts);
  const record = factsRecord(facts);
  const w = await maybeWrite(
    llm,
    SYSTEM,
    `Question: ${q.text}\n\nFacts (JSON): ${JSON.stringify(record)}\n\nDraft answer:\n${draft}`,
  );
  const keeps = w.text !== null && reportedErrors(facts).every((x) => (w.text as string).includes(x));
  const text = keeps ? (w.text as string) : draft;
  const llmError =
    w.error ??
    (w.text !== null && !keeps ? 'the model dropped a reported error text; the rules’ answer was sent' : null);
  await hub.answerQuestion(q.id, text, { ...record, by: keeps ? 'model' : 'rules' });
  return {
    questionId: q.id,
    clientId: q.clientId,
    text,
    by: keeps ? 'model' : 'rules',
    llmError,
    ms: Date.now() - Date.parse(q.createdAt),
  };
}

/**
 * Long-polls the hub for questions and answers each as it comes, until `signal` aborts. A long
 * poll (the hub holds `GET /onboarding/help/pending?waitSec=10` until a question arrives) answers
 * within the time the facts take to read, without a request every second while nobody asks.
 * A refused token (401) ends the loop with that error; any other failure is logged and retried.
 */
export async function helpLoop(o: {
  hub: OnboardingHub;
  llm: Llm | null;
  signal: AbortSignal;
  out: (s: string) => void;
  waitSec?: number;
}): Promise<void> {
  const failedOnce = new Set<string>();
  while (!o.signal.aborted) {
    try {
      const { questions } = await o.hub.pendingQuestions(o.waitSec ?? 10);
      for (const q of questions) {
        if (o.signal.aborted) return;
        try {
          const a = await answerQuestion(o.hub, o.llm, q);
          o.out(`onboarding: answered ${a.questionId} (${a.by}, ${a.ms} ms)${a.llmError ? `; ${a.llmError}` : ''}`);
        } catch (e) {
          if (e instanceof HubError && e.status === 401) throw e;
          // Answered by another agent meanwhile, or a broken question: say so once, move on.
          if (e instanceof HubError && e.status === 409) continue;
          if (!failedOnce.has(q.id)) o.out(`onboarding: could not answer ${q.id}: ${(e as Error).message}`);
          failedOnce.add(q.id);
        }
      }
      // Questions that keep failing would be handed back at once: pause instead of spinning.
      if (questions.length && questions.every((q) => failedOnce.has(q.id)))
        await new Promise((r) => setTimeout(r, 2000));
    } catch (e) {
      if (e instanceof HubError && e.status === 401) throw e;
      o.out(`onboarding: help poll failed: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
