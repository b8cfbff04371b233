import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Stripe for tests, speaking its wire format: form-encoded request bodies with nested
 * `a[b]` keys, Bearer secret keys, JSON objects with `object` and `id` fields, errors as
 * `{error:{type,code,message,param}}` with Stripe's status codes, Idempotency-Key replay, and
 * webhook events signed like Stripe (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.payload")`).
 * Customers, invoices (create, finalize, retrieve) and invoice items.
 */
export interface StripeFake {
  url: string;
  secretKey: string;
  webhookSecret: string;
  /** Where signed events are POSTed (the hub's /webhooks/stripe). */
  webhookUrl: string;
  requests: { method: string; path: string; idempotencyKey: string | null; body: Record<string, unknown> }[];
  customers: Map<string, Record<string, unknown>>;
  invoices: Map<string, Record<string, unknown>>;
  /** Marks a Stripe invoice paid (or failed) and sends the signed event; returns the hub's answer. */
  pay(invoiceId: string): Promise<{ status: number; body: unknown }>;
  fail(invoiceId: string): Promise<{ status: number; body: unknown }>;
  /** Sends an event as Stripe would, optionally signed wrongly, late or tampered after signing. */
  send(
    event: Record<string, unknown>,
    o?: { timestamp?: number; secret?: string; tamper?: boolean },
  ): Promise<{ status: number; body: unknown }>;
  event(type: string, object: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

/** Parses `a=1&b[c]=2&d[0]=x` into nested objects, as Stripe reads form bodies. */
export function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawK, v] of new URLSearchParams(body)) {
    const parts = rawK.split(/\[|\]\[|\]/).filter((p) => p !== '');
    let cur = out as Record<string, unknown>;
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1) cur[p] = v;
      else {
        cur[p] ??= {};
        cur = cur[p] as Record<string, unknown>;
      }
    }
  }
  return out;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

export async function startStripeFake(): Promise<StripeFake> {
  const secretKey = `sk_test_${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  const customers = new Map<string, Record<string, unknown>>();
  const invoices = new Map<string, Record<string, unknown>>();
  const idem = new Map<string, { body: string; status: number; payload: unknown }>();
  const requests: StripeFake['requests'] = [];
  let base = '';

  const err = (status: number, type: string, message: string, code?: string, param?: string) => ({
    status,
    payload: { error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}) } },
  });

  function route(method: string, path: string, b: Record<string, unknown>): { status: number; payload: unknown } {
    if (method === 'POST' && path === '/v1/customers') {
      const c = {
        id: id('cus'),
        object: 'customer',
        created: now(),
        livemode: false,
        name: b.name ?? null,
        email: b.email ?? null,
        metadata: b.metadata ?? {},
      };
      customers.set(c.id, c);
      return { status: 200, payload: c };
    }
    if (method === 'POST' && path === '/v1/invoices') {
      if (typeof b.customer !== 'string' || !customers.has(b.customer))
        return err(400, 'invalid_request_error', `No such customer: '${b.customer}'`, 'resource_missing', 'customer');
      const inv = {
        id: id('in'),
        object: 'invoice',
        created: now(),
        livemode: false,
        customer: b.customer,
        status: 'draft',
        currency: b.currency ?? 'eur',
        collection_method: b.collection_method ?? 'charge_automatically',
        due_date: b.due_date ? Number(b.due_date) : null,
        amount_due: 0,
        amount_paid: 0,
        hosted_invoice_url: null,
        metadata: b.metadata ?? {},
        lines: { object: 'list', data: [] as unknown[], has_more: false },
      };
      invoices.set(inv.id, inv);
      return { status: 200, payload: inv };
    }
    if (method === 'POST' && path === '/v1/invoiceitems') {
      const inv = invoices.get(String(b.invoice));
      if (!inv)
        return err(400, 'invalid_request_error', `No such invoice: '${b.invoice}'`, 'resource_missing', 'invoice');
      if (inv.status !== 'draft')
        return err(400, 'invalid_request_error', 'Invoice is not a draft', 'invoice_not_editable', 'invoice');
      const amount = Number(b.amount);
      if (!Number.isInteger(amount))
        return err(400, 'invalid_request_error', 'Invalid integer: amount', 'parameter_invalid_integer', 'amount');
      const item = {
        id: id('ii'),
        object: 'invoiceitem',
        amount,
        currency: b.currency,
        description: b.description ?? null,
        invoice: inv.id,
        customer: b.customer,
      };
      (inv.lines as { data: unknown[] }).data.push(item);
      inv.amount_due = Number(inv.amount_due) + amount;
      return { status: 200, payload: item };
    }
    const fin = /^\/v1\/invoices\/([^/]+)\/finalize$/.exec(path);
    if (method === 'POST' && fin) {
      const inv = invoices.get(fin[1]);
      if (!inv) return err(404, 'invalid_request_error', `No such invoice: '${fin[1]}'`, 'resource_missing', 'id');
      if (inv.status === 'draft') {
        inv.status = 'open';
        inv.hosted_invoice_url = `${base}/i/${inv.id}`;
      }
      return { status: 200, payload: inv };
    }
    const get = /^\/v1\/invoices\/([^/]+)$/.exec(path);
    if (method === 'GET' && get) {
      const inv = invoices.get(get[1]);
      return inv
        ? { status: 200, payload: inv }
        : err(404, 'invalid_request_error', `No such invoice: '${get[1]}'`, 'resource_missing', 'id');
    }
    return err(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      const body = parseForm(raw);
      const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
      requests.push({ method: req.method ?? 'GET', path, idempotencyKey: key, body });
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          'request-id': id('req'),
          ...(key ? { 'idempotency-key': key } : {}),
        });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        const e = err(401, 'invalid_request_error', 'Invalid API Key provided: sk_test_****');
        return reply(e.status, e.payload);
      }
      if (
        req.method === 'POST' &&
        req.headers['content-type']?.split(';')[0] !== 'application/x-www-form-urlencoded' &&
        raw
      ) {
        const e = err(400, 'invalid_request_error', 'Invalid request: bodies must be form-encoded');
        return reply(e.status, e.payload);
      }
      if (key) {
        const seen = idem.get(`${path}\u0000${key}`);
        if (seen) {
          if (seen.body !== raw) {
            const e = err(
              400,
              'idempotency_error',
              'Keys for idempotent requests can only be used with the same parameters they were first used with.',
            );
            return reply(e.status, e.payload);
          }
          return reply(seen.status, seen.payload);
        }
      }
      const out = route(req.method ?? 'GET', path, body);
      if (key) idem.set(`${path}\u0000${key}`, { body: raw, status: out.status, payload: out.payload });
      reply(out.status, out.payload);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: StripeFake = {
    url: base,
    secretKey,
    webhookSecret,
    webhookUrl: '',
    requests,
    customers,
    invoices,
    event(type, object) {
      return {
        id: id('evt'),
        object: 'event',
        api_version: '2025-01-01',
        created: now(),
        livemode: false,
        type,
        data: { object },
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
      };
    },
    async send(event, o = {}) {
      const payload = JSON.stringify(event);
      const t = o.timestamp ?? now();
      const sig = createHmac('sha256', o.secret ?? webhookSecret)
        .update(`${t}.${payload}`)
        .digest('hex');
      const sent = o.tamper ? payload.replace('"livemode":false', '"livemode":true') : payload;
      const r = await fetch(fake.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': `t=${t},v1=${sig}`,
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: sent,
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
    async pay(invoiceId) {
      const inv = invoices.get(invoiceId);
      if (!inv) throw new Error(`no invoice ${invoiceId}`);
      inv.status = 'paid';
      inv.amount_paid = inv.amount_due;
      return fake.send(fake.event('invoice.paid', inv));
    },
    async fail(invoiceId) {
      const inv = invoices.get(invoiceId);
      if (!inv) throw new Error(`no invoice ${invoiceId}`);
      return fake.send(fake.event('invoice.payment_failed', inv));
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return fake;
}
