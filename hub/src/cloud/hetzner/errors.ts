/** Error codes the Hetzner Cloud API answers with (`{"error":{"code","message","details"}}`). */
export type HetznerErrorCode =
  | 'invalid_input'
  | 'uniqueness_error'
  | 'resource_unavailable'
  | 'placement_error'
  | 'rate_limit_exceeded'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'locked'
  | 'resource_limit_exceeded'
  | 'server_error'
  | 'service_error'
  | 'maintenance'
  | 'timeout'
  | 'unavailable'
  | 'action_failed'
  | (string & {});

/** One field Hetzner rejected (`details.fields` of an `invalid_input`). */
export interface InvalidField {
  name: string;
  messages: string[];
}

/**
 * A Hetzner API error in the provider's own words: `code` and `message` as Hetzner sent them,
 * the HTTP status, and for `invalid_input` the rejected fields. `network` marks a request that
 * never got an answer (API down, connection refused).
 */
export class HetznerError extends Error {
  constructor(
    readonly code: HetznerErrorCode,
    message: string,
    readonly status: number,
    readonly details: unknown = null,
    readonly network = false,
  ) {
    super(message);
    this.name = 'HetznerError';
  }

  /** The rejected fields of an `invalid_input` error (empty otherwise). */
  get fields(): InvalidField[] {
    const f = (this.details as { fields?: unknown } | null)?.fields;
    if (!Array.isArray(f)) return [];
    return f
      .filter((x): x is { name: string; messages?: unknown } => typeof x?.name === 'string')
      .map((x) => ({ name: x.name, messages: Array.isArray(x.messages) ? x.messages.map(String) : [] }));
  }

  /** "Hetzner: <message> (<code>)", with the fields of an invalid_input. */
  describe(): string {
    const fields = this.fields.map((f) => `${f.name}: ${f.messages.join(', ')}`).join('; ');
    return `Hetzner: ${this.message} (${this.code}${fields ? `; ${fields}` : ''})`;
  }

  /** Worth trying again later: rate limits, Hetzner-side failures and no answer at all. */
  get transient(): boolean {
    return (
      this.network ||
      this.status >= 500 ||
      ['rate_limit_exceeded', 'locked', 'conflict', 'timeout', 'maintenance', 'unavailable', 'server_error'].includes(
        this.code,
      )
    );
  }
}

/** Parses an error body (or its absence) into a HetznerError. */
export function hetznerErrorFrom(status: number, body: unknown): HetznerError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (e && typeof e.code === 'string')
    return new HetznerError(e.code, typeof e.message === 'string' ? e.message : e.code, status, e.details ?? null);
  return new HetznerError(status >= 500 ? 'server_error' : 'unknown', `HTTP ${status} without an error body`, status);
}
