import type { CommandState } from './commands/lifecycle.js';

/**
 * Views the hub's HTTP API returns, shared by the hub (which builds them) and its API clients
 * (the agents and the dashboard).
 */

/** A command as the API returns it (`GET /commands/:id`, `GET /instances/:id/commands`). */
export interface CommandView {
  id: string;
  instanceId: string;
  type: string;
  params: Record<string, unknown>;
  status: CommandState;
  issuedBy: string;
  idempotencyKey: string | null;
  issuedAt: string;
  expiresAt: string;
  deliveredAt: string | null;
  updatedAt: string;
  progress: { pct?: number; message?: string; image?: string } | null;
  result: unknown;
  error: { code: string; message: string } | null;
  rolloutId: string | null;
}

/** A client's "Get help" request (`GET /support-requests`). */
export interface SupportRequest {
  id: string;
  clientId: string;
  instanceId: string | null;
  userId: string | null;
  subject: string;
  body: string;
  status: 'open' | 'resolved';
  createdAt: string;
}
