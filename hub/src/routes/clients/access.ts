import { forbidden } from '../../auth/errors.js';
import { assertClient, managesClient } from '../../auth/scope.js';
import type { AuthUser } from '../../auth/sessions.js';

/**
 * For changes to a client's own settings and secrets: the admin, its partner's admin, or that
 * client's owner. Another client's id is a 404; viewers and the support role get 403.
 */
export function assertOwnerOrAdmin(u: AuthUser, clientId: string): void {
  assertClient(u, clientId, 'client');
  if (!managesClient(u, clientId)) throw forbidden();
}
