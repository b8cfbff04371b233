import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import type { HubConfig } from '../config.js';
import type { InvoiceView } from './invoices.js';

/** The part of Stripe the hub uses: a customer per client and a hosted invoice per invoice. */
export interface StripeLink {
  /** The customer of a client, created once (idempotency key per client). */
  customer(client: { id: string; name: string; email: string | null }): Promise<string>;
  /** A finalized Stripe invoice with our lines; returns its id and hosted payment URL. */
  invoice(customerId: string, inv: InvoiceView): Promise<{ id: string; url: string | null }>;
  /** Verifies a webhook (Stripe-Signature) and returns the event; throws on a bad or stale signature. */
  verify(rawBody: Buffer, signature: string, now: Date): Stripe.Event;
}

/**
 * The official SDK, pointed at DS_STRIPE_URL when set (a local fake in tests). Every write carries
 * an idempotency key derived from our own ids, so a retry never creates a second object.
 */
export function createStripe(config: HubConfig): StripeLink | null {
  if (!config.stripeSecretKey) return null;
  const url = config.stripeUrl ? new URL(config.stripeUrl) : null;
  // The SDK (hundreds of resource modules) is loaded only when Stripe is configured; required, not
  // imported, because createStripe is synchronous.
  const StripeSdk = createRequire(import.meta.url)('stripe') as typeof Stripe;
  const stripe = new StripeSdk(config.stripeSecretKey, {
    maxNetworkRetries: 2,
    telemetry: false,
    ...(url
      ? {
          host: url.hostname,
          port: url.port || (url.protocol === 'http:' ? 80 : 443),
          protocol: url.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
  return {
    async customer(client) {
      const c = await stripe.customers.create(
        { name: client.name, ...(client.email ? { email: client.email } : {}), metadata: { clientId: client.id } },
        { idempotencyKey: `customer-${client.id}` },
      );
      return c.id;
    },
    async invoice(customerId, inv) {
      const created = await stripe.invoices.create(
        {
          customer: customerId,
          collection_method: 'send_invoice',
          due_date: Math.floor(new Date(inv.dueAt).getTime() / 1000),
          currency: inv.currency.toLowerCase(),
          auto_advance: false,
          metadata: { invoiceId: inv.id, number: inv.number },
        },
        { idempotencyKey: `invoice-${inv.id}` },
      );
      // One item carries the total: our invoice (with its VAT) is the legal document.
      await stripe.invoiceItems.create(
        {
          customer: customerId,
          invoice: created.id,
          amount: inv.total,
          currency: inv.currency.toLowerCase(),
          description: `${inv.number} (${inv.period})`,
        },
        { idempotencyKey: `invoice-item-${inv.id}` },
      );
      const final = await stripe.invoices.finalizeInvoice(
        created.id as string,
        {},
        { idempotencyKey: `invoice-finalize-${inv.id}` },
      );
      return { id: final.id as string, url: final.hosted_invoice_url ?? null };
    },
    verify(rawBody, signature, now) {
      if (!config.stripeWebhookSecret) throw new Error('DS_STRIPE_WEBHOOK_SECRET is not set');
      return stripe.webhooks.constructEvent(
        rawBody,
        signature,
        config.stripeWebhookSecret,
        300,
        undefined,
        now.getTime(),
      );
    },
  };
}
