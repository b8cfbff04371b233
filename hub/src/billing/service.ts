import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { HttpError, HUB_ERR, notFound } from '../auth/errors.js';
import { brandedInvoicePdf } from '../brands/invoice.js';
import { audit, auditMany } from '../commands/audit.js';
import type { CommandService } from '../commands/service.js';
import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import { type LiveSink, nullSink } from '../live/sink.js';
import type { Mailer } from '../security/mailer.js';
import { type ClientEvents, nullClientEvents } from '../webhooks/client-events.js';
import { checkBudget } from './budgets.js';
import { billingRecipients, resumeAfterPayment, runDunning } from './dunning.js';
import { forecast } from './forecast.js';
import { activeHolds, assertNotHeld, billableClients } from './invoice-review.js';
import { getInvoice, type InvoiceView, issueCreditNote, issueInvoice, issueInvoices } from './invoices.js';
import { money } from './pdf.js';
import { ensurePlans, type PlanAllowance, periodOf, planAllowance } from './plans.js';
import { createStripe, type StripeLink } from './stripe.js';

export interface BillingDeps {
  db: Db;
  config: HubConfig;
  fleet: Fleet;
  commands: CommandService;
  mailer: Mailer;
  log: Logger;
  live?: () => LiveSink;
}

const periodEnd = (period: string) => Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 1);
const prevPeriod = (now: Date) => periodOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));

/**
 * Billing on the hub: invoices and credit notes, plan and status changes, budgets, reminders,
 * payments through Stripe. `clock` is injectable so tests can move time (reminders, periods).
 */
export class BillingService {
  clock: () => Date = () => new Date();
  stripe: StripeLink | null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<unknown> | null = null;
  /** Stripe and mail of the monthly run's invoices, done after the run has answered, in order. */
  private deliveries: Promise<void> = Promise.resolve();
  /** Clients invoiced per transaction in the monthly run. */
  runBatchSize = 250;
  /** The client's event webhooks (`invoice.issued`). */
  clientEvents: ClientEvents = nullClientEvents;

  constructor(private readonly d: BillingDeps) {
    this.stripe = createStripe(d.config);
  }

  get db() {
    return this.d.db;
  }

  async init(): Promise<void> {
    await ensurePlans(this.d.db);
  }

  /** A client's allowance this period (plan, included usage, budget, hard-limit policy). */
  planAllowance(clientId: string): Promise<PlanAllowance | null> {
    return planAllowance(this.d.db, clientId, this.clock());
  }

  forecast(clientId: string | null) {
    return forecast(this.d.db, clientId, this.clock());
  }

  /** Issues the invoice, then (best effort, after the commit) mirrors it to Stripe and mails it. */
  async issue(clientId: string, period: string, actor: string): Promise<InvoiceView> {
    await assertNotHeld(this.d.db, clientId, period);
    const inv = await issueInvoice(this.d.db, this.d.config, clientId, period, this.clock());
    await audit(this.d.db, actor, 'invoice.issue', inv.id, clientId, { number: inv.number, total: inv.total });
    return this.deliver(inv);
  }

  /** After an invoice is committed, by a single issue or the monthly run: its mail, Stripe and webhook. */
  private async deliver(inv: InvoiceView): Promise<InvoiceView> {
    this.clientEvents.publish(inv.clientId, 'invoice.issued', {
      invoiceId: inv.id,
      number: inv.number,
      kind: inv.kind,
      period: inv.period,
      currency: inv.currency,
      total: inv.total,
      issuedAt: inv.issuedAt,
      dueAt: inv.dueAt,
    });
    let out = inv;
    if (this.stripe && inv.total > 0) {
      try {
        out = await this.pushToStripe(inv);
      } catch (e) {
        this.d.log.warn({ err: (e as Error).message, invoice: inv.id }, 'invoice not sent to Stripe');
      }
    }
    try {
      const to = await billingRecipients(this.d.db, inv.clientId);
      if (to.length > 0)
        await this.d.mailer.send({
          to: to.join(', '),
          clientId: inv.clientId,
          subject: `Invoice ${out.number} (${out.period}): ${money(out.total, out.currency)}`,
          text: `Your invoice ${out.number} for ${out.period} over ${money(out.total, out.currency)} is attached; it is due on ${out.dueAt.slice(0, 10)}.${out.payUrl ? `\n\nPay online: ${out.payUrl}` : ''}`,
          attachments: [
            {
              filename: `${out.number}.pdf`,
              content: await brandedInvoicePdf(this.d.db, out),
              contentType: 'application/pdf',
            },
          ],
        });
    } catch (e) {
      this.d.log.warn({ err: (e as Error).message, invoice: inv.id }, 'invoice mail failed');
    }
    return out;
  }

  /** Creates (once) the Stripe customer and the Stripe invoice of one of our invoices. */
  async pushToStripe(inv: InvoiceView): Promise<InvoiceView> {
    const s = this.stripe;
    if (!s) throw new HttpError(503, HUB_ERR.UNAVAILABLE, 'Stripe is not configured (DS_STRIPE_SECRET_KEY)');
    const b = (
      await this.d.db.query<Record<string, unknown>>(
        `SELECT c.name, b.stripe_customer_id, b.billing_email FROM clients c LEFT JOIN client_billing b ON b.client_id = c.id WHERE c.id = $1`,
        [inv.clientId],
      )
    )[0];
    let customer = b?.stripe_customer_id as string | null;
    if (!customer) {
      customer = await s.customer({
        id: inv.clientId,
        name: String(b?.name ?? inv.clientId),
        email: (b?.billing_email as string) ?? null,
      });
      await this.d.db.query(
        `INSERT INTO client_billing (client_id, stripe_customer_id) VALUES ($1,$2)
         ON CONFLICT (client_id) DO UPDATE SET stripe_customer_id = $2, updated_at = now()`,
        [inv.clientId, customer],
      );
    }
    const si = await s.invoice(customer, inv);
    await this.d.db.query('UPDATE invoices SET stripe_invoice_id = $2, pay_url = $3 WHERE id = $1', [
      inv.id,
      si.id,
      si.url,
    ]);
    return (await getInvoice(this.d.db, inv.id)) as InvoiceView;
  }

  /**
   * Invoices every client that was billed in `period` (default: last month); existing ones are
   * kept, and clients whose invoice is held for review are left for an operator to clear.
   */
  async monthlyRun(
    period = prevPeriod(this.clock()),
    actor = 'system',
  ): Promise<{ period: string; issued: number; skipped: number; held: number; failed: number }> {
    let issued = 0;
    let skipped = 0;
    let held = 0;
    let failed = 0;
    // Held invoices wait for an operator; the rest are issued in batches.
    const billable = await billableClients(this.d.db, period);
    const onHold = await activeHolds(this.d.db, period);
    const ids = billable.filter((id) => !onHold.has(id));
    held = billable.length - ids.length;
    for (let i = 0; i < ids.length; i += this.runBatchSize) {
      const batch = ids.slice(i, i + this.runBatchSize);
      let out: Awaited<ReturnType<typeof issueInvoices>>;
      try {
        out = await issueInvoices(this.d.db, this.d.config, batch, period, this.clock());
      } catch (e) {
        // The batch rolled back whole (numbers too): client by client, so one bad client fails alone.
        this.d.log.warn(
          { err: (e as Error).message, period, clients: batch.length },
          'invoice batch failed; one by one',
        );
        const one = await this.issueEach(batch, period, actor);
        issued += one.issued;
        skipped += one.skipped;
        failed += one.failed;
        continue;
      }
      issued += out.issued.length;
      skipped += out.skipped.length;
      await auditMany(
        this.d.db,
        out.issued.map((inv) => ({
          actor,
          action: 'invoice.issue',
          target: inv.id,
          clientId: inv.clientId,
          detail: { number: inv.number, total: inv.total },
        })),
      );
      this.deliverLater(out.issued);
    }
    await this.d.db.query(
      `INSERT INTO hub_settings (key, value) VALUES ('billing.lastRun', $1)
       ON CONFLICT (key) DO UPDATE SET value = $1, updated_at = now()`,
      [JSON.stringify(period)],
    );
    return { period, issued, skipped, held, failed };
  }

  /** The monthly run's slow path: each client in its own transaction, as a single issue. */
  private async issueEach(ids: string[], period: string, actor: string) {
    const n = { issued: 0, skipped: 0, failed: 0 };
    for (const id of ids) {
      try {
        await this.issue(id, period, actor);
        n.issued++;
      } catch (e) {
        if (e instanceof HttpError && e.statusCode === 409) n.skipped++;
        else {
          n.failed++;
          this.d.log.warn({ err: (e as Error).message, clientId: id, period }, 'invoice run: client failed');
        }
      }
    }
    return n;
  }

  /**
   * Stripe and mail (with the rendered PDF) of issued invoices, after the run has answered: at
   * 1,000 clients these take far longer than issuing. Each invoice is delivered once, in order.
   */
  private deliverLater(invoices: InvoiceView[]): void {
    for (const inv of invoices)
      this.deliveries = this.deliveries.then(() =>
        this.deliver(inv).then(
          () => undefined,
          (e) => this.d.log.warn({ err: (e as Error).message, invoice: inv.id }, 'invoice delivery failed'),
        ),
      );
  }

  /** Resolves when every delivery queued so far is done. */
  deliveriesDone(): Promise<void> {
    return this.deliveries;
  }

  async creditNote(
    invoiceId: string,
    input: { reason: string; lines?: { description: string; amount: number }[] },
    actor: string,
  ) {
    const cn = await issueCreditNote(this.d.db, invoiceId, input, this.clock());
    await audit(this.d.db, actor, 'invoice.credit', cn.id, cn.clientId, {
      number: cn.number,
      credits: invoiceId,
      total: cn.total,
    });
    return cn;
  }

  /** Changes a client's plan and/or status, recorded for proration and audited. */
  async changeClient(clientId: string, change: { plan?: string; status?: string }, actor: string) {
    return this.d.db.tx(async (q) => {
      const cur = (
        await q.query<Record<string, unknown>>('SELECT * FROM clients WHERE id = $1 FOR UPDATE', [clientId])
      )[0];
      if (!cur) throw notFound('client');
      if (change.plan) {
        const p = await q.query('SELECT id FROM billing_plans WHERE id = $1', [change.plan]);
        if (!p[0]) throw new HttpError(400, HUB_ERR.VALIDATION, `unknown plan ${change.plan}`);
      }
      const plan = change.plan ?? String(cur.plan);
      const status = change.status ?? String(cur.status);
      if (plan === cur.plan && status === cur.status) return cur;
      const rows = await q.query<Record<string, unknown>>(
        'UPDATE clients SET plan = $2, status = $3 WHERE id = $1 RETURNING *',
        [clientId, plan, status],
      );
      await q.query(
        'INSERT INTO plan_changes (client_id, at, from_plan, to_plan, from_status, to_status, actor) VALUES ($1,$2,$3,$4,$5,$6,$7)',
        [clientId, this.clock(), cur.plan, plan, cur.status, status, actor],
      );
      await audit(q, actor, 'client.update', clientId, clientId, {
        from: { plan: cur.plan, status: cur.status },
        to: { plan, status },
      });
      return rows[0];
    });
  }

  /** A verified Stripe event: payment state of our invoice (each event id handled once). */
  async stripeEvent(ev: Stripe.Event): Promise<'handled' | 'duplicate' | 'ignored'> {
    const fresh = await this.d.db.query(
      'INSERT INTO stripe_events (id, type) VALUES ($1,$2) ON CONFLICT DO NOTHING RETURNING id',
      [ev.id, ev.type],
    );
    if (fresh.length === 0) return 'duplicate';
    if (ev.type !== 'invoice.paid' && ev.type !== 'invoice.payment_failed' && ev.type !== 'invoice.payment_succeeded')
      return 'ignored';
    const obj = ev.data.object as Stripe.Invoice;
    const ours = await this.d.db.query<{ id: string; client_id: string; status: string }>(
      'SELECT id, client_id, status FROM invoices WHERE stripe_invoice_id = $1 OR id = $2',
      [obj.id, obj.metadata?.invoiceId ?? ''],
    );
    const inv = ours[0];
    if (!inv) return 'ignored';
    if (ev.type === 'invoice.payment_failed') {
      if (inv.status !== 'paid') await this.d.db.query(`UPDATE invoices SET status = 'failed' WHERE id = $1`, [inv.id]);
    } else await this.markPaid(inv.id, new Date(ev.created * 1000));
    await audit(
      this.d.db,
      'system',
      `invoice.${ev.type === 'invoice.payment_failed' ? 'payment_failed' : 'paid'}`,
      inv.id,
      inv.client_id,
      {
        stripeEvent: ev.id,
      },
    );
    return 'handled';
  }

  async markPaid(invoiceId: string, at: Date): Promise<void> {
    const r = await this.d.db.query<{ client_id: string }>(
      `UPDATE invoices SET status = 'paid', paid_at = $2 WHERE id = $1 AND status <> 'paid' RETURNING client_id`,
      [invoiceId, at],
    );
    if (r[0]) await resumeAfterPayment(this.d, r[0].client_id);
  }

  /** Budgets of every client that has one. */
  async checkBudgets(): Promise<Record<string, string[]>> {
    const rows = await this.d.db.query<{ client_id: string }>(
      'SELECT client_id FROM client_billing WHERE budget_soft_cents IS NOT NULL OR budget_hard_cents IS NOT NULL OR enforcement IS NOT NULL',
    );
    const out: Record<string, string[]> = {};
    for (const r of rows) {
      const done = await checkBudget(
        {
          db: this.d.db,
          fleet: this.d.fleet,
          commands: this.d.commands,
          live: this.d.live ?? (() => nullSink),
          log: this.d.log,
        },
        r.client_id,
        this.clock(),
      );
      if (done.length) out[r.client_id] = done;
    }
    return out;
  }

  dunning() {
    return runDunning({ ...this.d, pauseAfterLast: this.d.config.billingPauseAfterDunning }, this.clock());
  }

  /** One pass of the background work: budgets, reminders, and last month's invoices once. */
  async tick(): Promise<void> {
    await this.checkBudgets();
    await this.dunning();
    const last = (
      await this.d.db.query<{ value: unknown }>(`SELECT value FROM hub_settings WHERE key = 'billing.lastRun'`)
    )[0]?.value;
    const due = prevPeriod(this.clock());
    // A hub that starts billing now invoices from the next period on, not months it never metered.
    if (last === undefined)
      await this.d.db.query(
        `INSERT INTO hub_settings (key, value) VALUES ('billing.lastRun', $1) ON CONFLICT DO NOTHING`,
        [JSON.stringify(due)],
      );
    // The review window lets the billing agent look at (and hold) the invoices before they go out.
    else if (
      String(last) < due &&
      this.clock().getTime() >= periodEnd(due) + this.d.config.billingReviewHours * 3_600_000
    )
      await this.monthlyRun(due);
  }

  start(everyMs = 60_000): void {
    this.timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = this.tick()
        .catch((e) => this.d.log.warn({ err: (e as Error).message }, 'billing tick failed'))
        .finally(() => {
          this.ticking = null;
        });
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await this.deliveries;
  }
}
