import { EventEmitter } from 'node:events';
import type { OnboardingHelpMessageView } from '@deepsignal/protocol';
import type { Db } from '../db/index.js';
import { type LiveSink, rooms } from '../live/sink.js';
import { newId } from '../util/ids.js';

const toView = (r: Record<string, unknown>): OnboardingHelpMessageView => ({
  id: String(r.id),
  clientId: String(r.client_id),
  author: r.author as OnboardingHelpMessageView['author'],
  text: String(r.text),
  status: r.status as OnboardingHelpMessageView['status'],
  replyTo: (r.reply_to as string | null) ?? null,
  facts: (r.facts as Record<string, unknown> | null) ?? null,
  createdAt: new Date(r.created_at as string).toISOString(),
  answeredAt: r.answered_at ? new Date(r.answered_at as string).toISOString() : null,
});

/** A thread keeps the newest messages only; older ones are still stored. */
const THREAD_LIMIT = 200;

/**
 * The onboarding help chat: client questions wait as `pending` until the onboarding agent (its own
 * process, over the API) answers them. Every new message goes to the client's live room at once,
 * and a waiting long-poll of the agent is woken by each new question.
 */
export class HelpService {
  private readonly asked = new EventEmitter().setMaxListeners(0);
  /** Set once the hub is stopping: waiting long polls are answered at once. */
  closing = false;

  constructor(
    private readonly db: Db,
    private readonly live: () => LiveSink,
  ) {}

  private emit(m: OnboardingHelpMessageView) {
    this.live().emit([rooms.client(m.clientId), rooms.fleet], 'onboarding.help', { clientId: m.clientId, message: m });
  }

  async ask(clientId: string, userId: string, text: string): Promise<OnboardingHelpMessageView> {
    const rows = await this.db.query(
      `INSERT INTO onboarding_help_messages (id, client_id, author, user_id, text, status)
       VALUES ($1,$2,'client',$3,$4,'pending') RETURNING *`,
      [newId('ohm'), clientId, userId, text],
    );
    const m = toView(rows[0]);
    this.emit(m);
    this.asked.emit('question', m);
    return m;
  }

  async thread(clientId: string): Promise<OnboardingHelpMessageView[]> {
    const rows = await this.db.query(
      `SELECT * FROM (SELECT * FROM onboarding_help_messages WHERE client_id = $1
         ORDER BY created_at DESC, id DESC LIMIT ${THREAD_LIMIT}) t ORDER BY created_at, id`,
      [clientId],
    );
    return rows.map(toView);
  }

  async pending(limit = 20): Promise<OnboardingHelpMessageView[]> {
    const rows = await this.db.query(
      `SELECT * FROM onboarding_help_messages WHERE status = 'pending' ORDER BY created_at, id LIMIT $1`,
      [limit],
    );
    return rows.map(toView);
  }

  /**
   * Pending questions; with none, waits up to `waitMs` for the next one (a long poll, so an answer
   * can start within milliseconds of the question without the agent hammering the hub).
   */
  async waitPending(waitMs: number, signal?: AbortSignal): Promise<OnboardingHelpMessageView[]> {
    const now = await this.pending();
    if (now.length || waitMs <= 0 || this.closing) return now;
    await new Promise<void>((res) => {
      const done = () => {
        clearTimeout(t);
        this.asked.off('question', done);
        this.asked.off('closing', done);
        signal?.removeEventListener('abort', done);
        res();
      };
      const t = setTimeout(done, waitMs);
      this.asked.on('question', done);
      this.asked.on('closing', done);
      signal?.addEventListener('abort', done, { once: true });
    });
    return this.pending();
  }

  /** Ends every waiting long poll (the hub is stopping; a held request would delay its close). */
  close(): void {
    this.closing = true;
    this.asked.emit('closing');
  }

  async get(id: string): Promise<OnboardingHelpMessageView | null> {
    const rows = await this.db.query('SELECT * FROM onboarding_help_messages WHERE id = $1', [id]);
    return rows[0] ? toView(rows[0]) : null;
  }

  /** Answers a pending question once; null when it is unknown or was answered already. */
  async answer(
    questionId: string,
    text: string,
    facts: Record<string, unknown>,
  ): Promise<OnboardingHelpMessageView | null> {
    const answer = await this.db.tx(async (q) => {
      const upd = await q.query(
        `UPDATE onboarding_help_messages SET status = 'answered', answered_at = now()
          WHERE id = $1 AND status = 'pending' AND author = 'client' RETURNING client_id`,
        [questionId],
      );
      if (!upd[0]) return null;
      const rows = await q.query(
        `INSERT INTO onboarding_help_messages (id, client_id, author, text, status, reply_to, facts)
         VALUES ($1,$2,'agent',$3,'sent',$4,$5) RETURNING *`,
        [newId('ohm'), upd[0].client_id, text, questionId, JSON.stringify(facts)],
      );
      return toView(rows[0]);
    });
    if (answer) {
      const question = await this.get(questionId);
      if (question) this.emit(question);
      this.emit(answer);
    }
    return answer;
  }
}
