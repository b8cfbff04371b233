import type { Role } from '@deepsignal/protocol';
import { forbidden, notFound } from './errors.js';
import type { AuthUser } from './sessions.js';

/** Roles that see every client (the operator side). */
const FLEET_ROLES: ReadonlySet<Role> = new Set(['admin', 'support', 'service']);
/** Roles of a partner's people: they see that partner's clients, as operators see the fleet. */
const PARTNER_ROLES: ReadonlySet<Role> = new Set(['partner_admin', 'partner_viewer']);

export const seesFleet = (u: AuthUser) => FLEET_ROLES.has(u.role);
export const isPartnerUser = (u: Pick<AuthUser, 'role'>) => PARTNER_ROLES.has(u.role);

/**
 * The one client scope every list and lookup uses: null for every client (operators), else the
 * clients the caller may see (a partner's clients, or a client user's own client; none at all
 * for a partner user without a partner).
 */
export function visibleClients(u: AuthUser): readonly string[] | null {
  if (seesFleet(u)) return null;
  if (isPartnerUser(u)) return u.partnerClientIds ?? [];
  return u.clientId ? [u.clientId] : [];
}

/**
 * The client filter of a list query: null (all), or the ids to keep. A requested client narrows
 * it, and is a 404 when the caller may not see it. SQL takes it as
 * `($n::text[] IS NULL OR client_id = ANY($n::text[]))`.
 */
export function clientFilter(u: AuthUser, requested?: string | null): string[] | null {
  if (requested) {
    if (!canSeeClient(u, requested)) throw notFound('client');
    return [requested];
  }
  const v = visibleClients(u);
  return v === null ? null : [...v];
}

/**
 * The client a new scoped thing (a silence, a channel, a window) belongs to: operators may name
 * one or none (fleet-wide); everyone else names one they see, a client user defaults to its own.
 * Never null for a non-operator, so nobody but operators makes a fleet-wide thing.
 */
export function targetClient(u: AuthUser, requested: string | null | undefined): string | null {
  if (seesFleet(u)) return requested ?? null;
  const id = requested ?? u.clientId;
  if (!id || !canSeeClient(u, id)) throw notFound('client');
  return id;
}

/** Whether a user may see a client's resources: operators all, partner users their partner's, client users their own. */
export function canSeeClient(u: AuthUser, clientId: string): boolean {
  const v = visibleClients(u);
  return v === null || v.includes(clientId);
}

/** Throws 404 (not 403) for another client's resource, as if it did not exist. */
export function assertClient(u: AuthUser, clientId: string | undefined, what: string): void {
  if (clientId === undefined || !canSeeClient(u, clientId)) throw notFound(what);
}

/**
 * Who manages a client (settings, its users, its alerts): admins any, a partner's admin its
 * partner's clients, a client's owner its own. Call after the visibility check.
 */
export function managesClient(u: AuthUser, clientId: string): boolean {
  if (u.role === 'admin') return true;
  if (u.role === 'partner_admin' || u.role === 'client_owner') return canSeeClient(u, clientId);
  return false;
}

export function assertManagesClient(u: AuthUser, clientId: string): void {
  if (!managesClient(u, clientId)) throw forbidden();
}

export function assertRole(u: AuthUser, ...roles: Role[]): void {
  if (!roles.includes(u.role)) throw forbidden();
}

/**
 * The owner key of a partner's own resources (its users and tokens, the partner record), in the
 * owner lookups of security/tenancy.ts; client ids are owner keys of client resources.
 */
export const partnerOwner = (partnerId: string) => `partner:${partnerId}`;

/** Whether the caller may see a resource by its owner key (a client id, a partner owner, or null: operator-side). */
export function canSeeOwner(u: AuthUser, owner: string | null): boolean {
  if (seesFleet(u)) return true;
  if (owner === null) return false;
  if (owner.startsWith('partner:')) return isPartnerUser(u) && !!u.partnerId && owner === partnerOwner(u.partnerId);
  return canSeeClient(u, owner);
}
