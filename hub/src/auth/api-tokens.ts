import { randomBytes } from 'node:crypto';
import type { Querier } from '../db/index.js';
import { newId } from '../util/ids.js';
import { API_TOKEN_PREFIX, hashToken } from './sessions.js';

/** How many characters of a token are kept in clear, so people can tell their keys apart. */
const SHOWN_PREFIX_CHARS = API_TOKEN_PREFIX.length + 8;

export interface NewApiToken {
  userId: string;
  /** Set for a client's API key: the key acts for this client only. */
  clientId?: string | null;
  name: string;
  scopes: string[];
  createdBy: string;
  expiresAt: Date | null;
}

/**
 * Mints an API token (`dsa_…`) and stores only its sha256 and its first characters: service
 * account tokens, ops agent tokens and client API keys all come from here. Returns the stored
 * row and the token, which is never readable again.
 */
export async function insertApiToken(
  q: Pick<Querier, 'query'>,
  t: NewApiToken,
): Promise<{ row: Record<string, unknown>; token: string }> {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const rows = await q.query<Record<string, unknown>>(
    `INSERT INTO api_tokens (id, user_id, client_id, name, token_hash, prefix, scopes, created_by, expires_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
    [
      newId('tok'),
      t.userId,
      t.clientId ?? null,
      t.name,
      hashToken(token),
      token.slice(0, SHOWN_PREFIX_CHARS),
      JSON.stringify([...new Set(t.scopes)]),
      t.createdBy,
      t.expiresAt,
    ],
  );
  return { row: rows[0], token };
}
