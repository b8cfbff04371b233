import { forbidden } from '../../auth/errors.js';
import { assertClient } from '../../auth/scope.js';
import type { AuthUser } from '../../auth/sessions.js';

/**
 * For changes to a client's own settings and secrets: the admin, or that client's owner.
 * Another client's id is a 404; the client's viewers and the support role get 403.
 */
export function assertOwnerOrAdmin(u: AuthUser, clientId: string): void {
  assertClient(u, clientId, 'client');
  if (u.role === 'admin') return;
  if (u.role === 'client_owner' && u.clientId === clientId) return;
  throw forbidden();
}
