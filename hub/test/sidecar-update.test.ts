/**
 * How the hub issues `sidecar.update`: it fills url and sha256 with the bundle it serves
 * (DS_DEPLOY_SIDECAR_BUNDLE here, a file naming its version in its first line), for one instance
 * and for a rollout, and refuses what the sidecar could not or should not install.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hub-sidecar-update-'));
const BUNDLE = path.join(dir, 'deepsignal-sidecar.mjs');
const bundle = (version: string | null) => {
  const body = `#!/usr/bin/env node\n${version ? `// deepsignal-sidecar ${version}\n` : ''}export {};\n`;
  writeFileSync(`${BUNDLE}.tmp`, body);
  renameSync(`${BUNDLE}.tmp`, BUNDLE);
  return createHash('sha256').update(body).digest('hex');
};
type Err = { error?: { code: string; message: string } };
let hub: TestHub;
let inst: { id: string; clientId: string };
const issue = (params: Record<string, unknown>, id = inst.id) =>
  hub.api<{ id: string } & Err>('POST', `/instances/${id}/commands`, { type: 'sidecar.update', params });

beforeAll(async () => {
  bundle('1.4.0');
  hub = await startTestHub({ deploySidecarBundle: BUNDLE, deployHubUrl: 'http://100.64.0.1:8080/' });
  inst = await hub.newInstance();
  await hub.db.query("UPDATE instances SET sidecar_version = '1.3.0' WHERE id = $1", [inst.id]);
});
afterAll(async () => {
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sidecar.update at the hub', () => {
  it("fills url and sha256 with the hub's bundle, the one servers download", async () => {
    const sum = bundle('1.4.0');
    const r = await issue({ version: '1.4.0' });
    expect(r.status).toBe(202);
    const c = await hub.api<{ params: Record<string, unknown> }>('GET', `/commands/${r.body.id}`);
    expect(c.body.params).toEqual({ version: '1.4.0', url: 'http://100.64.0.1:8080/deploy/sidecar.mjs', sha256: sum });
    const served = await fetch(`${hub.httpUrl}/deploy/sidecar.mjs`);
    expect(served.headers.get('x-content-sha256')).toBe(sum);
  });

  it('serves a replaced bundle file without a restart', async () => {
    const sum = bundle('1.5.0');
    const r = await issue({ version: '1.5.0' });
    expect(r.status).toBe(202);
    const c = await hub.api<{ params: Record<string, unknown> }>('GET', `/commands/${r.body.id}`);
    expect(c.body.params.sha256).toBe(sum);
  });

  it('refuses another version than its bundle, a url without sha256 and the reverse, and the running version', async () => {
    bundle('1.4.0');
    const other = await issue({ version: '2.0.0' });
    expect([other.status, other.body.error?.code]).toEqual([400, 'HUB_ERR_BAD_PARAMS']);
    expect(other.body.error?.message).toContain('this hub serves sidecar 1.4.0, not 2.0.0');
    const noSum = await issue({ version: '2.0.0', url: 'https://example.com/s.mjs' });
    expect(noSum.status).toBe(400);
    expect(noSum.body.error?.message).toContain('needs its sha256');
    const noUrl = await issue({ version: '2.0.0', sha256: 'c'.repeat(64) });
    expect(noUrl.status).toBe(400);
    const running = await issue({ version: '1.3.0', url: 'https://example.com/s.mjs', sha256: 'c'.repeat(64) });
    expect([running.status, running.body.error?.message]).toEqual([409, 'the instance already runs sidecar 1.3.0']);
    // a url with its sha256 goes as given
    const own = await issue({ version: '2.0.0', url: 'https://example.com/s.mjs', sha256: 'c'.repeat(64) });
    expect(own.status).toBe(202);
  });

  it('says so when its bundle names no version', async () => {
    bundle(null);
    const r = await issue({ version: '1.4.0' });
    expect([r.status, r.body.error?.message]).toEqual([503, "the hub's sidecar bundle names no version"]);
  });

  it("fills a rollout's params once, for every instance", async () => {
    const sum = bundle('1.4.0');
    const r = await hub.api<{ id: string } & Err>('POST', '/rollouts', {
      type: 'sidecar.update',
      params: { version: '1.4.0' },
      target: { ids: [inst.id] },
      waveSize: 1,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const ro = await hub.api<{ params: Record<string, unknown> }>('GET', `/rollouts/${r.body.id}`);
    expect(ro.body.params).toEqual({ version: '1.4.0', url: 'http://100.64.0.1:8080/deploy/sidecar.mjs', sha256: sum });
  });

  it("another client's instance is a 404", async () => {
    const c2 = await hub.api<{ id: string }>('POST', '/clients', { name: 'Other', industry: 'x', plan: 'starter' });
    const theirs = await hub.newInstance(c2.body.id);
    const own = await hub.api('POST', `/clients/${inst.clientId}/users`, {
      email: 'owner@acme.test',
      password: 'owner-password-1',
      role: 'client_owner',
    });
    expect(own.status).toBe(201);
    const login = await hub.api<{ token: string }>('POST', '/auth/login', {
      email: 'owner@acme.test',
      password: 'owner-password-1',
    });
    const r = await hub.api<Err>(
      'POST',
      `/instances/${theirs.id}/commands`,
      { type: 'sidecar.update', params: { version: '1.4.0' } },
      login.body.token,
    );
    expect(r.status).toBe(404);
  });
});
