/**
 * `sidecar.update` end to end: a real bundled sidecar, kept running by a restart loop standing in
 * for systemd's Restart=always, against a real hub that serves the bundle (DS_DEPLOY_SIDECAR_BUNDLE)
 * and fills the command's url and sha256. A good newer bundle is installed, comes online on trial,
 * marks itself good and reports `succeeded`; a broken one crashes at every start and the launch step
 * goes back to the previous bundle, which reports `rolled_back` and comes online again.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../hub/test/helpers/hub.js';
import { until } from '../../hub/test/helpers/sidecar-proc.js';
import { keepLog, LogRing } from '../../scripts/test/diagnostics.js';
import { DEADLINE, REPO_ROOT, TEST_SIDECAR_BUNDLE } from '../../scripts/test/processes.js';
import { SOURCE_VERSION } from '../src/version.js';

const work = mkdtempSync(path.join(tmpdir(), 'ds-self-update-'));
const BASE = path.join(work, 'unit', 'deepsignal-sidecar.mjs'); // the unit's ExecStart bundle
const GOOD = path.join(work, 'good.mjs');
const BROKEN = path.join(work, 'broken.mjs');
const SERVED = path.join(work, 'served.mjs'); // what the hub serves at /deploy/sidecar.mjs
const GOOD_VERSION = '0.2.0-test';
const BROKEN_VERSION = '0.3.0-broken';
const HANGING = path.join(work, 'hanging.mjs');
const HANGING_VERSION = '0.4.0-hangs';
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Makes the hub serve another bundle (a new inode, as an operator's copy-and-rename would). */
function serve(file: string): void {
  copyFileSync(file, `${SERVED}.tmp`);
  renameSync(`${SERVED}.tmp`, SERVED);
}

/** Runs the unit's bundle again whenever it exits, like Restart=always (with a short RestartSec). */
class Supervisor {
  child: ChildProcess | null = null;
  exits: (number | null)[] = [];
  private stopped = false;
  private readonly log = new LogRing();
  private readonly forget = keepLog('supervised sidecar', () => this.log.toString());

  /** Read at every start, like the unit's environment after a daemon-reload. */
  constructor(readonly env: Record<string, string>) {}

  start(): void {
    const child = spawn(process.execPath, [BASE], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    child.stderr?.on('data', (d) => this.log.push(d));
    child.once('exit', (code) => {
      this.exits.push(code);
      this.log.push(`--- exited ${code}\n`);
      if (!this.stopped) setTimeout(() => this.start(), 100);
    });
  }

  stderr(): string {
    return this.log.toString();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, DEADLINE.stop))]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    this.forget();
  }
}

let hub: TestHub;
let sup: Supervisor | undefined;
let inst: { id: string; secret: string };
let stateDir: string;

type Cmd = {
  status: string;
  params: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: string; message: string } | null;
};
const command = async (id: string) => (await hub.api<Cmd>('GET', `/commands/${id}`)).body;
const finished = (id: string) =>
  until(
    async () => {
      const c = await command(id);
      return ['succeeded', 'failed', 'timed_out', 'rejected'].includes(c.status) ? c : undefined;
    },
    DEADLINE.command * 2,
    `command ${id} finished`,
  );
const sidecarVersion = async () =>
  (await hub.api<{ sidecarVersion: string | null; status: string }>('GET', `/instances/${inst.id}`)).body;
const issue = (params: Record<string, unknown>) =>
  hub.api<{ id: string; status: string; error?: { code: string; message: string } }>(
    'POST',
    `/instances/${inst.id}/commands`,
    {
      type: 'sidecar.update',
      params,
    },
  );

beforeAll(async () => {
  const build = (out: string, version?: string) =>
    promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, 'sidecar/scripts/build.mjs'), '--outfile', out, ...(version ? ['--version', version] : [])],
      { cwd: REPO_ROOT, timeout: 180_000 },
    );
  mkdirSync(path.dirname(BASE), { recursive: true });
  // The run's bundle (global setup) is of the sources' version.
  if (existsSync(TEST_SIDECAR_BUNDLE)) copyFileSync(TEST_SIDECAR_BUNDLE, BASE);
  await Promise.all([build(GOOD, GOOD_VERSION), existsSync(BASE) ? null : build(BASE)]);
  // A bundle that loads and then dies, at every start.
  writeFileSync(
    BROKEN,
    `#!/usr/bin/env node\n// deepsignal-sidecar ${BROKEN_VERSION}\nsetTimeout(() => { throw new Error('bundle ${BROKEN_VERSION} is broken'); }, 20);\n`,
  );
  // A bundle that loads and never gets anywhere.
  writeFileSync(
    HANGING,
    `#!/usr/bin/env node\n// deepsignal-sidecar ${HANGING_VERSION}\nsetInterval(() => {}, 1000);\n`,
  );
  serve(GOOD);
  hub = await startTestHub({ deploySidecarBundle: SERVED });
  inst = await hub.newInstance();
  stateDir = path.join(work, 'state');
  sup = new Supervisor({
    DS_HUB: hub.mqttUrl,
    DS_INSTANCE_ID: inst.id,
    DS_INSTANCE_SECRET: inst.secret,
    DS_HUB_PUBLIC_KEY: hub.hubPublicKey,
    DS_STATE_DIR: stateDir,
    DS_OPENCLAW_URL: 'ws://127.0.0.1:9',
    DS_OPENCLAW_CONFIG: path.join(work, 'no-openclaw.json'),
    DS_OPENCLAW_LOG_DIR: path.join(work, 'no-logs'),
    DS_BATCH_INTERVAL_MS: '200',
    DS_UPDATE_TRIAL_STARTS: '2',
    DS_UPDATE_TRIAL_SEC: '60',
    DS_LOG_LEVEL: 'info',
  });
  sup.start();
  await until(
    async () => {
      const s = await sidecarVersion();
      return s.status === 'online' && s.sidecarVersion === SOURCE_VERSION;
    },
    DEADLINE.sidecarOnline,
    'the unit bundle online',
  );
}, 300_000);

afterAll(async () => {
  await sup?.stop();
  await hub?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('sidecar.update', () => {
  it('the hub checks the versions and the pairing of url and sha256 before anything is sent', async () => {
    const wrong = await issue({ version: '9.9.9' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.message).toContain(`this hub serves sidecar ${GOOD_VERSION}`);
    const noSum = await issue({ version: GOOD_VERSION, url: `${hub.httpUrl}/deploy/sidecar.mjs` });
    expect(noSum.status).toBe(400);
    expect(noSum.body.error?.message).toContain('needs its sha256');
    const same = await issue({ version: SOURCE_VERSION });
    expect(same.status).toBe(409);
    expect(same.body.error?.message).toContain(`already runs sidecar ${SOURCE_VERSION}`);
    const bad = await issue({ version: '../etc' });
    expect(bad.status).toBe(400);
  });

  it('refuses a bundle whose sha256 is not the one the command carries, and keeps running', async () => {
    const r = await issue({ version: GOOD_VERSION, url: `${hub.httpUrl}/deploy/sidecar.mjs`, sha256: 'a'.repeat(64) });
    expect(r.status).toBe(202);
    const c = await finished(r.body.id);
    expect(c.status).toBe('failed');
    expect(c.error?.code).toBe('checksum_mismatch');
    expect(sup?.exits).toEqual([]);
  });

  it('installs a good newer bundle: it restarts on it, reports succeeded, and the hub sees the new version', async () => {
    const r = await issue({ version: GOOD_VERSION });
    expect(r.status).toBe(202);
    const issued = await command(r.body.id);
    // the signed command carries the hub's bundle and its checksum
    expect(issued.params.url).toBe(`${hub.httpUrl}/deploy/sidecar.mjs`);
    expect(issued.params.sha256).toBe(sha256(GOOD));
    const c = await finished(r.body.id);
    expect(c.error ?? null, sup?.stderr()).toBeNull();
    expect(c.status).toBe('succeeded');
    expect(c.result).toMatchObject({ from: SOURCE_VERSION, to: GOOD_VERSION, change: { outcome: 'applied' } });
    expect(sup?.exits.length).toBeGreaterThanOrEqual(1);
    await until(async () => (await sidecarVersion()).sidecarVersion === GOOD_VERSION, DEADLINE.sidecarOnline);
    const state = JSON.parse(readFileSync(path.join(stateDir, 'bundle', 'state.json'), 'utf8'));
    expect(state).toMatchObject({ status: 'good', version: GOOD_VERSION, previous: { file: null } });
    const snaps = await hub.db.query<{ outcome: string; info: { sidecarVersion: string } }>(
      'SELECT outcome, info FROM change_snapshots WHERE command_id = $1',
      [r.body.id],
    );
    expect(snaps.map((s) => [s.outcome, s.info.sidecarVersion])).toEqual([['applied', SOURCE_VERSION]]);
  }, 240_000);

  it('rolls a broken bundle back: the previous bundle reports rolled_back with the reason and is online again', async () => {
    serve(BROKEN);
    const exitsBefore = sup?.exits.length ?? 0;
    const r = await issue({ version: BROKEN_VERSION });
    expect(r.status).toBe(202);
    const c = await finished(r.body.id);
    expect(c.status).toBe('failed');
    expect(c.error?.code).toBe('rolled_back');
    expect(c.error?.message).toContain(`bundle ${BROKEN_VERSION} is broken`);
    expect(c.result).toMatchObject({ from: GOOD_VERSION, to: BROKEN_VERSION, change: { outcome: 'rolled_back' } });
    // the update's own restart, then the broken bundle's two trial starts
    expect((sup?.exits.length ?? 0) - exitsBefore).toBeGreaterThanOrEqual(3);
    await until(
      async () => {
        const s = await sidecarVersion();
        return s.status === 'online' && s.sidecarVersion === GOOD_VERSION;
      },
      DEADLINE.sidecarOnline,
      'the previous bundle online again',
    );
    const events = await until(async () => {
      const rows = await hub.db.query<{ message: string; data: { commandId: string } }>(
        "SELECT message, data FROM events WHERE instance_id = $1 AND type = 'change.rolled_back'",
        [inst.id],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(events[0]?.data.commandId).toBe(r.body.id);
    const state = JSON.parse(readFileSync(path.join(stateDir, 'bundle', 'state.json'), 'utf8'));
    expect(state).toMatchObject({ status: 'good', version: GOOD_VERSION });
    expect(state.report).toBeUndefined();
  }, 240_000);
});

describe('sidecar.update of a bundle that never gets online', () => {
  it('goes back to the previous bundle once the trial time is up', async () => {
    if (!sup) throw new Error('no sidecar');
    // the shortest trial the setting allows; the running (good) bundle is not on trial
    sup.env.DS_UPDATE_TRIAL_SEC = '5';
    serve(HANGING);
    const r = await issue({ version: HANGING_VERSION });
    expect(r.status).toBe(202);
    const c = await finished(r.body.id);
    expect(c.status).toBe('failed');
    expect(c.error?.code).toBe('rolled_back');
    expect(c.error?.message).toContain('not healthy within 5 s');
    await until(
      async () => {
        const s = await sidecarVersion();
        return s.status === 'online' && s.sidecarVersion === GOOD_VERSION;
      },
      DEADLINE.sidecarOnline,
      'the previous bundle online again',
    );
  }, 240_000);
});
