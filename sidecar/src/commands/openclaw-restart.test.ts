import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateHubKeyPair } from '@deepsignal/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { SIDECAR_ERR } from '../errors.js';
import { silentLogger } from '../log.js';
import { openclawRestart } from './openclaw-restart.js';
import { type CommandContext, CommandFailure } from './types.js';

// A stand-in `systemctl` first on PATH records how it was called: the host's must never run here.
const dir = mkdtempSync(path.join(tmpdir(), 'ds-restart-'));
const calls = path.join(dir, 'systemctl-calls');
const savedPath = process.env.PATH;
beforeAll(() => {
  const bin = path.join(dir, 'systemctl');
  writeFileSync(bin, `#!/bin/sh\necho "$@" >> '${calls}'\n`);
  chmodSync(bin, 0o755);
  process.env.PATH = `${dir}:${savedPath}`;
});
afterAll(() => {
  process.env.PATH = savedPath;
  rmSync(dir, { recursive: true, force: true });
});

function ctx(extra: Record<string, unknown>): CommandContext {
  const config = parseConfig({
    hub: 'mqtt://x',
    instanceId: 'inst-1',
    secret: 's',
    hubKey: generateHubKeyPair().publicKey,
    stateDir: dir,
    ...extra,
  });
  return {
    command: {} as never,
    params: { waitReadySec: 0 },
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    progress: () => {},
    gateway: null,
    config,
    state: null as never,
    emit: { event: () => {}, logLines: () => {}, conversations: () => {} },
    log: silentLogger,
    now: Date.now,
    startedAt: Date.now(),
  };
}

describe('openclaw.restart without a reachable gateway', () => {
  it('fails with a clear error and touches no systemd unit unless one is configured', async () => {
    const err = await openclawRestart(ctx({})).then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(CommandFailure);
    expect(err.code).toBe(SIDECAR_ERR.OPENCLAW_DOWN);
    expect(err.message).toMatch(/not reachable.*--openclaw-unit/);
    expect(existsSync(calls)).toBe(false);
  });

  it('restarts the configured unit', async () => {
    const r = await openclawRestart(ctx({ openclawUnit: 'openclaw-gateway.service' }));
    expect(r).toEqual({ method: 'systemctl restart openclaw-gateway.service', readyAfterMs: null });
    expect(readFileSync(calls, 'utf8').trim()).toBe('restart openclaw-gateway.service');
  });
});
