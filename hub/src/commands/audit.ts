import type { Querier } from '../db/index.js';

/** Appends one row to the audit log. `actor` is `user:<id>`, `instance:<id>` or `system`. */
export function audit(
  q: Pick<Querier, 'query'>,
  actor: string,
  action: string,
  target: string | null,
  clientId: string | null,
  detail: Record<string, unknown> = {},
): Promise<unknown> {
  return q.query('INSERT INTO audit_log (actor, action, target, client_id, detail) VALUES ($1,$2,$3,$4,$5)', [
    actor,
    action,
    target,
    clientId,
    JSON.stringify(detail),
  ]);
}

/** Appends many rows to the audit log in one statement (same shape as {@link audit}). */
export async function auditMany(
  q: Pick<Querier, 'query'>,
  rows: {
    actor: string;
    action: string;
    target: string | null;
    clientId: string | null;
    detail?: Record<string, unknown>;
  }[],
): Promise<void> {
  if (!rows.length) return;
  const params: unknown[] = [];
  const values = rows.map((r, i) => {
    params.push(r.actor, r.action, r.target, r.clientId, JSON.stringify(r.detail ?? {}));
    return `($${i * 5 + 1},$${i * 5 + 2},$${i * 5 + 3},$${i * 5 + 4},$${i * 5 + 5})`;
  });
  await q.query(`INSERT INTO audit_log (actor, action, target, client_id, detail) VALUES ${values.join(',')}`, params);
}
