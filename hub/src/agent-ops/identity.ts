import { insertApiToken } from '../auth/api-tokens.js';
import { userChanged } from '../auth/sessions.js';
import { createUser } from '../auth/users.js';
import { audit } from '../commands/audit.js';
import type { Db } from '../db/index.js';
import { newSecret } from '../util/ids.js';
import { AGENT_NAMES, AGENTS, type AgentName, agentEmail } from './agents.js';

/** Makes the row of every known agent that has none yet (its starting policy from AGENTS). */
export async function ensureAgents(db: Db): Promise<void> {
  for (const name of AGENT_NAMES)
    await db.query('INSERT INTO ops_agents (name, actions) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      name,
      JSON.stringify(AGENTS[name].actions),
    ]);
}

/** A freshly minted agent token (the plaintext is returned once, only its sha256 is kept). */
export interface MintedToken {
  agent: AgentName;
  accountId: string;
  tokenId: string;
  token: string;
  scopes: string[];
  expiresAt: string;
}

/**
 * Mints the agent's token with exactly its scopes, expiring after `ttlHours`, and revokes every
 * earlier token of the agent in the same transaction: an agent has one live token at a time. The
 * service account is made on first use (and re-enabled if it was disabled).
 */
export async function mintAgentToken(
  db: Db,
  name: AgentName,
  o: { actor: string; ttlHours: number; reason: 'mint' | 'rotate' },
): Promise<MintedToken> {
  const email = agentEmail(name);
  let acct = (await db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]))[0]?.id;
  if (!acct) {
    acct = (await createUser(db, { email, password: newSecret(), role: 'service', clientId: null })).id;
    await audit(db, o.actor, 'service_account.create', acct, null, { name: `agent-${name}`, agent: name });
  }
  const expires = new Date(Date.now() + o.ttlHours * 3_600_000);
  const scopes = [...AGENTS[name].scopes];
  const minted = await db.tx(async (q) => {
    await q.query('UPDATE users SET disabled = false WHERE id = $1', [acct]);
    await q.query('UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [acct]);
    const t = await insertApiToken(q, {
      userId: acct,
      name: `agent ${name}`,
      scopes,
      createdBy: o.actor,
      expiresAt: expires,
    });
    const tokenId = String(t.row.id);
    await q.query('UPDATE ops_agents SET account_id = $2, updated_at = now() WHERE name = $1', [name, acct]);
    await audit(q, o.actor, `agent.token.${o.reason}`, tokenId, null, { agent: name, scopes, expiresAt: expires });
    return { tokenId, token: t.token };
  });
  const { tokenId, token } = minted;
  // The earlier token's live sockets are re-checked at once.
  userChanged(acct);
  return { agent: name, accountId: acct, tokenId, token, scopes, expiresAt: expires.toISOString() };
}
