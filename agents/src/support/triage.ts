import type { CommandView, InstanceDetail, LogLineView, SupportRequest } from '../hub-types.js';
import type { TimelineEntry } from './api.js';

/** What a request is most likely about. */
export type SupportCategory =
  | 'instance_offline'
  | 'openclaw_down'
  | 'resources'
  | 'channel'
  | 'model'
  | 'billing'
  | 'access'
  | 'general';

/** What the hub knows about the request's instance right now. */
export interface InstanceContext {
  instance: InstanceDetail | null;
  /** Recent warn-and-above log lines, newest first. */
  errorLines: LogLineView[];
  /** Recent commands, newest first. */
  commands: CommandView[];
  /** Recent changes from the instance's timeline (commands, config, deploys, status), newest first. */
  changes?: TimelineEntry[];
  /** Why the context is missing, when it is. */
  error?: string;
}

/** The triage of one request: a category, the next step, and whether it may be closed. */
export interface Triage {
  category: SupportCategory;
  /** Whether the category comes from the instance's measured health (not the ticket's words). */
  measured: boolean;
  /** Facts the category rests on. */
  evidence: string[];
  nextStep: string;
  /** True only when the hub's own data shows the problem is gone. */
  proposeResolve: boolean;
}

const KEYWORDS: [SupportCategory, RegExp][] = [
  ['billing', /\b(invoice|billing|bill|payment|charge|refund|plan|price|pricing|subscription)\b/i],
  ['access', /\b(login|log in|password|access|sso|locked|invite|permission)\b/i],
  ['channel', /\b(telegram|whatsapp|slack|discord|signal|imessage|channel|bot)\b/i],
  ['model', /\b(model|answer|answers|reply|replies|slow|wrong|hallucinat\w*|tokens?|cost)\b/i],
];

const NEXT: Record<SupportCategory, string> = {
  instance_offline:
    'The sidecar is not reporting: check the VPS is up and `systemctl status deepsignal-sidecar`, then tell the client.',
  openclaw_down:
    'OpenClaw is down: the orchestrator restarts it after its grace period; if a restart already failed, look at the error lines and escalate.',
  resources: 'Free disk or memory (logs, old backups) or move the client to a larger plan; tell the client.',
  channel:
    'Check the channel’s status in the OpenClaw state and the channel error lines; re-link the channel if needed.',
  model: 'Look at the recent conversations and the model in use; consider model.set or a prompt change.',
  billing: 'Hand over to billing; no technical action.',
  access: 'Check the user’s account (lockout, invitation, SSO settings) in the admin area.',
  general: 'Read the request and answer the client; no automatic finding.',
};

/** Rules first: what the hub measures outranks words in the request. */
export function triage(
  req: Pick<SupportRequest, 'subject' | 'body' | 'createdAt'>,
  ctx: InstanceContext | null,
  now = Date.now(),
): Triage {
  const evidence: string[] = [];
  const i = ctx?.instance;
  let category: SupportCategory | null = null;
  if (i) {
    evidence.push(`instance ${i.hostname} is ${i.status}${i.lastSeen ? `, last seen ${i.lastSeen}` : ''}`);
    const oc = i.openclaw;
    if (i.status === 'offline') category = 'instance_offline';
    else if (oc?.present && (!oc.up || oc.ready === false)) {
      category = 'openclaw_down';
      evidence.push(`OpenClaw ${oc.up ? 'not ready' : 'down'}${oc.error ? `: ${oc.error}` : ''}`);
    } else if ((i.metrics.disk ?? 0) > 90 || (i.metrics.memory ?? 0) > 90) {
      category = 'resources';
      evidence.push(`disk ${fmt(i.metrics.disk)} %, memory ${fmt(i.metrics.memory)} %`);
    }
    const badChannels = (oc?.channels ?? []).filter((c) => c.error || c.connected === false);
    for (const c of badChannels) evidence.push(`channel ${c.id}: ${c.error ?? 'not connected'}`);
    if (!category && badChannels.length) category = 'channel';
  } else if (ctx?.error) evidence.push(`no instance data: ${ctx.error}`);
  if (ctx?.errorLines.length) evidence.push(`${ctx.errorLines.length} warn/error log line(s) in the last 24 h`);
  // Recent changes: what was done to the instance in the day before the ticket and since.
  const since = Date.parse(req.createdAt) - 86_400_000;
  const changes = (ctx?.changes ?? []).filter((c) => Date.parse(c.t) >= since).slice(0, 3);
  if (changes.length)
    evidence.push(
      `recent changes: ${changes.map((c) => `${c.title}${c.status ? ` (${c.status})` : ''} at ${c.t}`).join('; ')}`,
    );
  const measured = category !== null;
  const text = `${req.subject}\n${req.body}`;
  if (!category) category = KEYWORDS.find(([, re]) => re.test(text))?.[0] ?? 'general';

  // Resolvable: the instance is healthy now and a restart succeeded after the request was opened.
  const healthy = !!i && i.status === 'online' && !!i.openclaw?.up && i.openclaw.ready !== false;
  const fixedAfter = ctx?.commands.find(
    (c) =>
      c.type === 'openclaw.restart' && c.status === 'succeeded' && Date.parse(c.updatedAt) > Date.parse(req.createdAt),
  );
  const proposeResolve = healthy && !!fixedAfter && Date.parse(req.createdAt) <= now;
  if (proposeResolve && fixedAfter) evidence.push(`openclaw.restart ${fixedAfter.id} succeeded after the request`);
  return {
    category,
    measured,
    evidence,
    nextStep: proposeResolve ? 'Fixed by a restart and healthy now: resolve and tell the client.' : NEXT[category],
    proposeResolve,
  };
}

const fmt = (n: number | undefined) => (n === undefined ? '?' : Math.round(n));

/** Categories whose cause the hub measures, so the agent can see it gone. */
export const MEASURED: readonly SupportCategory[] = ['instance_offline', 'openclaw_down', 'resources', 'channel'];

/**
 * Whether the health that explained a ticket of this category is back to normal now: online,
 * OpenClaw up and ready, disk and memory under 90 %, and (for channels) every channel connected.
 */
export function causeGone(category: SupportCategory, i: InstanceDetail | null): boolean {
  if (!i || !MEASURED.includes(category)) return false;
  const oc = i.openclaw;
  const up = i.status === 'online' && !!oc?.up && oc.ready !== false;
  const roomy = (i.metrics.disk ?? 0) <= 90 && (i.metrics.memory ?? 0) <= 90;
  const channelsOk = (oc?.channels ?? []).every((c) => !c.error && c.connected !== false);
  return up && roomy && channelsOk;
}
