import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateHubKeyPair, LIMITS, signCommand, type UnsignedCommand } from '@deepsignal/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { silentLogger } from '../log.js';
import { SidecarState } from '../state.js';
import { CommandDispatcher, type ResultBody } from './dispatcher.js';
import { CommandJournal } from './journal.js';
import { HANDLERS } from './registry.js';
import type { CommandHandler } from './types.js';

const keys = generateHubKeyPair();
const other = generateHubKeyPair();
const dir = mkdtempSync(path.join(tmpdir(), 'ds-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = parseConfig({
  hub: 'mqtt://x',
  instanceId: 'inst-1',
  secret: 's',
  hubKey: keys.publicKey,
  stateDir: dir,
});

let n = 0;
const base = (over: Partial<UnsignedCommand> = {}): UnsignedCommand => ({
  v: 1,
  id: `cmd-${++n}`,
  instanceId: 'inst-1',
  type: 'ping',
  params: {},
  issuedAt: Date.now(),
  expiresAt: Date.now() + 60_000,
  issuer: 'user:admin@example.com',
  ...over,
});

function make(handlers: Record<string, CommandHandler> = HANDLERS, publicKeys = [keys.publicKey]) {
  const reports: ResultBody[] = [];
  const journal = new CommandJournal(path.join(dir, 'journal'));
  const d = new CommandDispatcher({
    instanceId: 'inst-1',
    publicKeys: () => publicKeys,
    journal,
    handlers,
    report: (b) => reports.push(b),
    context: () => ({
      gateway: null,
      config,
      state: new SidecarState(dir),
      emit: { event: () => {}, logLines: () => {}, conversations: () => {} },
      log: silentLogger,
      now: Date.now,
      startedAt: Date.now() - 5000,
    }),
    now: Date.now,
    log: () => {},
  });
  return { d, reports };
}
const send = (d: CommandDispatcher, cmd: unknown) => d.handle(Buffer.from(JSON.stringify(cmd)));
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('command dispatcher', () => {
  it('runs a signed ping: delivered, running, succeeded with a valid result', async () => {
    const { d, reports } = make();
    const cmd = signCommand(base(), keys.privateKeyPem);
    send(d, cmd);
    await settle();
    expect(reports.map((r) => r.state)).toEqual(['delivered', 'running', 'succeeded']);
    expect(reports[2].result).toMatchObject({ pong: true, uptimeSec: 5 });
    expect(reports.every((r) => r.commandId === cmd.id)).toBe(true);
  });

  it('refuses every kind of bad command with `rejected` and the reason', async () => {
    // A sidecar without a handler for backup.create, so `unsupported` can be seen.
    const { 'backup.create': _withoutBackups, ...handlers } = HANDLERS;
    const { d, reports } = make(handlers);
    const cases: [string, unknown][] = [
      ['malformed', { ...signCommand(base(), keys.privateKeyPem), v: 2 }],
      ['missing_signature', base()],
      ['bad_signature', { ...signCommand(base(), keys.privateKeyPem), params: { extra: 1 } }],
      ['bad_signature', { ...signCommand(base({ type: 'ping' }), keys.privateKeyPem), type: 'openclaw.restart' }],
      ['bad_signature', signCommand(base(), other.privateKeyPem)],
      ['wrong_instance', signCommand(base({ instanceId: 'inst-2' }), keys.privateKeyPem)],
      ['expired', signCommand(base({ expiresAt: Date.now() - 1 }), keys.privateKeyPem)],
      [
        'not_yet_valid',
        signCommand(base({ issuedAt: Date.now() + 3_600_000, expiresAt: Date.now() + 7_200_000 }), keys.privateKeyPem),
      ],
      ['unknown_type', signCommand(base({ type: 'rm.rf' }), keys.privateKeyPem)],
      ['unsupported', signCommand(base({ type: 'backup.create' }), keys.privateKeyPem)],
      ['bad_params', signCommand(base({ type: 'ping', params: { x: 1 } }), keys.privateKeyPem)],
      ['bad_params', signCommand(base({ type: 'model.set', params: { model: 'no slash' } }), keys.privateKeyPem)],
    ];
    for (const [reason, cmd] of cases) {
      reports.length = 0;
      send(d, cmd);
      await settle();
      expect(reports, reason).toHaveLength(1);
      expect(reports[0].state, reason).toBe('rejected');
      expect(reports[0].error?.code, reason).toBe(reason);
    }
    // garbage with no id cannot be answered, but does not throw
    d.handle(Buffer.from('not json'));
    d.handle(Buffer.from('x'.repeat(300 * 1024)));
    expect(d.counters.unreadable).toBe(2);
  });

  it('answers a command too large or cut off to read with rejected, never silence', async () => {
    const { d, reports } = make();
    // A config.apply the hub signed, over the message limit (an A/B variant with thousands of peers).
    const peers = Array.from({ length: 5000 }, (_, i) => ({
      channel: 'telegram',
      kind: 'direct',
      id: `${i}`.padEnd(60, 'x'),
    }));
    const big = signCommand(
      base({ type: 'config.apply', params: { variant: { agentId: 'ab-b', files: {}, channels: [], peers } } }),
      keys.privateKeyPem,
    );
    const text = JSON.stringify(big);
    expect(Buffer.byteLength(text)).toBeGreaterThan(LIMITS.maxMessageBytes);
    d.handle(Buffer.from(text));
    expect(reports).toEqual([
      {
        commandId: big.id,
        state: 'rejected',
        error: {
          code: 'malformed',
          message: `command payload is ${Buffer.byteLength(text)} bytes, over the ${LIMITS.maxMessageBytes}-byte limit`,
        },
      },
    ]);
    // Cut off in transit: not JSON, but the id is still there to answer.
    const cut = JSON.stringify(signCommand(base(), keys.privateKeyPem)).slice(0, 80);
    d.handle(Buffer.from(cut));
    expect(reports[1]).toMatchObject({
      state: 'rejected',
      error: { code: 'malformed', message: 'command payload is not valid JSON' },
    });
    expect(d.counters).toMatchObject({ unreadable: 2, rejected: 2 });
    // An "id" that is not the command's own (inside params) is not taken for it.
    d.handle(Buffer.from(`{"params":{"id":"cmd-x"},${'x'.repeat(100)}`));
    expect(reports).toHaveLength(2);
  });

  it('refuses with unknown_key when no trusted key is configured', async () => {
    const { d, reports } = make(HANDLERS, []);
    send(d, signCommand(base(), keys.privateKeyPem));
    await settle();
    expect(reports[0]).toMatchObject({ state: 'rejected', error: { code: 'unknown_key' } });
  });

  it('refuses a replay, also after a restart (the journal is on disk)', async () => {
    const first = make();
    const cmd = signCommand(base(), keys.privateKeyPem);
    send(first.d, cmd);
    await settle();
    expect(first.reports.at(-1)?.state).toBe('succeeded');
    send(first.d, cmd);
    await settle();
    expect(first.reports.at(-1)).toMatchObject({ state: 'rejected', error: { code: 'replayed' } });
    const restarted = make();
    send(restarted.d, cmd);
    await settle();
    expect(restarted.reports).toEqual([
      { commandId: cmd.id, state: 'rejected', error: { code: 'replayed', message: expect.any(String) } },
    ]);
  });

  it('enforces the deadline: timed_out, and the handler is aborted', async () => {
    let aborted = false;
    const slow: CommandHandler = (ctx) =>
      new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('aborted'));
        }),
      );
    const { d, reports } = make({ ping: slow });
    send(d, signCommand(base({ expiresAt: Date.now() + 300 }), keys.privateKeyPem));
    await new Promise((r) => setTimeout(r, 500));
    expect(reports.map((r) => r.state)).toEqual(['delivered', 'running', 'timed_out']);
    expect(aborted).toBe(true);
  });

  it('reports failures and invalid results as failed', async () => {
    const { d, reports } = make({
      ping: async () => ({ pong: 'nope' }),
      'config.get': async () => Promise.reject(new Error('boom')),
    });
    send(d, signCommand(base(), keys.privateKeyPem));
    send(d, signCommand(base({ type: 'config.get' }), keys.privateKeyPem));
    await settle();
    const failed = reports.filter((r) => r.state === 'failed');
    expect(failed.map((f) => f.error?.code).sort()).toEqual(['SIDECAR_ERR_BAD_RESULT', 'SIDECAR_ERR_COMMAND_FAILED']);
  });
});
