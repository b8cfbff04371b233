import { normaliseQuestion, sessionOutcomes } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Mailer } from '../security/mailer.js';

/** One client's week: what the dashboard shows and the owner is mailed. */
export interface WeeklyReport {
  clientId: string;
  clientName: string;
  /** ISO week `YYYY-Www`, Monday 00:00 UTC to the next Monday. */
  week: string;
  from: string;
  to: string;
  volume: { conversations: number; userMessages: number; assistantMessages: number; costUsd: number };
  /** Same measures for the week before, for the trend. */
  previous: { conversations: number; resolutionRate: number | null; sentimentMean: number | null };
  satisfaction: {
    /** Mean sentiment of the user's scored messages in [-1, 1], null when none was scored. */
    sentimentMean: number | null;
    /** Share of scored user messages below -0.2. */
    negativeShare: number | null;
    /** Share of conversations answered without a handoff or a request for a person. */
    resolutionRate: number | null;
  };
  /** The most frequent questions, clustered by their normalised text (protocol conversation-signals). */
  topTopics: { topic: string; count: number; example: string }[];
  /** What changed on the client's instances: persona/config/model/version changes and experiments. */
  changes: { t: string; what: string }[];
  /** The learning agent's open proposals and findings of the week. */
  recommendations: { title: string; status: string; id: string }[];
}

type Row = Record<string, unknown>;
const DAY = 86_400_000;

/** ISO week of a date (UTC) and its Monday. */
export function isoWeek(d: Date): { week: string; monday: Date } {
  const day = (d.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
  const thursday = new Date(monday.getTime() + 3 * DAY);
  const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const n = 1 + Math.floor((thursday.getTime() - jan1) / (7 * DAY));
  return { week: `${thursday.getUTCFullYear()}-W${String(n).padStart(2, '0')}`, monday };
}

const CHANGE_TYPES = ['config.apply', 'model.set', 'openclaw.update', 'change.rollback'];

/**
 * Builds each client's weekly report and mails it to the client's owners once per ISO week
 * (the `weekly_reports` row is claimed before the mail, so restarts and several hubs send once).
 */
export class WeeklyReports {
  constructor(
    private readonly db: Db,
    private readonly mailer: Mailer,
    private readonly log: Logger,
  ) {}

  async build(clientId: string, week: { week: string; monday: Date }): Promise<WeeklyReport | null> {
    const client = (await this.db.query<Row>('SELECT id, name FROM clients WHERE id = $1', [clientId]))[0];
    if (!client) return null;
    const from = week.monday;
    const to = new Date(from.getTime() + 7 * DAY);
    const prevFrom = new Date(from.getTime() - 7 * DAY);
    const msgs = await this.db.query<Row>(
      `SELECT m.instance_id, m.session_key, m.t, m.role, m.text, m.cost, m.sentiment, m.error FROM conversation_messages m
         JOIN instances i ON i.id = m.instance_id WHERE i.client_id = $1 AND m.t >= $2 AND m.t < $3 ORDER BY m.t`,
      [clientId, prevFrom, to],
    );
    const asSignal = (m: Row) => ({
      sessionKey: `${m.instance_id}/${m.session_key}`,
      t: m.t as string,
      role: String(m.role),
      text: String(m.text),
      cost: Number(m.cost ?? 0),
      sentiment: m.sentiment === null ? null : Number(m.sentiment),
      error: (m.error as string | null) ?? null,
    });
    const thisWeek = msgs.filter((m) => new Date(m.t as string) >= from).map(asSignal);
    const lastWeek = msgs.filter((m) => new Date(m.t as string) < from).map(asSignal);
    const measure = (list: ReturnType<typeof asSignal>[]) => {
      const sessions = sessionOutcomes(list);
      const scored = list.filter((m) => m.role === 'user' && m.sentiment !== null).map((m) => m.sentiment as number);
      return {
        sessions,
        resolutionRate: sessions.length ? sessions.filter((s) => s.resolved).length / sessions.length : null,
        sentimentMean: scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : null,
        negativeShare: scored.length ? scored.filter((s) => s < -0.2).length / scored.length : null,
      };
    };
    const now = measure(thisWeek);
    const before = measure(lastWeek);
    const topics = new Map<string, { count: number; example: string }>();
    for (const m of thisWeek) {
      if (m.role !== 'user') continue;
      const key = normaliseQuestion(m.text);
      if (!key) continue;
      const t = topics.get(key) ?? { count: 0, example: m.text.slice(0, 160) };
      t.count++;
      topics.set(key, t);
    }
    const changes = await this.db.query<Row>(
      `SELECT c.issued_at AS t, c.type, c.status, c.instance_id FROM commands c JOIN instances i ON i.id = c.instance_id
        WHERE i.client_id = $1 AND c.type = ANY($2) AND c.issued_at >= $3 AND c.issued_at < $4
       UNION ALL
       SELECT started_at AS t, 'experiment.start' AS type, name AS status, instance_id FROM experiments
        WHERE client_id = $1 AND started_at >= $3 AND started_at < $4
       UNION ALL
       SELECT stopped_at AS t, 'experiment.' || status AS type, COALESCE(winner, '-') || ': ' || COALESCE(stop_reason, '') AS status, instance_id
         FROM experiments WHERE client_id = $1 AND stopped_at >= $3 AND stopped_at < $4
       ORDER BY t`,
      [clientId, CHANGE_TYPES, from, to],
    );
    const recs = await this.db.query<Row>(
      `SELECT p.id, p.title, p.status FROM agent_proposals p
        WHERE p.agent = 'learning' AND (p.status IN ('pending','approved') OR (p.created_at >= $2 AND p.created_at < $3))
          AND EXISTS (SELECT 1 FROM instances i WHERE i.client_id = $1 AND p.commands::text LIKE '%' || i.id || '%')
        ORDER BY p.created_at DESC LIMIT 20`,
      [clientId, from, to],
    );
    return {
      clientId,
      clientName: String(client.name),
      week: week.week,
      from: from.toISOString(),
      to: to.toISOString(),
      volume: {
        conversations: now.sessions.length,
        userMessages: thisWeek.filter((m) => m.role === 'user').length,
        assistantMessages: thisWeek.filter((m) => m.role === 'assistant').length,
        costUsd: thisWeek.reduce((a, m) => a + m.cost, 0),
      },
      previous: {
        conversations: before.sessions.length,
        resolutionRate: before.resolutionRate,
        sentimentMean: before.sentimentMean,
      },
      satisfaction: {
        sentimentMean: now.sentimentMean,
        negativeShare: now.negativeShare,
        resolutionRate: now.resolutionRate,
      },
      topTopics: [...topics]
        .sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))
        .slice(0, 5)
        .map(([topic, v]) => ({ topic, count: v.count, example: v.example })),
      changes: changes.map((c) => ({
        t: new Date(c.t as string).toISOString(),
        what: String(c.type).startsWith('experiment')
          ? `${c.type} ${c.status}`
          : `${c.type} on ${c.instance_id}: ${c.status}`,
      })),
      recommendations: recs.map((r) => ({ id: String(r.id), title: String(r.title), status: String(r.status) })),
    };
  }

  /** The report already stored for a week, else a fresh one (not stored: the week may still run). */
  async get(clientId: string, at = new Date()): Promise<WeeklyReport | null> {
    const w = isoWeek(at);
    const kept = await this.db.query<Row>('SELECT report FROM weekly_reports WHERE client_id = $1 AND week = $2', [
      clientId,
      w.week,
    ]);
    return kept[0] ? (kept[0].report as WeeklyReport) : this.build(clientId, w);
  }

  /** Stores and mails the report of the week before `now` for every client not sent yet; returns how many were sent. */
  async sendDue(now = new Date()): Promise<number> {
    const last = isoWeek(new Date(isoWeek(now).monday.getTime() - DAY));
    let sent = 0;
    for (const c of await this.db.query<Row>('SELECT id FROM clients ORDER BY id')) {
      if (await this.send(String(c.id), last)) sent++;
    }
    return sent;
  }

  /** Sends one client's report for a week once; false when it was sent already. */
  async send(clientId: string, week: { week: string; monday: Date }): Promise<boolean> {
    const report = await this.build(clientId, week);
    if (!report) return false;
    const owners = await this.db.query<Row>(
      `SELECT email FROM users WHERE client_id = $1 AND role = 'client_owner' AND NOT disabled ORDER BY created_at`,
      [clientId],
    );
    const to = owners.map((o) => String(o.email)).join(', ');
    const claimed = await this.db.query(
      'INSERT INTO weekly_reports (client_id, week, report, mailed_to) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING RETURNING week',
      [clientId, week.week, JSON.stringify(report), to || null],
    );
    if (!claimed[0]) return false;
    if (to) {
      await this.mailer
        .send({ to, subject: `${report.clientName}: your assistant's week ${report.week}`, text: reportText(report) })
        .catch((e) => {
          this.log.warn({ err: (e as Error).message, clientId }, 'weekly report mail failed');
        });
    }
    return true;
  }
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(0)} %`);
const num = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

/** The mail's plain text. */
export function reportText(r: WeeklyReport): string {
  const lines = [
    `Week ${r.week} (${r.from.slice(0, 10)} to ${r.to.slice(0, 10)}) for ${r.clientName}`,
    '',
    'Volume',
    `  ${r.volume.conversations} conversations (week before: ${r.previous.conversations}), ${r.volume.userMessages} questions, cost $${r.volume.costUsd.toFixed(2)}`,
    '',
    'Satisfaction',
    `  resolved without a person: ${pct(r.satisfaction.resolutionRate)} (week before: ${pct(r.previous.resolutionRate)})`,
    `  mean sentiment: ${num(r.satisfaction.sentimentMean)} (week before: ${num(r.previous.sentimentMean)}), negative messages: ${pct(r.satisfaction.negativeShare)}`,
    '',
    'Top topics',
    ...(r.topTopics.length ? r.topTopics.map((t) => `  ${t.count}× "${t.example}"`) : ['  none']),
    '',
    'What changed',
    ...(r.changes.length ? r.changes.map((c) => `  ${c.t.slice(0, 16).replace('T', ' ')}  ${c.what}`) : ['  nothing']),
    '',
    'Recommendations',
    ...(r.recommendations.length ? r.recommendations.map((p) => `  ${p.title} (${p.status})`) : ['  none this week']),
  ];
  return lines.join('\n');
}
