import type { Db } from '../db/index.js';
import { hoursOf, TICKET_SELECT, type TicketRow, ticketRow } from './rows.js';
import { computeSla, slaTargetsFor } from './sla.js';

/** A ticket whose SLA is breached now and not yet made good (answered, resolved). */
export interface ActiveBreach {
  ticketId: string;
  clientId: string;
  clientName: string;
  subject: string;
  /** The clock that is breached: first response while unanswered, else resolution. */
  clock: 'first_response' | 'resolution';
  /** Business hours counted on that clock, and its target. */
  elapsedHours: number;
  targetHours: number;
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;

/** The clocks of one ticket at `now`, as the breach they show (null when none is breached and open). */
export function breachOf(r: TicketRow, now: Date): ActiveBreach | null {
  if (r.state === 'resolved' || r.state === 'closed') return null;
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
    now,
  );
  // An answered ticket no longer owes a first response; its resolution clock may still be breached.
  const c =
    sla.firstResponse.state === 'breached' && !sla.firstResponse.stopped
      ? { clock: 'first_response' as const, v: sla.firstResponse }
      : sla.resolution.state === 'breached'
        ? { clock: 'resolution' as const, v: sla.resolution }
        : null;
  if (!c) return null;
  return {
    ticketId: r.id,
    clientId: r.client_id,
    clientName: r.client_name ?? r.client_id,
    subject: r.subject,
    clock: c.clock,
    elapsedHours: hours(c.v.elapsedMs),
    targetHours: hours(c.v.targetMs),
  };
}

/** Every ticket breached at `now` and still owed an answer or a resolution (one query). */
export async function activeBreaches(db: Db, now: Date): Promise<ActiveBreach[]> {
  const rows = await db.query(`${TICKET_SELECT} WHERE t.state NOT IN ('resolved','closed') AND t.created_at <= $1`, [
    now,
  ]);
  const out: ActiveBreach[] = [];
  for (const raw of rows) {
    const b = breachOf(ticketRow(raw), now);
    if (b) out.push(b);
  }
  return out;
}
