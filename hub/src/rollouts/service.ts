import { getCommand } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import { audit } from '../commands/audit.js';
import type { CommandService, CommandView, Issuer } from '../commands/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import { type LiveSink, nullSink, rooms } from '../live/sink.js';
import { newId } from '../util/ids.js';
import type { AnnouncementService } from './announcements.js';
import {
  type Counts,
  ITEM_FINAL,
  ITEM_PENDING,
  ITEM_SKIPPED,
  planWaves,
  type RolloutTarget,
  thresholdPassed,
} from './plan.js';
import { isOnline, resolveTarget } from './targets.js';

/** Rollout type that is handled by the hub itself: an announcement on the targets' dashboards. */
export const ANNOUNCEMENT_TYPE = 'announcement';

/** POST /rollouts, validated. */
export interface RolloutInput {
  type: string;
  params: Record<string, unknown>;
  target: RolloutTarget;
  waveSize?: number;
  wavePercent?: number;
  pauseBetweenSec: number;
  maxFailureRate: number;
  minExecuted: number;
  expiresInSec?: number;
}

/** A rollout as GET /rollouts/:id returns it. */
export interface RolloutView {
  id: string;
  type: string;
  params: Record<string, unknown>;
  target: RolloutTarget;
  status: string;
  reason: string | null;
  waveSize: number;
  pauseBetweenSec: number;
  maxFailureRate: number;
  minExecuted: number;
  currentWave: number;
  nextWaveAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  waves: {
    index: number;
    status: string;
    instances: { instanceId: string; commandId: string | null; status: string; reason: string | null }[];
  }[];
  counts: Counts;
  failureRate: number;
}

const FINAL_ROLLOUT = new Set(['aborted', 'completed']);
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/**
 * Fleet rollouts in waves, AWS IoT Jobs style: a canary wave of one, then waves of a set size with
 * a pause between them; after `minExecuted` finished commands, a failure rate (failed + rejected +
 * timed out over finished) above `maxFailureRate` aborts the rollout and cancels what is still
 * queued. Instances offline when their wave starts are skipped (and reported), never waited on.
 * State lives in the database (`rollouts`, `rollout_items`); a tick and command state changes
 * advance it, one step at a time per rollout.
 */
export class RolloutService {
  live: LiveSink = nullSink;
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly fleet: Fleet,
    private readonly commands: CommandService,
    private readonly announcements: AnnouncementService,
    private readonly log: Logger,
  ) {
    commands.onChange((v: CommandView) => {
      if (v.rolloutId) this.schedule(v.rolloutId);
    });
  }

  /** Resolves the target, plans the waves and starts the rollout. */
  async create(input: RolloutInput, issuer: Issuer): Promise<{ id: string; instances: number }> {
    const ids = await resolveTarget(this.db, this.fleet, input.target);
    const waves = planWaves(ids, input);
    const id = newId('ro');
    const waveSize = input.waveSize ?? Math.max(1, Math.ceil((ids.length * (input.wavePercent ?? 100)) / 100));
    await this.db.tx(async (q) => {
      await q.query(
        `INSERT INTO rollouts (id, type, params, target, wave_size, pause_between_sec, max_failure_rate, min_executed,
           expires_in_sec, status, created_by, created_by_email) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'running',$10,$11)`,
        [
          id,
          input.type,
          JSON.stringify(input.params),
          JSON.stringify(input.target),
          waveSize,
          input.pauseBetweenSec,
          input.maxFailureRate,
          input.minExecuted,
          input.expiresInSec ?? null,
          issuer.userId,
          issuer.email,
        ],
      );
      let pos = 0;
      for (const [w, wave] of waves.entries())
        for (const inst of wave)
          await q.query(
            'INSERT INTO rollout_items (rollout_id, instance_id, wave, position, status) VALUES ($1,$2,$3,$4,$5)',
            [id, inst, w, pos++, ITEM_PENDING],
          );
      await audit(q, `user:${issuer.userId}`, 'rollout.create', id, null, {
        type: input.type,
        params: input.params,
        target: input.target,
        instances: ids.length,
        waves: waves.length,
      });
    });
    await this.schedule(id);
    return { id, instances: ids.length };
  }

  /** Runs one step of a rollout after any step already running for it. */
  schedule(id: string): Promise<void> {
    return this.serial(id, () => this.step(id)).catch((e) =>
      this.log.warn({ err: (e as Error).message, id }, 'rollout step failed'),
    );
  }

  /** Runs `fn` after everything already queued for this rollout (one writer per rollout). */
  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const run = prev.then(fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(id, settled);
    void settled.then(() => {
      if (this.chains.get(id) === settled) this.chains.delete(id);
    });
    return run;
  }

  /** Advances every running rollout (timer). */
  async tick(): Promise<void> {
    const rows = await this.db.query<{ id: string }>("SELECT id FROM rollouts WHERE status IN ('running','paused')");
    await Promise.all(rows.map((r) => this.schedule(r.id)));
  }

  private async row(id: string): Promise<Record<string, unknown> | undefined> {
    return (await this.db.query('SELECT * FROM rollouts WHERE id = $1', [id]))[0];
  }

  private async counts(id: string): Promise<Counts> {
    const rows = await this.db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM rollout_items WHERE rollout_id = $1 GROUP BY status',
      [id],
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  private async step(id: string): Promise<void> {
    const r = await this.row(id);
    if (!r) return;
    // Items follow their commands' states, also after the rollout ended: commands already sent
    // when it was aborted still finish, and the rollout reports how.
    await this.db.query(
      `UPDATE rollout_items ri SET status = c.status, updated_at = now() FROM commands c
       WHERE ri.rollout_id = $1 AND ri.command_id = c.id AND ri.status <> c.status`,
      [id],
    );
    const counts = await this.counts(id);
    if (FINAL_ROLLOUT.has(String(r.status))) return this.announce(id, String(r.status), counts);
    const verdict = thresholdPassed(counts, {
      maxFailureRate: Number(r.max_failure_rate),
      minExecuted: Number(r.min_executed),
    });
    if (verdict.passed) {
      const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
      // A change its instance rolled back is a failure (status failed, error rolled_back): say how many.
      const rolledBack = await this.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM rollout_items ri JOIN commands c ON c.id = ri.command_id
         WHERE ri.rollout_id = $1 AND c.error->>'code' IN ('rolled_back','rollback_failed')`,
        [id],
      );
      const rb = Number(rolledBack[0]?.n ?? 0);
      await this.finish(
        id,
        'aborted',
        `failure rate ${pct(verdict.rate)} (${verdict.failures} of ${verdict.executed}${rb ? `, ${rb} rolled back` : ''}) passed the threshold of ${pct(Number(r.max_failure_rate))}`,
        'system',
      );
      return;
    }
    if (r.status !== 'running') return this.announce(id, String(r.status), counts);
    const current = Number(r.current_wave);
    const open = await this.db.query<{ status: string }>(
      'SELECT status FROM rollout_items WHERE rollout_id = $1 AND wave <= $2',
      [id, current],
    );
    if (open.some((i) => !ITEM_FINAL.has(i.status))) return this.announce(id, 'running', counts);
    const next = await this.db.query<{ instance_id: string }>(
      'SELECT instance_id FROM rollout_items WHERE rollout_id = $1 AND wave = $2 ORDER BY position',
      [id, current + 1],
    );
    if (next.length === 0) {
      await this.finish(id, 'completed', null, 'system');
      return;
    }
    const now = Date.now();
    if (!r.next_wave_at) {
      const at = current < 0 ? now : now + 1000 * Number(r.pause_between_sec);
      await this.db.query('UPDATE rollouts SET next_wave_at = $2, updated_at = now() WHERE id = $1', [
        id,
        new Date(at),
      ]);
      if (at > now) return this.announce(id, 'running', counts);
    } else if (new Date(r.next_wave_at as string).getTime() > now) return this.announce(id, 'running', counts);
    await this.startWave(
      r,
      current + 1,
      next.map((n) => n.instance_id),
    );
    await this.step(id);
  }

  private async startWave(r: Record<string, unknown>, wave: number, instances: string[]): Promise<void> {
    const id = String(r.id);
    await this.db.query(
      'UPDATE rollouts SET current_wave = $2, next_wave_at = NULL, updated_at = now() WHERE id = $1',
      [id, wave],
    );
    const issuer = { userId: String(r.created_by), email: String(r.created_by_email) };
    const type = String(r.type);
    const params = r.params as Record<string, unknown>;
    if (type === ANNOUNCEMENT_TYPE) {
      // Hub-side: one announcement to the clients of this wave's instances.
      const clients = [...new Set(instances.map((i) => this.fleet.get(i)?.clientId).filter((c): c is string => !!c))];
      await this.announcements.create(params as { title: string; body: string; level?: string }, issuer, clients, id);
      await this.db.query(
        `UPDATE rollout_items SET status = 'succeeded', updated_at = now() WHERE rollout_id = $1 AND wave = $2`,
        [id, wave],
      );
      return;
    }
    for (const inst of instances) {
      if (!isOnline(this.fleet, inst)) {
        await this.db.query(
          `UPDATE rollout_items SET status = $3, reason = 'offline when its wave started', updated_at = now()
           WHERE rollout_id = $1 AND instance_id = $2`,
          [id, inst, ITEM_SKIPPED],
        );
        continue;
      }
      const { view } = await this.commands.create({
        instanceId: inst,
        type,
        params,
        expiresInSec: (r.expires_in_sec as number | null) ?? getCommand(type)?.defaultTimeoutSec,
        idempotencyKey: `rollout:${id}`,
        issuer,
        rolloutId: id,
      });
      await this.db.query(
        'UPDATE rollout_items SET command_id = $3, status = $4, updated_at = now() WHERE rollout_id = $1 AND instance_id = $2',
        [id, inst, view.id, view.status],
      );
    }
  }

  private async finish(
    id: string,
    status: 'aborted' | 'completed',
    reason: string | null,
    actor: string,
  ): Promise<void> {
    const rows = await this.db.query(
      `UPDATE rollouts SET status = $2, reason = $3, next_wave_at = NULL, updated_at = now()
       WHERE id = $1 AND status NOT IN ('aborted','completed') RETURNING *`,
      [id, status, reason],
    );
    if (!rows[0]) return;
    if (status === 'aborted') {
      await this.db.query(
        `UPDATE rollout_items SET status = 'canceled', reason = 'rollout aborted', updated_at = now()
         WHERE rollout_id = $1 AND status = $2`,
        [id, ITEM_PENDING],
      );
      const queued = await this.db.query<{ command_id: string }>(
        "SELECT ri.command_id FROM rollout_items ri JOIN commands c ON c.id = ri.command_id WHERE ri.rollout_id = $1 AND c.status = 'queued'",
        [id],
      );
      const who = { userId: actor.replace(/^user:/, ''), email: actor };
      for (const q of queued) await this.commands.cancel(q.command_id, who);
      await this.db.query(
        `UPDATE rollout_items ri SET status = c.status FROM commands c WHERE ri.rollout_id = $1 AND ri.command_id = c.id`,
        [id],
      );
    }
    await audit(this.db, actor, `rollout.${status}`, id, null, reason ? { reason } : {});
    this.log.info({ id, status, reason }, 'rollout finished');
    await this.announce(id, status, await this.counts(id));
  }

  private readonly lastSent = new Map<string, string>();

  /** Live `rollout` event when the status or counts changed. */
  private async announce(id: string, status: string, counts: Counts): Promise<void> {
    const key = `${status}|${JSON.stringify(counts)}`;
    if (this.lastSent.get(id) === key) return;
    this.lastSent.set(id, key);
    if (FINAL_ROLLOUT.has(status)) this.lastSent.delete(id);
    this.live.emit([rooms.fleet], 'rollout', { id, status, counts });
  }

  /** Pauses (no new wave starts; commands already sent run on), resumes or aborts by hand. */
  async control(id: string, action: 'pause' | 'resume' | 'abort', actor: Issuer): Promise<RolloutView | null> {
    const done = await this.serial(id, () => this.apply(id, action, actor));
    if (done && action === 'resume') await this.schedule(id);
    return done ? this.get(id) : null;
  }

  private async apply(id: string, action: 'pause' | 'resume' | 'abort', actor: Issuer): Promise<boolean> {
    const r = await this.row(id);
    if (!r) return false;
    if (FINAL_ROLLOUT.has(String(r.status))) throw new RolloutStateError(`rollout is ${r.status}`);
    if (action === 'abort') await this.finish(id, 'aborted', `aborted by ${actor.email}`, `user:${actor.userId}`);
    else {
      const to = action === 'pause' ? 'paused' : 'running';
      await this.db.query('UPDATE rollouts SET status = $2, next_wave_at = NULL, updated_at = now() WHERE id = $1', [
        id,
        to,
      ]);
      await audit(this.db, `user:${actor.userId}`, `rollout.${action}`, id, null);
      await this.announce(id, to, await this.counts(id));
    }
    return true;
  }

  async get(id: string): Promise<RolloutView | null> {
    const r = await this.row(id);
    if (!r) return null;
    const items = await this.db.query<{
      instance_id: string;
      wave: number;
      command_id: string | null;
      status: string;
      reason: string | null;
    }>('SELECT * FROM rollout_items WHERE rollout_id = $1 ORDER BY position', [id]);
    const waves: RolloutView['waves'] = [];
    const counts: Counts = {};
    for (const i of items) {
      counts[i.status] = (counts[i.status] ?? 0) + 1;
      if (!waves[i.wave]) waves[i.wave] = { index: i.wave, status: 'pending', instances: [] };
      const w = waves[i.wave];
      w.instances.push({ instanceId: i.instance_id, commandId: i.command_id, status: i.status, reason: i.reason });
    }
    for (const w of waves) {
      if (!w) continue;
      const st = w.instances.map((i) => i.status);
      w.status = st.every((s) => s === ITEM_PENDING || s === 'canceled')
        ? st.includes('canceled')
          ? 'canceled'
          : 'pending'
        : st.every((s) => ITEM_FINAL.has(s))
          ? 'done'
          : 'running';
    }
    return {
      id,
      type: String(r.type),
      params: r.params as Record<string, unknown>,
      target: r.target as RolloutTarget,
      status: String(r.status),
      reason: (r.reason as string | null) ?? null,
      waveSize: Number(r.wave_size),
      pauseBetweenSec: Number(r.pause_between_sec),
      maxFailureRate: Number(r.max_failure_rate),
      minExecuted: Number(r.min_executed),
      currentWave: Number(r.current_wave),
      nextWaveAt: iso(r.next_wave_at),
      createdBy: String(r.created_by_email),
      createdAt: iso(r.created_at) as string,
      updatedAt: iso(r.updated_at) as string,
      waves: waves.filter(Boolean),
      counts,
      failureRate: thresholdPassed(counts, { maxFailureRate: 1, minExecuted: 0 }).rate,
    };
  }

  async list(limit = 50): Promise<Omit<RolloutView, 'waves'>[]> {
    const rows = await this.db.query<{ id: string }>('SELECT id FROM rollouts ORDER BY created_at DESC LIMIT $1', [
      limit,
    ]);
    const out: Omit<RolloutView, 'waves'>[] = [];
    for (const r of rows) {
      const v = await this.get(r.id);
      if (v) {
        const { waves: _w, ...rest } = v;
        out.push(rest);
      }
    }
    return out;
  }
}

/** A pause/resume/abort on a finished rollout. */
export class RolloutStateError extends Error {}
