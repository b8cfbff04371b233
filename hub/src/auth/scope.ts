import type { Role } from '@deepsignal/protocol';
import { forbidden, notFound } from './errors.js';
import type { AuthUser } from './sessions.js';

/** Roles that see every client (the operator side). */
const FLEET_ROLES: ReadonlySet<Role> = new Set(['admin', 'support', 'service']);

export const seesFleet = (u: AuthUser) => FLEET_ROLES.has(u.role);

/** Whether a user may see a client's resources: operators all, client users only their own. */
export function canSeeClient(u: AuthUser, clientId: string): boolean {
  return seesFleet(u) || (u.clientId !== null && u.clientId === clientId);
}

/** Throws 404 (not 403) for another client's resource, as if it did not exist. */
export function assertClient(u: AuthUser, clientId: string | undefined, what: string): void {
  if (clientId === undefined || !canSeeClient(u, clientId)) throw notFound(what);
}

export function assertRole(u: AuthUser, ...roles: Role[]): void {
  if (!roles.includes(u.role)) throw forbidden();
}
