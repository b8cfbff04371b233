import { notFound } from '../../auth/errors.js';
import type { AuthUser } from '../../auth/sessions.js';
import type { HubContext } from '../../context.js';

/**
 * Who may see or change a partner's brand and domains: the admin (support may read), or that
 * partner's own partner_admin (partner_viewer may read). Anyone else, another partner's people
 * included, gets a 404 as if the partner did not exist; so does an unknown partner.
 */
export async function assertPartnerAccess(
  ctx: HubContext,
  u: AuthUser,
  partnerId: string,
  access: 'read' | 'write',
): Promise<void> {
  const staff = access === 'read' ? ['admin', 'support'] : ['admin'];
  const partnerRoles = access === 'read' ? ['partner_admin', 'partner_viewer'] : ['partner_admin'];
  const allowed = staff.includes(u.role) || (partnerRoles.includes(u.role) && u.partnerId === partnerId);
  if (!allowed || !(await ctx.brands.partnerExists(partnerId))) throw notFound('partner');
}
