/**
 * Roles of hub users. [SPEC 6.5]
 * - admin: the operator, everything.
 * - support: reads everything, limited actions.
 * - client_owner / client_viewer: a client's own people, scoped to that client.
 * - service: an ops agent's account; what it may do is narrowed further by its token's scopes.
 * - partner_admin / partner_viewer: a partner's (reseller's) people, scoped to that partner's
 *   clients; the admin manages them as an operator would, the viewer only reads.
 */
export const ROLES = [
  'admin',
  'support',
  'client_owner',
  'client_viewer',
  'service',
  'partner_admin',
  'partner_viewer',
] as const;
export type Role = (typeof ROLES)[number];
