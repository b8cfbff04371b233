import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type ConsoleOut, channelTopic, encodeMessage, PROTOCOL_VERSION } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import type { AuthUser } from '../auth/sessions.js';
import type { BrokerLink } from '../broker/types.js';
import { audit } from '../commands/audit.js';
import type { CommandService, CommandView } from '../commands/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import { type LiveSink, nullSink } from '../live/sink.js';
import { newId } from '../util/ids.js';
import { CastRecorder } from './recorder.js';

const gzipAsync = promisify(gzip);
/** A recording compressed past this stays a file (a row this big would strain the database's memory). */
const MAX_STORED_RECORDING_BYTES = 16 * 2 ** 20;

/** Most open consoles per instance at the hub (the sidecar has its own cap). */
export const MAX_SESSIONS_PER_INSTANCE = 3;

/** Live-stream room of one console session: the sockets of the user who opened it. */
export const consoleRoom = (sessionId: string) => `console:${sessionId}`;
/** Live-stream room of all sockets of one user. */
export const userRoom = (userId: string) => `user:${userId}`;

interface Open {
  id: string;
  instanceId: string;
  clientId: string | null;
  userId: string;
  commandId: string;
  rec: CastRecorder;
  /** Output consumed by the browser (cumulative), forwarded as `ack`. [SPEC 7.1] */
  consumed: number;
  closing: boolean;
}

/** What a browser does in a console session (protocol live.ts), with the user who did it. */
export type ConsoleOp = { sessionId: string; userId: string } & (
  | { op: 'input'; data: string }
  | { op: 'resize'; cols: number; rows: number }
  | { op: 'ack'; bytes: number }
  // Closing through the API of a hub that does not hold the session (`admin`: not the opener).
  | { op: 'close'; email: string; admin: boolean }
);

/** A console request that cannot be served (409). */
export class ConsoleLimitError extends Error {}

/**
 * Console sessions, Teleport style: the hub opens a pty on the sidecar with a signed
 * `console.open`, relays keystrokes/resizes/acks from the browser (Socket.IO) to
 * `console/<id>/in` and output from `console/<id>/out` to the sockets of the user who opened it,
 * and records everything the terminal showed as asciicast v2 under `<dataDir>/recordings/`.
 * Opening and closing are audited; the recording is replayed from the audit trail.
 */
export class ConsoleService {
  live: LiveSink = nullSink;
  /** Joins every socket of a user to a room (set when the live stream is attached). */
  joinUser: (userId: string, room: string) => void = () => {};
  /** Hands an operation to the other hubs; false when no other hub shares the live stream. */
  relay: (op: ConsoleOp) => boolean = () => false;
  private readonly open = new Map<string, Open>();
  private readonly byCommand = new Map<string, string>();
  readonly counters = { ignoredFrames: 0 };

  constructor(
    private readonly db: Db,
    private readonly fleet: Fleet,
    private readonly commands: CommandService,
    private readonly broker: () => BrokerLink | null,
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {
    commands.onChange((v) => this.onCommand(v));
  }

  /** Opens a session on an instance for a user; the output goes to that user's sockets. */
  async start(instanceId: string, user: AuthUser, size: { cols: number; rows: number; idleTimeoutSec?: number }) {
    const s = this.fleet.get(instanceId);
    if (!s) throw new Error('unknown instance');
    const mine = [...this.open.values()].filter((o) => o.instanceId === instanceId);
    if (mine.length >= MAX_SESSIONS_PER_INSTANCE)
      throw new ConsoleLimitError(`at most ${MAX_SESSIONS_PER_INSTANCE} console sessions per instance`);
    const id = newId('con');
    const file = join(this.dataDir, 'recordings', `${id}.cast`);
    const rec = new CastRecorder(file, { width: size.cols, height: size.rows, title: `${s.hostname} (${instanceId})` });
    await this.db.query(
      `INSERT INTO console_sessions (id, instance_id, client_id, user_id, status, cols, rows, recording)
       VALUES ($1,$2,$3,$4,'opening',$5,$6,$7)`,
      [id, instanceId, s.clientId, user.id, size.cols, size.rows, file],
    );
    const o: Open = {
      id,
      instanceId,
      clientId: s.clientId,
      userId: user.id,
      commandId: '',
      rec,
      consumed: 0,
      closing: false,
    };
    this.open.set(id, o);
    this.joinUser(user.id, consoleRoom(id));
    const { view } = await this.commands.create({
      instanceId,
      type: 'console.open',
      params: { sessionId: id, cols: size.cols, rows: size.rows, idleTimeoutSec: size.idleTimeoutSec ?? 900 },
      expiresInSec: 60,
      issuer: { userId: user.id, email: user.email },
    });
    o.commandId = view.id;
    this.byCommand.set(view.id, id);
    await this.db.query('UPDATE console_sessions SET command_id = $2 WHERE id = $1', [id, view.id]);
    await audit(this.db, `user:${user.id}`, 'console.open', id, s.clientId, {
      sessionId: id,
      instanceId,
      commandId: view.id,
      recording: `/api/v1/instances/${instanceId}/console/${id}/recording`,
    });
    return { sessionId: id, commandId: view.id };
  }

  /** Whether a user may drive a session (only the one who opened it). */
  owns(sessionId: string, userId: string): boolean {
    return this.open.get(sessionId)?.userId === userId;
  }

  private send(o: Open, frame: Record<string, unknown>): void {
    const b = this.broker();
    if (!b) return;
    b.publish(channelTopic(o.instanceId, 'console', o.id, 'in'), encodeMessage({ v: PROTOCOL_VERSION, ...frame }), {
      qos: 1,
    }).catch((e) => this.log.warn({ err: (e as Error).message, id: o.id }, 'console frame publish failed'));
  }

  /**
   * A browser's keystrokes, resize or ack for a session, from the user who opened it. Returns
   * false when this hub does not hold the session (with several hubs, the one that opened it may
   * be another: the caller forwards the operation there).
   */
  apply(op: ConsoleOp): boolean {
    const o = this.open.get(op.sessionId);
    if (!o) return false;
    if (op.op === 'close') {
      if (o.userId === op.userId || op.admin) void this.close(op.sessionId, { email: op.email });
      return true;
    }
    if (o.userId !== op.userId) return true;
    if (op.op === 'input') {
      if (!o.closing) this.send(o, { type: 'input', data: op.data });
    } else if (op.op === 'resize') {
      if (o.closing) return true;
      o.rec.resize(op.cols, op.rows);
      this.send(o, { type: 'resize', cols: op.cols, rows: op.rows });
    } else {
      // The browser rendered `bytes` more of the output: more credit for the sidecar.
      o.consumed += op.bytes;
      this.send(o, { type: 'ack', bytes: o.consumed });
    }
    return true;
  }

  /** Closes from the hub side (the user or an admin); the sidecar answers with `exit`. */
  async close(sessionId: string, actor: Pick<AuthUser, 'email'>): Promise<boolean> {
    const o = this.open.get(sessionId);
    if (!o) return false;
    o.closing = true;
    this.send(o, { type: 'close' });
    // If the sidecar is gone, nothing will answer: finish here after a grace period.
    setTimeout(() => void this.finish(sessionId, null, `closed by ${actor.email}`), 5000).unref();
    return true;
  }

  /**
   * Closes a session of this instance whichever hub holds it: here, or (several hubs) relayed to
   * the others when the database has it open. Null when there is no such session for this user.
   */
  async closeAnywhere(instanceId: string, sessionId: string, actor: AuthUser): Promise<boolean | null> {
    const o = this.open.get(sessionId);
    const mayClose = (userId: string) => userId === actor.id || actor.role === 'admin';
    if (o) return o.instanceId === instanceId && mayClose(o.userId) ? this.close(sessionId, actor) : null;
    const rows = await this.db.query<{ user_id: string }>(
      "SELECT user_id FROM console_sessions WHERE id = $1 AND instance_id = $2 AND status IN ('opening', 'open')",
      [sessionId, instanceId],
    );
    if (!rows[0] || !mayClose(rows[0].user_id)) return null;
    const relayed = this.relay({
      op: 'close',
      sessionId,
      userId: actor.id,
      email: actor.email,
      admin: actor.role === 'admin',
    });
    return relayed ? true : null;
  }

  /** A frame from the sidecar. Frames of unknown sessions (or another instance's) are ignored. */
  frame(instanceId: string, sessionId: string, f: ConsoleOut): void {
    const o = this.open.get(sessionId);
    if (!o || o.instanceId !== instanceId) {
      this.counters.ignoredFrames++;
      return;
    }
    if (f.type === 'output') {
      o.rec.output(f.data);
      this.live.emit([consoleRoom(sessionId)], 'console.output', { sessionId, data: f.data });
    } else void this.finish(sessionId, f.code, f.reason);
  }

  private onCommand(v: CommandView): void {
    const sid = this.byCommand.get(v.id);
    if (!sid) return;
    if (v.status === 'succeeded') {
      void this.db.query("UPDATE console_sessions SET status = 'open' WHERE id = $1 AND status = 'opening'", [sid]);
      return;
    }
    if (['failed', 'rejected', 'timed_out', 'canceled'].includes(v.status))
      void this.finish(sid, null, `console.open ${v.status}${v.error ? `: ${v.error.message}` : ''}`);
  }

  private async finish(sessionId: string, code: number | null, reason?: string): Promise<void> {
    const o = this.open.get(sessionId);
    if (!o) return;
    this.open.delete(sessionId);
    this.byCommand.delete(o.commandId);
    await o.rec.close();
    await this.storeRecording(sessionId, o.rec.file);
    this.live.emit([consoleRoom(sessionId)], 'console.exit', { sessionId, code, ...(reason ? { reason } : {}) });
    await this.db.query(
      `UPDATE console_sessions SET status = 'closed', closed_at = now(), exit_code = $2, reason = $3, bytes_out = $4
       WHERE id = $1`,
      [sessionId, code, reason ?? null, o.rec.bytes],
    );
    await audit(this.db, `user:${o.userId}`, 'console.close', sessionId, o.clientId, {
      sessionId,
      instanceId: o.instanceId,
      exitCode: code,
      reason: reason ?? null,
      bytes: o.rec.bytes,
      recording: `/api/v1/instances/${o.instanceId}/console/${sessionId}/recording`,
    }).catch((e) => this.log.warn({ err: (e as Error).message }, 'console audit failed'));
  }

  async list(instanceId: string) {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM console_sessions WHERE instance_id = $1 ORDER BY created_at DESC LIMIT 100',
      [instanceId],
    );
    return rows.map((r) => ({
      id: String(r.id),
      instanceId: String(r.instance_id),
      userId: String(r.user_id),
      status: String(r.status),
      openedAt: new Date(r.created_at as string).toISOString(),
      closedAt: r.closed_at ? new Date(r.closed_at as string).toISOString() : null,
      exitCode: (r.exit_code as number | null) ?? null,
      reason: (r.reason as string | null) ?? null,
      bytesOut: Number(r.bytes_out),
    }));
  }

  /**
   * Moves a closed session's recording into the database (gzipped), so any hub serves it; the
   * file goes once the row is written. One too large for a row stays a file of this hub.
   */
  private async storeRecording(sessionId: string, file: string): Promise<void> {
    try {
      const raw = await readFile(file);
      const gz = await gzipAsync(raw);
      if (gz.length > MAX_STORED_RECORDING_BYTES) {
        this.log.warn({ sessionId, bytes: raw.length }, 'console recording too large for the database: kept as a file');
        return;
      }
      await this.db.query(
        'INSERT INTO console_recordings (session_id, gz, bytes) VALUES ($1, $2, $3) ON CONFLICT (session_id) DO NOTHING',
        [sessionId, gz, raw.length],
      );
      await rm(file, { force: true });
    } catch (e) {
      this.log.warn(
        { err: (e as Error).message, sessionId },
        'console recording not stored in the database: kept as a file',
      );
    }
  }

  /** Where a session of this instance has its recording: the database, a file of this hub, or nowhere. */
  async recording(instanceId: string, sessionId: string): Promise<{ gz: Buffer } | { file: string } | null> {
    const rows = await this.db.query<{ recording: string | null; gz: Uint8Array | null }>(
      `SELECT s.recording, r.gz FROM console_sessions s LEFT JOIN console_recordings r ON r.session_id = s.id
       WHERE s.id = $1 AND s.instance_id = $2`,
      [sessionId, instanceId],
    );
    const r = rows[0];
    if (!r) return null;
    if (r.gz) return { gz: Buffer.from(r.gz) };
    return r.recording && existsSync(r.recording) ? { file: r.recording } : null;
  }

  async stop(): Promise<void> {
    for (const id of [...this.open.keys()]) await this.finish(id, null, 'hub stopping');
  }
}
