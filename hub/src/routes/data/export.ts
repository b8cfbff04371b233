import type { HubContext } from '../../context.js';
import { redactParams } from '@deepsignal/protocol';

/** Tables keyed by instance_id that hold a client's telemetry (no foreign key: deleted by hand). */
export const INSTANCE_TABLES = [
  'metric_samples',
  'metric_rollups_1m',
  'metric_rollups_1h',
  'log_lines',
  'conversation_messages',
  'events',
  'ingest_cursors',
  'ingest_seen',
  'ingest_gaps',
] as const;

const INST = 'SELECT id FROM instances WHERE client_id = $1';

/**
 * Everything the hub holds about one client, as JSON: the client, its settings and SSO domain claims, users (no password
 * hashes), instances, the names of its secrets (never values), conversations, logs, events,
 * commands (secret params redacted), support tickets (without internal notes) and its audit trail. Metrics are included as
 * hourly rollups (raw samples are a machine's vital signs, not the client's data).
 */
export async function exportClient(ctx: HubContext, clientId: string): Promise<Record<string, unknown>> {
  const q = <R = Record<string, unknown>>(sql: string) => ctx.db.query<R>(sql, [clientId]);
  const commands = await q<Record<string, unknown>>(
    `SELECT id, instance_id, type, params, status, issued_by, issued_at, expires_at, updated_at, result, error
     FROM commands WHERE instance_id IN (${INST}) ORDER BY issued_at`,
  );
  return {
    format: 'deepsignal-client-export/1',
    exportedAt: new Date().toISOString(),
    client: (await q('SELECT * FROM clients WHERE id = $1'))[0] ?? null,
    settings: (await q('SELECT ip_allowlist, retention_conversations_days, retention_logs_days, oidc FROM client_settings WHERE client_id = $1'))[0] ?? null,
    ssoDomains: await q(
      'SELECT domain, status, verified_by, verified_at, expires_at, created_at FROM sso_domain_claims WHERE client_id = $1 ORDER BY domain',
    ),
    users: await q('SELECT id, email, role, disabled, created_at FROM users WHERE client_id = $1 ORDER BY created_at'),
    instances: await q(
      'SELECT id, hostname, sidecar_version, openclaw_version, created_at, last_seen FROM instances WHERE client_id = $1',
    ),
    secrets: await ctx.secrets.list(clientId),
    conversations: await q(`SELECT * FROM conversation_messages WHERE instance_id IN (${INST}) ORDER BY t`),
    logs: await q(`SELECT * FROM log_lines WHERE instance_id IN (${INST}) ORDER BY t`),
    events: await q(`SELECT * FROM events WHERE instance_id IN (${INST}) ORDER BY t`),
    metricsHourly: await q(`SELECT * FROM metric_rollups_1h WHERE instance_id IN (${INST}) ORDER BY bucket`),
    commands: commands.map((c) => ({
      ...c,
      params: redactParams(String(c.type), (c.params ?? {}) as Record<string, unknown>),
    })),
    // Support tickets with what the client was told; internal notes and reply tokens stay out.
    tickets: await q(
      `SELECT id, instance_id, opened_by, subject, state, category, priority, created_at, resolved_at
       FROM tickets WHERE client_id = $1 ORDER BY created_at`,
    ),
    ticketMessages: await q(
      `SELECT m.id, m.ticket_id, m.kind, m.author, m.author_email, m.body, m.via, m.automatic, m.created_at
       FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
       WHERE t.client_id = $1 AND m.kind <> 'note' ORDER BY m.created_at`,
    ),
    audit: await q('SELECT created_at AS t, actor, action, target, detail FROM audit_log WHERE client_id = $1 ORDER BY id'),
  };
}

/**
 * Deletes a client's data. `telemetry`: conversations, logs, events, metrics and commands of its
 * instances (the client, users and instances stay). `all`: the client itself too (users,
 * instances, settings, keys and secrets by cascade). The audit trail is kept.
 */
export async function deleteClientData(ctx: HubContext, clientId: string, scope: 'telemetry' | 'all') {
  const ids = (await ctx.db.query<{ id: string }>(INST, [clientId])).map((r) => r.id);
  const counts: Record<string, number> = {};
  await ctx.db.tx(async (tx) => {
    for (const t of INSTANCE_TABLES) {
      const r = await tx.query(`DELETE FROM ${t} WHERE instance_id = ANY($1::text[]) RETURNING 1`, [ids]);
      counts[t] = r.length;
    }
    await tx.query(
      'DELETE FROM command_results WHERE command_id IN (SELECT id FROM commands WHERE instance_id = ANY($1::text[]))',
      [ids],
    );
    counts.commands = (await tx.query('DELETE FROM commands WHERE instance_id = ANY($1::text[]) RETURNING 1', [ids])).length;
    if (scope === 'all') {
      await tx.query('DELETE FROM support_requests WHERE client_id = $1', [clientId]).catch(() => undefined);
      counts.clients = (await tx.query('DELETE FROM clients WHERE id = $1 RETURNING 1', [clientId])).length;
    }
  });
  if (scope === 'all') {
    for (const id of ids) ctx.fleet.remove(id);
    ctx.secrets.forget(clientId);
    ctx.allowlists.invalidate(clientId);
  }
  return counts;
}

/**
 * Applies each client's retention (conversations, logs) where one is set; the hub-wide raw
 * retention (DS_RETENTION_RAW_DAYS) still applies to everyone. Returns rows deleted.
 */
export async function applyRetention(ctx: Pick<HubContext, 'db'>): Promise<number> {
  const rows = await ctx.db.query<{
    client_id: string;
    retention_conversations_days: number | null;
    retention_logs_days: number | null;
  }>(
    `SELECT client_id, retention_conversations_days, retention_logs_days FROM client_settings
     WHERE retention_conversations_days IS NOT NULL OR retention_logs_days IS NOT NULL`,
  );
  let n = 0;
  for (const r of rows) {
    for (const [table, days] of [
      ['conversation_messages', r.retention_conversations_days],
      ['log_lines', r.retention_logs_days],
    ] as const) {
      if (!days) continue;
      const del = await ctx.db.query(
        `DELETE FROM ${table} WHERE instance_id IN (${INST}) AND t < now() - make_interval(days => $2::int) RETURNING 1`,
        [r.client_id, days],
      );
      n += del.length;
    }
  }
  return n;
}
