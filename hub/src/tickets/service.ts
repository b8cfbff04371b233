import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { newId } from '../util/ids.js';
import { type ClientEvents, nullClientEvents } from '../webhooks/client-events.js';
import { businessMsBetween } from './business-hours.js';
import type { TicketMailer } from './notify.js';
import { hoursOf, iso, type Row, TICKET_SELECT, type TicketRow, ticketRow, toEntry } from './rows.js';
import { computeSla, type SlaState, slaRank, slaTargetsFor } from './sla.js';
import type { Actor, ThreadEntry, Ticket, TicketState } from './types.js';

/** Emitted once per clock when a ticket breaches its SLA (alerting listens). */
export interface SlaBreach {
  ticketId: string;
  clientId: string;
  clock: 'first_response' | 'resolution';
  at: string;
}

export interface TicketFilter {
  /** The clients to list (auth/scope.ts clientFilter); null or absent: every client. */
  clients?: readonly string[] | null;
  state?: TicketState;
  sla?: SlaState;
  assigneeId?: string;
  /** Only tickets nobody is assigned to. */
  unassigned?: boolean;
  category?: string;
  instanceId?: string;
}

/**
 * Tickets and their threads: states, SLA clocks (with an injectable clock for tests), the
 * operators' and clients' mail notifications, snooze wake-ups and breach events.
 */
export class TicketService {
  /** The clock every timestamp of a ticket comes from (tests set a fake one). */
  now: () => Date = () => new Date();
  readonly events = new EventEmitter();
  mailer: TicketMailer | null = null;
  /** The client's event webhooks (`ticket.updated`). */
  clientEvents: ClientEvents = nullClientEvents;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  onBreach(fn: (b: SlaBreach) => void): void {
    this.events.on('sla.breached', fn);
  }

  async row(id: string): Promise<TicketRow | null> {
    const rows = await this.db.query(`${TICKET_SELECT} WHERE t.id = $1`, [id]);
    return rows[0] ? ticketRow(rows[0]) : null;
  }

  view(r: TicketRow, operator: boolean): Ticket {
    const sla = computeSla(
      {
        state: r.state,
        createdAt: r.created_at,
        firstResponseAt: r.first_response_at,
        resolvedAt: r.resolved_at,
        waitingSince: r.waiting_since,
        pausedMs: r.paused_ms,
      },
      slaTargetsFor(r.plan ?? 'starter'),
      hoursOf(r),
      this.now(),
    );
    const t: Ticket = {
      id: r.id,
      clientId: r.client_id,
      instanceId: r.instance_id,
      openedBy: r.opened_by,
      subject: r.subject,
      state: r.state,
      snoozedUntil: iso(r.snoozed_until),
      category: r.category,
      priority: r.priority,
      assigneeId: r.assignee_id,
      createdAt: iso(r.created_at) as string,
      updatedAt: iso(r.updated_at) as string,
      firstResponseAt: iso(r.first_response_at),
      resolvedAt: iso(r.resolved_at),
      sla,
    };
    if (operator) {
      t.draftReply = r.draft_reply;
      t.draftBy = r.draft_by;
      t.proposedResolution = r.proposed_resolution;
      t.escalatedAt = iso(r.escalated_at);
      t.escalationReason = r.escalation_reason;
    }
    return t;
  }

  /** Tickets matching the filter, the most urgent SLA first (breached, at risk, ok; then oldest). */
  async list(f: TicketFilter, operator: boolean, limit = 500): Promise<Ticket[]> {
    const rows = await this.db.query(
      `${TICKET_SELECT}
       WHERE ($1::text[] IS NULL OR t.client_id = ANY($1::text[])) AND ($2::text IS NULL OR t.state = $2)
         AND ($3::text IS NULL OR t.assignee_id = $3) AND ($4::text IS NULL OR t.category = $4)
         AND ($5::text IS NULL OR t.instance_id = $5) AND (NOT $6::boolean OR t.assignee_id IS NULL)
       ORDER BY t.created_at DESC LIMIT 2000`,
      [
        f.clients ?? null,
        f.state ?? null,
        f.assigneeId ?? null,
        f.category ?? null,
        f.instanceId ?? null,
        f.unassigned ?? false,
      ],
    );
    const active = (t: Ticket) => (t.state === 'resolved' || t.state === 'closed' ? 0 : 1);
    return rows
      .map((r) => this.view(ticketRow(r), operator))
      .filter((t) => !f.sla || t.sla.state === f.sla)
      .sort(
        (a, b) =>
          active(b) - active(a) ||
          slaRank(b.sla.state) - slaRank(a.sla.state) ||
          remaining(a) - remaining(b) ||
          a.createdAt.localeCompare(b.createdAt),
      )
      .slice(0, limit);
  }

  async thread(ticketId: string, withNotes: boolean): Promise<ThreadEntry[]> {
    const rows = await this.db.query(
      `SELECT * FROM ticket_messages WHERE ticket_id = $1 AND ($2::boolean OR kind <> 'note')
       ORDER BY created_at, id`,
      [ticketId, withNotes],
    );
    return rows.map(toEntry);
  }

  async create(input: {
    clientId: string;
    instanceId: string | null;
    subject: string;
    body: string;
    actor: Actor;
    category?: string;
    priority?: string;
    via?: string;
  }): Promise<TicketRow> {
    const id = newId('tkt');
    const now = this.now();
    await this.db.tx(async (q) => {
      await q.query(
        `INSERT INTO tickets (id, client_id, instance_id, opened_by, subject, category, priority, reply_token, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9)`,
        [
          id,
          input.clientId,
          input.instanceId,
          input.actor.id,
          input.subject,
          input.category ?? 'general',
          input.priority ?? 'normal',
          randomBytes(12).toString('hex'),
          now,
        ],
      );
      await this.insertEntry(q, id, 'message', input.actor, input.body, { via: input.via ?? 'web', at: now });
    });
    const r = (await this.row(id)) as TicketRow;
    this.mailer?.toOperators(r, input.body, input.actor);
    return r;
  }

  private async insertEntry(
    q: Pick<Db, 'query'>,
    ticketId: string,
    kind: ThreadEntry['kind'],
    actor: Actor,
    body: string,
    o: { via?: string; automatic?: boolean; mailId?: string | null; meta?: unknown; at?: Date } = {},
  ): Promise<ThreadEntry> {
    const rows = await q.query(
      `INSERT INTO ticket_messages (id, ticket_id, kind, author, author_id, author_email, body, via, automatic, mail_id, meta, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING *`,
      [
        newId('tmsg'),
        ticketId,
        kind,
        actor.author,
        actor.id,
        actor.email,
        body,
        o.via ?? 'web',
        o.automatic ?? false,
        o.mailId ?? null,
        o.meta === undefined ? null : JSON.stringify(o.meta),
        o.at ?? this.now(),
      ],
    );
    return toEntry(rows[0]);
  }

  /** Column changes for moving a ticket to `next` now: pause accounting, resolution time, snooze. */
  private transition(r: TicketRow, next: TicketState, snoozedUntil: Date | null = null): Record<string, unknown> {
    const now = this.now();
    const set: Record<string, unknown> = { state: next, updated_at: now };
    if (r.state === 'waiting_on_client' && next !== 'waiting_on_client' && r.waiting_since) {
      set.paused_ms = r.paused_ms + businessMsBetween(r.waiting_since.getTime(), now.getTime(), hoursOf(r));
      set.waiting_since = null;
    }
    if (next === 'waiting_on_client' && r.state !== 'waiting_on_client') set.waiting_since = now;
    if (next === 'resolved' || next === 'closed') set.resolved_at = r.resolved_at ?? now;
    else set.resolved_at = null;
    set.snoozed_until = next === 'snoozed' ? snoozedUntil : null;
    return set;
  }

  private async update(id: string, set: Record<string, unknown>): Promise<TicketRow> {
    const keys = Object.keys(set);
    if (keys.length) {
      await this.db.query(`UPDATE tickets SET ${keys.map((k, i) => `${k} = $${i + 2}`).join(', ')} WHERE id = $1`, [
        id,
        ...keys.map((k) => set[k]),
      ]);
    }
    const r = (await this.row(id)) as TicketRow;
    // Every change of a ticket's row goes through here: one place for the client's webhook.
    if (keys.length && r)
      this.clientEvents.publish(r.client_id, 'ticket.updated', {
        ticketId: r.id,
        subject: r.subject,
        state: r.state,
        priority: r.priority,
        category: r.category,
        instanceId: r.instance_id,
        changed: keys.filter((k) => k !== 'updated_at'),
        updatedAt: new Date(r.updated_at).toISOString(),
      });
    return r;
  }

  /**
   * A reply in the thread. A client's message reopens the ticket and tells the operators; an
   * operator's or agent's reply stops the first-response clock, waits on the client (unless
   * `state` says otherwise) and is mailed to the client.
   */
  async reply(
    r: TicketRow,
    actor: Actor,
    body: string,
    o: { via?: string; automatic?: boolean; mailId?: string | null; state?: TicketState } = {},
  ): Promise<{ ticket: TicketRow; entry: ThreadEntry }> {
    const entry = await this.insertEntry(this.db, r.id, 'message', actor, body, o);
    let set: Record<string, unknown>;
    if (actor.author === 'client') {
      set = this.transition(r, 'open');
    } else {
      set = this.transition(r, o.state ?? 'waiting_on_client');
      if (!r.first_response_at) set.first_response_at = this.now();
      if (r.draft_reply) {
        set.draft_reply = null;
        set.draft_by = null;
      }
    }
    const ticket = await this.update(r.id, set);
    if (actor.author === 'client') this.mailer?.toOperators(ticket, body, actor);
    else this.mailer?.toClient(ticket, entry);
    return { ticket, entry };
  }

  async note(r: TicketRow, actor: Actor, body: string, meta?: unknown): Promise<ThreadEntry> {
    const e = await this.insertEntry(this.db, r.id, 'note', actor, body, {
      via: actor.author === 'agent' ? 'agent' : 'web',
      meta,
    });
    await this.db.query('UPDATE tickets SET updated_at = $2 WHERE id = $1', [r.id, this.now()]);
    return e;
  }

  /** A line the hub writes into the thread (state changes, quick actions); clients see it. */
  system(r: TicketRow, body: string, meta?: unknown, actor?: Actor): Promise<ThreadEntry> {
    return this.insertEntry(this.db, r.id, 'system', actor ?? { author: 'system', id: null, email: null }, body, {
      via: 'hub',
      meta,
    });
  }

  /** Operator changes: state (snoozed needs a time), assignee, priority, category. */
  async patch(
    r: TicketRow,
    p: { state?: TicketState; snoozedUntil?: Date; assigneeId?: string | null; priority?: string; category?: string },
    actor: Actor,
  ): Promise<TicketRow> {
    let set: Record<string, unknown> = { updated_at: this.now() };
    if (p.state && p.state !== r.state) set = { ...set, ...this.transition(r, p.state, p.snoozedUntil ?? null) };
    else if (p.state === 'snoozed' && p.snoozedUntil) set.snoozed_until = p.snoozedUntil;
    if (p.assigneeId !== undefined) set.assignee_id = p.assigneeId;
    if (p.priority) set.priority = p.priority;
    if (p.category) set.category = p.category;
    const t = await this.update(r.id, set);
    const said: string[] = [];
    if (p.state && p.state !== r.state)
      said.push(
        p.state === 'snoozed' ? `snoozed until ${iso(p.snoozedUntil)}` : `marked ${p.state.replace(/_/g, ' ')}`,
      );
    if (p.priority && p.priority !== r.priority) said.push(`priority ${p.priority}`);
    if (p.category && p.category !== r.category) said.push(`category ${p.category}`);
    if (p.assigneeId !== undefined && p.assigneeId !== r.assignee_id)
      said.push(p.assigneeId ? `assigned to ${await this.emailOf(p.assigneeId)}` : 'unassigned');
    if (said.length) await this.system(t, `${actor.email ?? actor.author}: ${said.join(', ')}`, { change: p }, actor);
    return t;
  }

  private async emailOf(userId: string): Promise<string> {
    const rows = await this.db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [userId]);
    return rows[0]?.email ?? userId;
  }

  /** The support agent's work: a triage note, a drafted reply, a proposal to resolve. */
  async triage(
    r: TicketRow,
    actor: Actor,
    t: {
      note: string;
      category?: string;
      priority?: string;
      draftReply?: string;
      proposeResolution?: string;
      /** Hand the ticket to a person: why. Raises the priority to at least high. */
      escalate?: string;
      meta?: unknown;
    },
  ): Promise<TicketRow> {
    await this.note(r, actor, t.note, t.meta);
    const set: Record<string, unknown> = {};
    if (t.category) set.category = t.category;
    if (t.priority) set.priority = t.priority;
    if (t.escalate) {
      set.escalated_at = this.now();
      set.escalation_reason = t.escalate;
      const p = String(set.priority ?? r.priority);
      if (p !== 'urgent') set.priority = 'high';
    }
    if (t.draftReply !== undefined) {
      set.draft_reply = t.draftReply;
      set.draft_by = actor.email ?? actor.author;
    }
    if (t.proposeResolution !== undefined) set.proposed_resolution = t.proposeResolution;
    return this.update(r.id, set);
  }

  async saveDraft(r: TicketRow, actor: Actor, text: string | null): Promise<TicketRow> {
    return this.update(r.id, { draft_reply: text, draft_by: text ? (actor.email ?? actor.author) : null });
  }

  /** Wakes snoozed tickets whose time has come and raises each SLA breach once. */
  async sweep(): Promise<{ woke: number; breaches: SlaBreach[] }> {
    const now = this.now();
    const due = await this.db.query(`${TICKET_SELECT} WHERE t.state = 'snoozed' AND t.snoozed_until <= $1`, [now]);
    for (const raw of due) {
      const r = ticketRow(raw);
      const t = await this.update(r.id, this.transition(r, 'open'));
      await this.system(t, 'snooze ended: back in the inbox');
    }
    const breaches: SlaBreach[] = [];
    const open = await this.db.query(
      `${TICKET_SELECT} WHERE t.state NOT IN ('resolved','closed')
         AND (t.first_response_breached_at IS NULL OR t.resolution_breached_at IS NULL)`,
    );
    for (const raw of open) {
      const r = ticketRow(raw);
      const sla = this.view(r, true).sla;
      const marks: [SlaBreach['clock'], string][] = [];
      if (sla.firstResponse.state === 'breached' && !r.first_response_breached_at)
        marks.push(['first_response', 'first_response_breached_at']);
      if (sla.resolution.state === 'breached' && !r.resolution_breached_at)
        marks.push(['resolution', 'resolution_breached_at']);
      for (const [clock, col] of marks) {
        // Only the hub that sets the mark raises the event (several hubs may sweep at once).
        const won = await this.db.query(
          `UPDATE tickets SET ${col} = $2 WHERE id = $1 AND ${col} IS NULL RETURNING id`,
          [r.id, now],
        );
        if (!won[0]) continue;
        const b: SlaBreach = { ticketId: r.id, clientId: r.client_id, clock, at: now.toISOString() };
        breaches.push(b);
        await this.system(
          r,
          `SLA breached: ${clock === 'first_response' ? 'first response' : 'resolution'} target passed`,
          b,
        );
        this.events.emit('sla.breached', b);
      }
    }
    return { woke: due.length, breaches };
  }

  /** Finds the ticket an inbound mail answers: its plus-address token or a Message-ID we sent. */
  async findForMail(tokens: string[], references: string[]): Promise<TicketRow | null> {
    for (const tok of tokens) {
      const rows = await this.db.query<Row>('SELECT id FROM tickets WHERE reply_token = $1', [tok]);
      if (rows[0]) return this.row(String(rows[0].id));
    }
    if (references.length) {
      const rows = await this.db.query<Row>(
        'SELECT ticket_id FROM ticket_messages WHERE mail_id = ANY($1::text[]) ORDER BY created_at DESC LIMIT 1',
        [references],
      );
      if (rows[0]) return this.row(String(rows[0].ticket_id));
    }
    return null;
  }

  async setMailId(entryId: string, mailId: string): Promise<void> {
    await this.db.query('UPDATE ticket_messages SET mail_id = $2 WHERE id = $1', [entryId, mailId]);
  }

  logger(): Logger {
    return this.log;
  }
}

const remaining = (t: Ticket) =>
  Math.min(
    t.sla.firstResponse.stopped
      ? Number.POSITIVE_INFINITY
      : t.sla.firstResponse.targetMs - t.sla.firstResponse.elapsedMs,
    t.sla.resolution.stopped ? Number.POSITIVE_INFINITY : t.sla.resolution.targetMs - t.sla.resolution.elapsedMs,
  );
