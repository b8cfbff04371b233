import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

/** The dashboard's static export as Next writes it with `output: 'export'` and `trailingSlash: true`. */
let hub: TestHub;
let bare: TestHub;
let dir: string;

function page(name: string) {
  return `<!DOCTYPE html><html><head><script src="/_next/static/chunks/app.js"></script></head><body>${name}</body></html>`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hub-dash-'));
  const files: Record<string, string> = {
    'index.html': page('HOME'),
    'index.txt': 'rsc-home',
    '404.html': page('NOT FOUND'),
    'fleet/index.html': page('FLEET'),
    'fleet/index.txt': 'rsc-fleet',
    'instance/index.html': page('INSTANCE'),
    'reset-password/index.html': page('RESET'),
    '_next/static/chunks/app.js': 'console.log(1)',
    'icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  };
  for (const [f, body] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), body);
  }
  hub = await startTestHub({ dashboardDir: dir });
  bare = await startTestHub({ dashboardDir: join(dir, 'missing') });
}, 60_000);
afterAll(async () => {
  await hub?.close();
  await bare?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (base: string, path: string) => {
  const r = await fetch(`${base}${path}`, { redirect: 'manual' });
  return {
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    cache: r.headers.get('cache-control'),
    location: r.headers.get('location'),
    body: await r.text(),
  };
};

describe('dashboard serving', () => {
  it('serves pages by folder, with ids in the query', async () => {
    for (const [path, text] of [
      ['/', 'HOME'],
      ['/fleet/', 'FLEET'],
      ['/instance/?id=inst_x', 'INSTANCE'],
      ['/reset-password/?token=abc', 'RESET'],
    ]) {
      const r = await get(hub.httpUrl, path);
      expect(r.status, path).toBe(200);
      expect(r.type, path).toContain('text/html');
      expect(r.body, path).toContain(text);
      expect(r.cache, path).toBe('no-cache');
    }
    expect((await get(hub.httpUrl, '/fleet/index.txt')).body).toBe('rsc-fleet');
  });

  it('redirects a folder page without its slash, keeping the query', async () => {
    const r = await get(hub.httpUrl, '/instance?id=inst_x');
    expect(r.status).toBe(308);
    expect(r.location).toBe('/instance/?id=inst_x');
  });

  it('never redirects to another host: extra leading slashes are dropped', async () => {
    for (const path of ['//fleet', '///fleet?x=1', '//fleet/../fleet']) {
      const r = await get(hub.httpUrl, path);
      if (r.status === 308) expect(r.location, path).toMatch(/^\/[^/\\]/);
    }
    const r = await get(hub.httpUrl, '//fleet');
    expect(r.status).toBe(308);
    expect(r.location).toBe('/fleet/');
    expect((await get(hub.httpUrl, '/%5Cfleet')).status).toBe(404);
  });

  it('caches hashed assets for long and answers unknown paths with the 404 page', async () => {
    const js = await get(hub.httpUrl, '/_next/static/chunks/app.js');
    expect(js.status).toBe(200);
    expect(js.cache).toContain('immutable');
    for (const path of ['/nope/', '/nope/deeper?x=1', '/fleet/../../etc/passwd', '/fleet/%2e%2e/%2e%2e/package.json']) {
      const r = await get(hub.httpUrl, path);
      expect(r.status, path).toBe(404);
      expect(r.type, path).toContain('text/html');
      expect(r.body, path).toContain('NOT FOUND');
    }
  });

  it("answers /favicon.ico with the export's SVG icon", async () => {
    const r = await get(hub.httpUrl, '/favicon.ico');
    expect(r.status).toBe(200);
    expect(r.type).toContain('image/svg+xml');
    expect(r.body).toContain('<svg');
  });

  it('refuses a malformed URL without serving anything', async () => {
    expect((await get(hub.httpUrl, '/%E0%A4%A')).status).toBe(400);
  });

  it('keeps API misses and non-GET misses as JSON errors', async () => {
    for (const path of ['/api/v1/nope', '/api/v1/instances/x/nope', '/api']) {
      const r = await get(hub.httpUrl, path);
      expect(r.status, path).toBe(404);
      expect(r.type, path).toContain('application/json');
      expect(JSON.parse(r.body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    const post = await fetch(`${hub.httpUrl}/fleet/`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toContain('application/json');
  });

  it('shows a placeholder at / when the dashboard was not built', async () => {
    const r = await get(bare.httpUrl, '/');
    expect(r.status).toBe(200);
    expect(r.type).toContain('text/html');
    expect((await get(bare.httpUrl, '/fleet/')).status).toBe(404);
    expect((await get(bare.httpUrl, '/api/v1/nope')).type).toContain('application/json');
  });
});
