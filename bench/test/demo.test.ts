import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/fault/verify.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const N = 3;

/**
 * `npm run demo` as a newcomer runs it (three instances, a chat every few seconds): what the hub
 * then holds is what the dashboard shows, so conversations, channels, per-instance logs and
 * automatic backups are checked through the hub's API.
 */
describe('demo', () => {
  let child: ChildProcess;
  let dir: string;
  let url = '';
  let token = '';
  let out = '';

  const api = async <T>(p: string): Promise<T> => {
    const r = await fetch(`${url}/api/v1${p}`, { headers: { authorization: `Bearer ${token}` } });
    if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ds-demo-test-'));
    child = spawn(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['bench/src/demo.ts', '--instances', String(N), '--chat-every', '4'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DS_HTTP_PORT: '0',
          DS_MQTT_PORT: '0',
          DS_DATA_DIR: dir,
          DS_ADMIN_EMAIL: 'admin@demo.test',
          DS_ADMIN_PASSWORD: 'demo-test-password',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    const up = await waitFor(async () => /Open (http\S+)/.test(out), 90_000);
    if (!up) throw new Error(`the demo did not start:\n${out}`);
    url = /Open (http\S+)/.exec(out)![1];
    const r = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.test', password: 'demo-test-password' }),
    });
    token = ((await r.json()) as { token: string }).token;
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('conversations with token usage reach the hub', async () => {
    let conv: { role: string; text: string; tokensIn: number; channel: string }[] = [];
    const ok = await waitFor(async () => {
      conv = await api(`/instances/demo-0/conversations?limit=50`);
      return conv.some((m) => m.role === 'assistant' && m.tokensIn > 0) && conv.some((m) => m.role === 'user');
    }, 60_000);
    expect(ok, `conversations: ${JSON.stringify(conv).slice(0, 400)}\n${out.slice(-2000)}`).toBe(true);
    expect(conv.find((m) => m.role === 'user')!.text.length).toBeGreaterThan(5);
    expect(['telegram', 'whatsapp', 'slack', 'webchat']).toContain(conv[0].channel);
  }, 70_000);

  it('channels are named channels, not array indices', async () => {
    let channels: { id: string; connected?: boolean }[] = [];
    const ok = await waitFor(async () => {
      const i = await api<{ openclaw: { channels?: { id: string; connected?: boolean }[] } | null }>(
        '/instances/demo-1',
      );
      channels = i.openclaw?.channels ?? [];
      return channels.length > 0;
    }, 30_000);
    expect(ok).toBe(true);
    expect(channels.map((c) => c.id)).toEqual(['telegram', 'whatsapp', 'slack', 'webchat']);
    expect(channels.every((c) => c.connected === true)).toBe(true);
  }, 40_000);

  it('each instance ships its own simulated log lines', async () => {
    type Line = { msg: string; subsystem: string };
    let a: Line[] = [];
    let b: Line[] = [];
    const ok = await waitFor(async () => {
      a = await api<Line[]>('/instances/demo-0/logs?limit=500');
      b = await api<Line[]>('/instances/demo-2/logs?limit=500');
      return a.some((l) => l.msg.includes('demo-0')) && b.some((l) => l.msg.includes('demo-2'));
    }, 60_000);
    expect(ok, `logs: ${JSON.stringify(a.slice(0, 3))}`).toBe(true);
    // Only this instance's lines: none names another simulated instance.
    expect(a.some((l) => /demo-[12]\b/.test(l.msg))).toBe(false);
    expect(a.every((l) => l.subsystem !== '')).toBe(true);
  }, 70_000);

  it('a simulated instance has an OpenClaw folder to back up (as the daily schedule does)', async () => {
    type Backup = { id: string; status: string; size: number | null; files: number | null; error: string | null };
    const r = await fetch(`${url}/api/v1/instances/demo-1/backups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(202);
    const { id } = (await r.json()) as Backup;
    let b: Backup | undefined;
    await waitFor(async () => {
      b = await api<Backup>(`/backups/${id}`);
      // The file count lands just after the status turns ready (from the command's result).
      return b.status !== 'pending' && (b.status !== 'ready' || b.files !== null);
    }, 30_000);
    expect(b?.error ?? null).toBeNull();
    expect(b?.status).toBe('ready');
    expect(b?.files).toBeGreaterThanOrEqual(3);
    expect(out).not.toMatch(/backup.*fail/i);
  }, 40_000);
});
