import type { Logger } from 'pino';
import { brandedInvoicePdf } from '../brands/invoice.js';
import type { CommandService } from '../commands/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Mailer } from '../security/mailer.js';
import { getInvoice, type InvoiceView } from './invoices.js';
import { money } from './pdf.js';

const DAY = 86_400_000;

/** Reminder stages, by offset from the due date. */
export const DUNNING_STAGES = [
  { stage: 'before', offsetDays: -3 },
  { stage: 'd3', offsetDays: 3 },
  { stage: 'd7', offsetDays: 7 },
  { stage: 'd14', offsetDays: 14 },
] as const;

export interface DunningDeps {
  db: Db;
  fleet: Fleet;
  commands: CommandService;
  mailer: Mailer;
  log: Logger;
  pauseAfterLast: boolean;
}

const ISSUER = { userId: 'system', email: 'billing@hub' };

/** Where a client's billing mail goes: its billing email, else its owners. */
export async function billingRecipients(db: Db, clientId: string): Promise<string[]> {
  const b = await db.query<{ billing_email: string | null }>(
    'SELECT billing_email FROM client_billing WHERE client_id = $1',
    [clientId],
  );
  if (b[0]?.billing_email) return [b[0].billing_email];
  const owners = await db.query<{ email: string }>(
    `SELECT email FROM users WHERE client_id = $1 AND role = 'client_owner' AND NOT disabled ORDER BY created_at`,
    [clientId],
  );
  return owners.map((o) => o.email);
}

function reminderText(inv: InvoiceView, stage: string, now: Date): { subject: string; text: string } {
  const amount = money(inv.total, inv.currency);
  const due = inv.dueAt.slice(0, 10);
  const pay = inv.payUrl ? `\n\nPay online: ${inv.payUrl}` : '';
  if (stage === 'before')
    return {
      subject: `Invoice ${inv.number} is due on ${due}`,
      text: `A friendly reminder: invoice ${inv.number} over ${amount} is due on ${due}.${pay}`,
    };
  const days = Math.floor((now.getTime() - new Date(inv.dueAt).getTime()) / DAY);
  return {
    subject: `Overdue: invoice ${inv.number} (${days} days)`,
    text: `Invoice ${inv.number} over ${amount} was due on ${due} and is ${days} days overdue.${pay}${
      stage === 'd14' ? '\n\nThis is the last reminder.' : ''
    }`,
  };
}

/**
 * One pass over unpaid invoices at `now`: for each, the latest reminder stage that is due and not
 * yet logged is mailed and logged (stages missed while the hub was down are logged as skipped,
 * so a client never gets a burst). After the last stage, with DS_BILLING_PAUSE_AFTER_DUNNING,
 * the client's agents are paused; paying resumes them (resumeAfterPayment).
 */
export async function runDunning(d: DunningDeps, now: Date): Promise<{ sent: number; paused: number }> {
  const open = await d.db.query<{ id: string }>(
    `SELECT id FROM invoices WHERE kind = 'invoice' AND status IN ('open', 'failed') AND total > 0 AND due_at - interval '3 days' <= $1`,
    [now],
  );
  let sent = 0;
  let paused = 0;
  for (const { id } of open) {
    const inv = await getInvoice(d.db, id);
    if (!inv) continue;
    const logged = new Set(
      (await d.db.query<{ stage: string }>('SELECT stage FROM dunning_log WHERE invoice_id = $1', [id])).map(
        (r) => r.stage,
      ),
    );
    const due = new Date(inv.dueAt).getTime();
    const dueStages = DUNNING_STAGES.filter((s) => due + s.offsetDays * DAY <= now.getTime());
    const latest = dueStages.at(-1);
    if (!latest || logged.has(latest.stage)) continue;
    for (const s of dueStages.slice(0, -1))
      if (!logged.has(s.stage))
        await d.db.query(
          `INSERT INTO dunning_log (invoice_id, stage, at, action) VALUES ($1,$2,$3,'skipped') ON CONFLICT DO NOTHING`,
          [id, s.stage, now],
        );
    // Claim the stage first: two hubs (or a retry) never send the same reminder twice.
    const claimed = await d.db.query(
      `INSERT INTO dunning_log (invoice_id, stage, at, action) VALUES ($1,$2,$3,'mail') ON CONFLICT DO NOTHING RETURNING stage`,
      [id, latest.stage, now],
    );
    if (claimed.length === 0) continue;
    const to = await billingRecipients(d.db, inv.clientId);
    const m = reminderText(inv, latest.stage, now);
    if (to.length > 0) {
      const pdf = await brandedInvoicePdf(d.db, inv);
      await d.mailer.send({
        to: to.join(', '),
        clientId: inv.clientId,
        ...m,
        attachments: [{ filename: `${inv.number}.pdf`, content: pdf, contentType: 'application/pdf' }],
      });
      sent++;
    }
    await d.db.query('UPDATE dunning_log SET email = $3 WHERE invoice_id = $1 AND stage = $2', [
      id,
      latest.stage,
      to.join(', ') || null,
    ]);
    if (latest.stage === 'd14' && d.pauseAfterLast) {
      await pauseClient(d, inv.clientId, id);
      await d.db.query(`UPDATE dunning_log SET action = 'mail+pause' WHERE invoice_id = $1 AND stage = 'd14'`, [id]);
      paused++;
    }
  }
  return { sent, paused };
}

async function pauseClient(d: DunningDeps, clientId: string, invoiceId: string) {
  await d.db.query(
    `INSERT INTO client_billing (client_id, paused_for_dunning) VALUES ($1,$2)
     ON CONFLICT (client_id) DO UPDATE SET paused_for_dunning = $2, updated_at = now()`,
    [clientId, invoiceId],
  );
  for (const i of d.fleet.list().filter((x) => x.clientId === clientId))
    await d.commands.create({
      instanceId: i.id,
      type: 'agent.pause',
      params: {},
      idempotencyKey: `dunning-pause-${invoiceId}`,
      issuer: ISSUER,
    });
  d.log.info({ clientId, invoiceId }, 'agent paused after the last payment reminder');
}

/** After a payment: resume the agents dunning paused, once no unpaid overdue invoice is left. */
export async function resumeAfterPayment(
  d: Omit<DunningDeps, 'mailer' | 'pauseAfterLast'>,
  clientId: string,
): Promise<boolean> {
  const b = await d.db.query<{ paused_for_dunning: string | null }>(
    'SELECT paused_for_dunning FROM client_billing WHERE client_id = $1',
    [clientId],
  );
  const invoiceId = b[0]?.paused_for_dunning;
  if (!invoiceId) return false;
  const unpaid = await d.db.query(
    `SELECT 1 FROM invoices i JOIN dunning_log l ON l.invoice_id = i.id AND l.stage = 'd14'
     WHERE i.client_id = $1 AND i.status IN ('open', 'failed')`,
    [clientId],
  );
  if (unpaid.length > 0) return false;
  await d.db.query('UPDATE client_billing SET paused_for_dunning = NULL, updated_at = now() WHERE client_id = $1', [
    clientId,
  ]);
  for (const i of d.fleet.list().filter((x) => x.clientId === clientId))
    await d.commands.create({
      instanceId: i.id,
      type: 'agent.resume',
      params: {},
      idempotencyKey: `dunning-resume-${invoiceId}`,
      issuer: ISSUER,
    });
  d.log.info({ clientId, invoiceId }, 'agent resumed after payment');
  return true;
}
