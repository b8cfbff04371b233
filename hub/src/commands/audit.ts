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
