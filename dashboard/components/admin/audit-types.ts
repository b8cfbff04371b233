/** One audit-log entry as GET /audit returns it (field names accepted in a few spellings). */
export interface AuditEntry {
  id: string | number;
  t?: string;
  at?: string;
  createdAt?: string;
  actor: string;
  /** The acting user's email, when the actor is a user. */
  actorEmail?: string | null;
  action: string;
  target: string | null;
  clientId: string | null;
  detail?: Record<string, unknown> | null;
}

/** Filters of the audit page; empty strings are left out of the query. */
export interface AuditFilters {
  actor: string;
  action: string;
  target: string;
  clientId: string;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = { actor: '', action: '', target: '', clientId: '', from: '', to: '' };

export const entryTime = (e: AuditEntry) => e.t ?? e.at ?? e.createdAt ?? null;

/** The query for GET /audit: `datetime-local` values become ISO times. */
export function auditQuery(f: AuditFilters): Record<string, string | undefined> {
  const iso = (v: string) => (v ? new Date(v).toISOString() : undefined);
  return {
    actor: f.actor.trim() || undefined,
    action: f.action.trim() || undefined,
    target: f.target.trim() || undefined,
    clientId: f.clientId.trim() || undefined,
    from: iso(f.from),
    to: iso(f.to),
  };
}

/**
 * Where a console session's recording (asciicast) can be fetched, when the entry names one: a
 * path the hub put in the detail, else the console route's recording under the instance.
 */
export function recordingPath(e: AuditEntry): string | null {
  const d = e.detail ?? {};
  const given = d.recording ?? d.recordingUrl ?? d.recordingPath;
  if (typeof given === 'string' && given.startsWith('/')) return given.replace(/^\/api\/v1/, '');
  if (!e.action.startsWith('console')) return null;
  const sid = d.sessionId ?? (e.target?.startsWith('con') ? e.target : undefined);
  const iid = d.instanceId ?? d.instance;
  if (typeof sid !== 'string' || typeof iid !== 'string') return null;
  return `/instances/${encodeURIComponent(iid)}/console/${encodeURIComponent(sid)}/recording`;
}
