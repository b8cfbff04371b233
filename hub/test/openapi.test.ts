import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

type Operation = { responses?: Record<string, unknown> };
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/** Fastify's `/clients/:id` as OpenAPI's `/clients/{id}`. */
const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The public API's contract: every route is in the document at /docs, with its errors. */
describe('OpenAPI document', () => {
  let hub: TestHub;
  let doc: Document;

  beforeAll(async () => {
    hub = await startTestHub({ apiDocs: true });
    const res = await fetch(`${hub.httpUrl}/docs/json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Document;
    // Generous: the hub's start is slow on a busy machine.
  }, 900_000);
  afterAll(async () => hub?.close());

  it('lists every API route with at least one error response', () => {
    const routes = hub.app.routeTable.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(100);
    const missing: string[] = [];
    const noErrors: string[] = [];
    for (const r of routes) {
      const op = doc.paths[toOpenApiPath(r.url)]?.[r.method.toLowerCase()];
      if (!op) missing.push(`${r.method} ${r.url}`);
      else if (!Object.keys(op.responses ?? {}).some((s) => Number(s) >= 400)) noErrors.push(`${r.method} ${r.url}`);
    }
    expect(missing).toEqual([]);
    expect(noErrors).toEqual([]);
  });

  it('documents the API keys routes with their codes and examples', () => {
    const keys = doc.paths['/api/v1/clients/{clientId}/api-keys'];
    expect(Object.keys(keys.post.responses ?? {}).sort()).toEqual(['201', '400', '401', '403', '404', '429', '503']);
    // @fastify/swagger moves a schema's examples beside it, onto the media type.
    expect(JSON.stringify(keys.post.responses?.['201'])).toContain('dsa_');
    expect(JSON.stringify(keys.get.responses?.['404'])).toContain('HUB_ERR_NOT_FOUND');
  });
});
