import type { FastifyRequest } from 'fastify';
import { notFound } from '../auth/errors.js';
import { canSeeOwner, partnerOwner, seesFleet } from '../auth/scope.js';
import type { HubContext } from '../context.js';

/**
 * Finds the owner of an id: its client, `partner:<id>` for a partner's own things (its users,
 * their tokens, the partner itself), null for the operator side, undefined when unknown.
 */
export type OwnerResolver = (id: string) => Promise<string | null | undefined>;

/**
 * Owner lookups by id prefix (ids are `<prefix>-<random>`, util/ids.ts). Every id of a known
 * kind that reaches the API in a path parameter, or as `clientId`/`instanceId` in the query or
 * body, is checked against the caller's client before validation and before the handler runs:
 * another client's resource is a 404 even on a route that forgot to check. A new resource kind
 * adds one line here.
 */
export function ownerResolvers(
  ctx: Pick<HubContext, 'db' | 'fleet'> & Partial<Pick<HubContext, 'alerts' | 'maintenance'>>,
): Record<string, OwnerResolver> {
  const one = async (sql: string, id: string) =>
    (await ctx.db.query<{ client_id: string | null }>(sql, [id]))[0]?.client_id ?? null;
  return {
    cli: async (id) => id,
    inst: async (id) => ctx.fleet.get(id)?.clientId ?? one('SELECT client_id FROM instances WHERE id = $1', id),
    cmd: (id) => one('SELECT i.client_id FROM commands c JOIN instances i ON i.id = c.instance_id WHERE c.id = $1', id),
    usr: (id) => one(`SELECT ${USER_OWNER} AS client_id FROM users u WHERE u.id = $1`, id),
    tok: (id) =>
      one(
        `SELECT COALESCE(t.client_id, ${USER_OWNER}) AS client_id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`,
        id,
      ),
    ptn: async (id) => partnerOwner(id),
    sup: (id) => one('SELECT client_id FROM tickets WHERE id = $1', id),
    tkt: (id) => one('SELECT client_id FROM tickets WHERE id = $1', id),
    tatt: (id) =>
      one('SELECT t.client_id FROM ticket_attachments a JOIN tickets t ON t.id = a.ticket_id WHERE a.id = $1', id),
    alr: async (id) => ctx.alerts?.engine.alerts.get(id)?.clientId ?? undefined,
    nch: async (id) => ctx.alerts?.channels.find((c) => c.id === id)?.clientId ?? undefined,
    sil: (id) => one('SELECT client_id FROM alert_silences WHERE id = $1', id),
    mw: async (id) => ctx.maintenance?.get(id)?.clientId ?? undefined,
    inv: (id) => one('SELECT client_id FROM invoices WHERE id = $1', id),
    dep: (id) => one('SELECT client_id FROM deployments WHERE id = $1', id),
    ohm: (id) => one('SELECT client_id FROM onboarding_help_messages WHERE id = $1', id),
  };
}

/** A user's owner key: its client, else its partner (`partner:<id>`), else null (operator-side). */
const USER_OWNER = `COALESCE(u.client_id, 'partner:' || u.partner_id)`;

const ID_KEYS = new Set(['id', 'clientId', 'instanceId', 'commandId', 'userId', 'tokenId', 'partnerId']);

/** Values worth checking: path params (all), and id-like keys of the query and body. */
function candidateIds(req: FastifyRequest): string[] {
  const out: string[] = [];
  const params = (req.params ?? {}) as Record<string, unknown>;
  for (const v of Object.values(params)) if (typeof v === 'string') out.push(v);
  for (const src of [req.query, req.body]) {
    if (!src || typeof src !== 'object' || Array.isArray(src)) continue;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      if (!ID_KEYS.has(k)) continue;
      if (typeof v === 'string') out.push(v);
      else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
    }
  }
  return out;
}

/**
 * Throws 404 when a client or partner user names a resource outside its scope: another client's,
 * another partner's, or the operator side's.
 */
export async function assertTenantIds(req: FastifyRequest, resolvers: Record<string, OwnerResolver>): Promise<void> {
  const u = req.user;
  if (!u || seesFleet(u)) return;
  for (const id of candidateIds(req)) {
    const dash = id.indexOf('-');
    const resolve = dash > 0 ? resolvers[id.slice(0, dash)] : undefined;
    if (!resolve) continue;
    const owner = await resolve(id);
    // Unknown ids fall through to the route (it answers 404 itself); known ones must be ours.
    if (owner === undefined) continue;
    if (!canSeeOwner(u, owner)) throw notFound(id.slice(0, dash) === 'cli' ? 'client' : 'resource');
  }
}
