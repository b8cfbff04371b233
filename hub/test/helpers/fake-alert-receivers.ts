import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A request one of the fakes received. */
export interface Received {
  at: number;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: Record<string, unknown> | null;
  status: number;
}

interface Fake {
  url: string;
  received: Received[];
  /** The next `n` requests get this status (429/500/503) instead of being processed. */
  failNext(n: number, status: number): void;
  waitFor(match: (r: Received) => boolean, ms?: number): Promise<Received>;
  close(): Promise<void>;
}

type Handler = (r: Received) => { status: number; body: string; type: string; headers?: Record<string, string> };

async function fakeServer(handle: Handler, failure: (status: number) => ReturnType<Handler>): Promise<Fake> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  let failing: { n: number; status: number } | null = null;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(body);
      } catch {}
      const r: Received = { at: Date.now(), path: req.url ?? '', headers: req.headers, body, json, status: 0 };
      let out: ReturnType<Handler>;
      if (failing && failing.n > 0) {
        failing.n--;
        out = failure(failing.status);
      } else out = handle(r);
      r.status = out.status;
      received.push(r);
      res.writeHead(out.status, { 'content-type': out.type, ...(out.headers ?? {}) });
      res.end(out.body);
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext(n, status) {
      failing = { n, status };
    },
    waitFor(match, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = received.find(match);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching request within ${ms} ms (${received.length} received)`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A PagerDuty Events v2 event as the fake received it. */
export interface PdEvent {
  routing_key?: string;
  event_action?: string;
  dedup_key?: string;
  payload?: {
    summary?: string;
    source?: string;
    severity?: string;
    timestamp?: string;
    component?: string;
    class?: string;
    custom_details?: { alerts: { labels: Record<string, string> }[] };
  };
  links?: { href: string; text: string }[];
}

/** The alert notification a webhook endpoint or Slack received. */
export interface HookPayload {
  status: string;
  text?: string;
  blocks?: unknown[];
  alerts: { clientId: string | null; labels: Record<string, string> }[];
}

export const pdEvent = (r: Received) => (r.json ?? {}) as PdEvent;
export const hookPayload = (v: unknown) => v as HookPayload;

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`) as documented: 202 `{status, message, dedup_key}`
 * for a valid event, 400 `{status: "invalid event", message, errors}` otherwise, 429 when rate
 * limited, 5xx on an outage.
 */
export function startFakePagerduty(): Promise<Fake> {
  return fakeServer(
    (r) => {
      const j = r.json === null ? null : pdEvent(r);
      const errors: string[] = [];
      if (r.path !== '/v2/enqueue') return { status: 404, body: '{"status":"not found"}', type: 'application/json' };
      if (!j) errors.push('Event object is not valid JSON');
      else {
        if (typeof j.routing_key !== 'string' || j.routing_key.length !== 32)
          errors.push("'routing_key' must be 32 characters");
        if (!['trigger', 'acknowledge', 'resolve'].includes(j.event_action ?? ''))
          errors.push("'event_action' is invalid");
        if (j.event_action !== 'trigger' && typeof j.dedup_key !== 'string') errors.push("'dedup_key' is required");
        if (typeof j.dedup_key === 'string' && j.dedup_key.length > 255) errors.push("'dedup_key' is too long");
        if (j.event_action === 'trigger') {
          const p = j.payload ?? {};
          if (typeof p.summary !== 'string' || !p.summary || p.summary.length > 1024)
            errors.push("'payload.summary' is missing or too long");
          if (typeof p.source !== 'string' || !p.source) errors.push("'payload.source' is missing");
          if (!SEVERITIES.has(p.severity ?? '')) errors.push("'payload.severity' is invalid");
          if (p.timestamp !== undefined && Number.isNaN(Date.parse(p.timestamp)))
            errors.push("'payload.timestamp' is invalid");
        }
      }
      if (errors.length)
        return {
          status: 400,
          body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors }),
          type: 'application/json',
        };
      return {
        status: 202,
        body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: j?.dedup_key ?? 'generated' }),
        type: 'application/json',
      };
    },
    (status) =>
      status === 429
        ? {
            status,
            body: JSON.stringify({
              status: 'throttle event',
              message: 'Requests for this service are arriving too quickly.',
            }),
            type: 'application/json',
          }
        : {
            status,
            body: JSON.stringify({ status: 'error', message: 'Internal server error' }),
            type: 'application/json',
          },
  );
}

/** Slack incoming webhooks: 200 `ok`; 400 `invalid_payload` for a body that is not JSON, `no_text` without text or blocks. */
export function startFakeSlack(): Promise<Fake> {
  return fakeServer(
    (r) => {
      if (!r.json) return { status: 400, body: 'invalid_payload', type: 'text/html' };
      if (!r.json.text && !r.json.blocks) return { status: 400, body: 'no_text', type: 'text/html' };
      return { status: 200, body: 'ok', type: 'text/html' };
    },
    (status) => ({
      status,
      body: status === 429 ? 'rate_limited' : 'service_unavailable',
      type: 'text/html',
      headers: (status === 429 ? { 'retry-after': '1' } : {}) as Record<string, string>,
    }),
  );
}

/** A customer's Standard Webhooks endpoint: verifies the signature with the channel's secret (401 when it does not verify). */
export async function startWebhookReceiver(): Promise<
  Fake & { secret: string | null; setSecret(s: string): void; verified: Record<string, unknown>[] }
> {
  let secret: string | null = null;
  const verified: Record<string, unknown>[] = [];
  const fake = await fakeServer(
    (r) => {
      try {
        if (!secret) throw new Error('no secret');
        const payload = new Webhook(secret).verify(r.body, {
          'webhook-id': String(r.headers['webhook-id']),
          'webhook-timestamp': String(r.headers['webhook-timestamp']),
          'webhook-signature': String(r.headers['webhook-signature']),
        });
        verified.push(payload as Record<string, unknown>);
        return { status: 204, body: '', type: 'text/plain' };
      } catch (e) {
        return { status: 401, body: (e as Error).message, type: 'text/plain' };
      }
    },
    (status) => ({ status, body: 'unavailable', type: 'text/plain' }),
  );
  return Object.assign(fake, {
    get secret() {
      return secret;
    },
    setSecret(s: string) {
      secret = s;
    },
    verified,
  });
}
