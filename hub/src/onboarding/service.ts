import { COMMANDS, TERMINAL_STATES } from '@deepsignal/protocol';

const configApply = COMMANDS['config.apply'];

import type { Logger } from 'pino';
import type { CommandService, CommandView } from '../commands/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { SecretStore } from '../secrets/store.js';
import { personaFiles } from './persona.js';
import { type AppliedState, type Desired, SECRET, STEPS, type Step } from './types.js';

/** One client's onboarding as stored. */
export interface OnboardingRow {
  clientId: string;
  completed: Step[];
  desired: Desired;
  revision: number;
  applied: Record<string, AppliedState>;
  updatedAt: string;
  completedAt: string | null;
}

const SYSTEM = { userId: 'system', email: 'onboarding' };
/** An apply waits this long in the queue for an instance that drops before it is delivered. */
const APPLY_EXPIRES_SEC = 3600;

const toRow = (r: Record<string, unknown>): OnboardingRow => ({
  clientId: String(r.client_id),
  completed: (r.completed as Step[]) ?? [],
  desired: (r.desired as Desired) ?? {},
  revision: Number(r.revision ?? 0),
  applied: (r.applied as Record<string, AppliedState>) ?? {},
  updatedAt: new Date(r.updated_at as string).toISOString(),
  completedAt: r.completed_at ? new Date(r.completed_at as string).toISOString() : null,
});

/**
 * Onboarding progress and the client's desired agent configuration. Every saved answer that
 * changes the agent bumps the revision and is pushed with config.apply to each of the client's
 * online instances; an instance that comes online later gets it then. The instance echoes the
 * revision, so the hub can show drift (desired vs. confirmed). [SPEC 6.2]
 */
export class OnboardingService {
  constructor(
    private readonly db: Db,
    private readonly fleet: Fleet,
    private readonly commands: CommandService,
    private readonly secrets: SecretStore,
    private readonly log: Logger,
  ) {
    commands.onChange((v) => {
      if (v.type === configApply.type) void this.onApplyChange(v).catch((e) => this.warn(e, v.instanceId));
    });
  }

  private warn(e: unknown, instanceId: string) {
    this.log.warn({ err: (e as Error).message, instanceId }, 'onboarding apply failed');
  }

  async get(clientId: string): Promise<OnboardingRow | null> {
    const rows = await this.db.query('SELECT * FROM onboarding WHERE client_id = $1', [clientId]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Onboarding of the given clients (auth/scope.ts clientFilter); every client without one. */
  async list(clients: readonly string[] | null = null): Promise<OnboardingRow[]> {
    return (
      await this.db.query(
        'SELECT * FROM onboarding WHERE $1::text[] IS NULL OR client_id = ANY($1::text[]) ORDER BY created_at',
        [clients],
      )
    ).map(toRow);
  }

  async create(clientId: string, desired: Desired): Promise<OnboardingRow> {
    await this.db.query(
      `INSERT INTO onboarding (client_id, use_case, completed, desired) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING`,
      [clientId, desired.company?.useCase ?? '', JSON.stringify(['welcome', 'company']), JSON.stringify(desired)],
    );
    return (await this.get(clientId)) as OnboardingRow;
  }

  /**
   * Saves a step's answer: merges into the desired state, marks the step done and, when the
   * agent's configuration changed, bumps the revision and applies it.
   */
  async save(clientId: string, step: Step, patch: Partial<Desired>, affectsAgent = true): Promise<OnboardingRow> {
    const row = await this.db.tx(async (q) => {
      const cur = await q.query('SELECT * FROM onboarding WHERE client_id = $1 FOR UPDATE', [clientId]);
      if (!cur[0]) await q.query('INSERT INTO onboarding (client_id) VALUES ($1)', [clientId]);
      const r = cur[0] ? toRow(cur[0]) : { completed: [] as Step[], desired: {} as Desired, revision: 0 };
      const desired = { ...r.desired, ...patch };
      const completed = STEPS.filter((s) => s === step || r.completed.includes(s));
      const rows = await q.query(
        `UPDATE onboarding SET desired = $2, completed = $3, revision = revision + $4, updated_at = now(),
           use_case = COALESCE($5, use_case), completed_at = CASE WHEN $6 THEN COALESCE(completed_at, now()) ELSE completed_at END
         WHERE client_id = $1 RETURNING *`,
        [
          clientId,
          JSON.stringify(desired),
          JSON.stringify(completed),
          affectsAgent ? 1 : 0,
          desired.company?.useCase ?? null,
          step === 'success',
        ],
      );
      return toRow(rows[0]);
    });
    if (affectsAgent) await this.applyAll(clientId);
    return row;
  }

  /** The config.apply params of the current desired state, secrets included (server side only). */
  async applyParams(clientId: string, row: OnboardingRow): Promise<Record<string, unknown>> {
    const d = row.desired;
    const p: Record<string, unknown> = { revision: row.revision };
    if (d.model) p.model = d.model;
    if (d.provider) {
      const key = await this.secrets.get(clientId, SECRET.provider(d.provider));
      if (key) p.providerKeys = { [d.provider]: key };
    }
    const ch: Record<string, unknown> = {};
    if (d.channels?.telegram) {
      const botToken = await this.secrets.get(clientId, SECRET.telegramBot);
      ch.telegram = { enabled: d.channels.telegram.enabled && !!botToken, ...(botToken ? { botToken } : {}) };
    }
    if (d.channels?.slack) {
      const botToken = await this.secrets.get(clientId, SECRET.slackBot);
      const appToken = await this.secrets.get(clientId, SECRET.slackApp);
      ch.slack = {
        enabled: d.channels.slack.enabled && !!botToken && !!appToken,
        ...(botToken ? { botToken } : {}),
        ...(appToken ? { appToken } : {}),
      };
    }
    if (d.channels?.whatsapp) ch.whatsapp = { enabled: d.channels.whatsapp.enabled };
    if (Object.keys(ch).length) p.channels = ch;
    if (d.personality) {
      const { name, tone, emoji, avatar } = d.personality;
      p.identity = { name, theme: tone, emoji, ...(avatar ? { avatar } : {}) };
      p.files = personaFiles(d.personality, d.company);
    }
    return p;
  }

  private async instancesOf(clientId: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      'SELECT id FROM instances WHERE client_id = $1 ORDER BY created_at',
      [clientId],
    );
    return rows.map((r) => r.id);
  }

  /** Pushes the desired state to every online instance of the client that has not confirmed it. */
  async applyAll(clientId: string): Promise<void> {
    for (const id of await this.instancesOf(clientId)) await this.applyTo(id).catch((e) => this.warn(e, id));
  }

  /** Called when an instance says hello / comes online: it gets the desired state if it lacks it. */
  async instanceOnline(instanceId: string): Promise<void> {
    await this.applyTo(instanceId);
  }

  private readonly inFlight = new Set<string>();

  /** Issues config.apply to one instance unless it is offline, busy with one, or already current. */
  async applyTo(instanceId: string): Promise<CommandView | null> {
    const snap = this.fleet.get(instanceId);
    if (!snap || snap.status === 'offline' || snap.status === 'provisioning') return null;
    const row = await this.get(snap.clientId);
    if (!row || row.revision === 0) return null;
    const a = row.applied[instanceId];
    if (a && a.confirmedRevision === row.revision) return null;
    // One apply at a time per instance (each patches on the current hash); the end of the
    // running one triggers the next if the revision moved on meanwhile.
    if (a && !TERMINAL_STATES.has(a.status as never) && a.revision === row.revision) return null;
    if (a && !TERMINAL_STATES.has(a.status as never)) return null;
    if (this.inFlight.has(instanceId)) return null;
    this.inFlight.add(instanceId);
    try {
      const params = configApply.params.parse(await this.applyParams(snap.clientId, row));
      const { view } = await this.commands.create({
        instanceId,
        type: configApply.type,
        params: params as Record<string, unknown>,
        expiresInSec: APPLY_EXPIRES_SEC,
        issuer: SYSTEM,
      });
      await this.record(snap.clientId, instanceId, view, row.revision);
      return view;
    } finally {
      this.inFlight.delete(instanceId);
    }
  }

  private async record(clientId: string, instanceId: string, v: CommandView, revision: number): Promise<void> {
    const prev = (await this.get(clientId))?.applied[instanceId];
    const result = v.result as { revision?: number } | null;
    const confirmed =
      v.status === 'succeeded' && typeof result?.revision === 'number'
        ? result.revision
        : (prev?.confirmedRevision ?? null);
    const state: AppliedState = {
      revision,
      commandId: v.id,
      status: v.status,
      confirmedRevision: confirmed,
      error: v.error,
      at: new Date().toISOString(),
    };
    await this.db.query(`UPDATE onboarding SET applied = applied || $2::jsonb WHERE client_id = $1`, [
      clientId,
      JSON.stringify({ [instanceId]: state }),
    ]);
  }

  private async onApplyChange(v: CommandView): Promise<void> {
    const snap = this.fleet.get(v.instanceId);
    if (!snap) return;
    const row = await this.get(snap.clientId);
    if (!row) return;
    const revision = typeof v.params.revision === 'number' ? v.params.revision : null;
    if (revision === null) return;
    const a = row.applied[v.instanceId];
    // Only the onboarding's own applies (and only the newest) are tracked here.
    if (a && a.commandId !== v.id && a.revision > revision) return;
    await this.record(snap.clientId, v.instanceId, v, revision);
    if (TERMINAL_STATES.has(v.status) && v.status !== 'succeeded') return;
    if (TERMINAL_STATES.has(v.status) && revision < row.revision) await this.applyTo(v.instanceId);
  }
}
