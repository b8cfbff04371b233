/** Error codes of the hub's HTTP API (`{"error":{"code","message"}}`). */
export const HUB_ERR = {
  VALIDATION: 'HUB_ERR_VALIDATION',
  UNAUTHORIZED: 'HUB_ERR_UNAUTHORIZED',
  FORBIDDEN: 'HUB_ERR_FORBIDDEN',
  NOT_FOUND: 'HUB_ERR_NOT_FOUND',
  CONFLICT: 'HUB_ERR_CONFLICT',
  BAD_LOGIN: 'HUB_ERR_BAD_LOGIN',
  UNKNOWN_COMMAND: 'HUB_ERR_UNKNOWN_COMMAND',
  BAD_PARAMS: 'HUB_ERR_BAD_PARAMS',
  NOT_CANCELABLE: 'HUB_ERR_NOT_CANCELABLE',
  UNAVAILABLE: 'HUB_ERR_UNAVAILABLE',
  INTERNAL: 'HUB_ERR_INTERNAL',
  LOCKED: 'HUB_ERR_LOCKED',
  RATE_LIMITED: 'HUB_ERR_RATE_LIMITED',
  IP_NOT_ALLOWED: 'HUB_ERR_IP_NOT_ALLOWED',
  CSRF: 'HUB_ERR_CSRF',
  SCOPE: 'HUB_ERR_SCOPE',
  BAD_TOKEN: 'HUB_ERR_BAD_TOKEN',
  SSO: 'HUB_ERR_SSO',
  NOT_AN_AGENT: 'HUB_ERR_NOT_AN_AGENT',
  /** Agent-ops policy refusals (agent-ops/policy.ts). */
  POLICY_PAUSED: 'HUB_ERR_POLICY_PAUSED',
  POLICY_BREAKER_OPEN: 'HUB_ERR_POLICY_BREAKER_OPEN',
  POLICY_NEVER: 'HUB_ERR_POLICY_NEVER',
  POLICY_DRY_RUN: 'HUB_ERR_POLICY_DRY_RUN',
  POLICY_BLAST_RADIUS: 'HUB_ERR_POLICY_BLAST_RADIUS',
  POLICY_IN_FLIGHT: 'HUB_ERR_POLICY_IN_FLIGHT',
  POLICY_MAINTENANCE_WINDOW: 'HUB_ERR_POLICY_MAINTENANCE_WINDOW',
  /** The welcome sequence (onboarding/welcome.ts). */
  WELCOME_OPTED_OUT: 'HUB_ERR_WELCOME_OPTED_OUT',
  WELCOME_NO_OWNER: 'HUB_ERR_WELCOME_NO_OWNER',
} as const;

/** An error with an HTTP status and an API error code; the error handler renders it. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what = 'resource') => new HttpError(404, HUB_ERR.NOT_FOUND, `${what} not found`);
export const forbidden = (msg = 'not allowed for your role') => new HttpError(403, HUB_ERR.FORBIDDEN, msg);
