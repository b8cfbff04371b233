/**
 * Error codes of the sidecar, one table (like Fastify's FST_ERR_*). They appear in logs, in
 * `collector.error` events and in command results, so operators can search for them.
 */
export const SIDECAR_ERR = {
  BAD_SETTING: 'SIDECAR_ERR_BAD_SETTING',
  OUTBOX_CORRUPT: 'SIDECAR_ERR_OUTBOX_CORRUPT',
  OUTBOX_IO: 'SIDECAR_ERR_OUTBOX_IO',
  COLLECTOR_FAILED: 'SIDECAR_ERR_COLLECTOR_FAILED',
  OPENCLAW_DOWN: 'SIDECAR_ERR_OPENCLAW_DOWN',
  OPENCLAW_RPC: 'SIDECAR_ERR_OPENCLAW_RPC',
  COMMAND_FAILED: 'SIDECAR_ERR_COMMAND_FAILED',
  COMMAND_TIMEOUT: 'SIDECAR_ERR_COMMAND_TIMEOUT',
  BAD_RESULT: 'SIDECAR_ERR_BAD_RESULT',
  BAD_MESSAGE: 'SIDECAR_ERR_BAD_MESSAGE',
} as const;
export type SidecarErrorCode = (typeof SIDECAR_ERR)[keyof typeof SIDECAR_ERR];

/** An error carrying one of the codes above. */
export class SidecarError extends Error {
  constructor(
    readonly code: SidecarErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SidecarError';
  }
}

/** Message of anything thrown, without a stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));
}
