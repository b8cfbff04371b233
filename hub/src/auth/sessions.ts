import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Role } from '@deepsignal/protocol';
import type { Db } from '../db/index.js';

/** The authenticated caller of an HTTP request or live socket. */
export interface AuthUser {
  id: string;
  email: string;
  role: Role;
  clientId: string | null;
  /** The partner a partner user (partner_admin, partner_viewer) belongs to. */
  partnerId?: string | null;
  /** A partner user's clients, read with the user on every request so a newly assigned client counts at once. */
  partnerClientIds?: readonly string[];
  /** Set when the caller used an API token: what it may do (`read`, `command:<type>`). */
  scopes?: string[];
  /** The API token's id, when one was used. */
  tokenId?: string;
  /** Set when the token is a client's API key: it acts for `clientId` only, never as a person. */
  clientKey?: true;
}

export const SESSION_COOKIE = 'ds_session';
export const SESSION_TTL_MS = 7 * 86_400_000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a session and returns its bearer token (only its hash is stored). */
export async function createSession(db: Db, userId: string): Promise<string> {
  const token = `dst_${randomBytes(32).toString('base64url')}`;
  await db.query('INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, $3)', [
    hashToken(token),
    userId,
    new Date(Date.now() + SESSION_TTL_MS),
  ]);
  return token;
}

/** What was revoked: every session/token of a user, or one session by its hash. */
export type Revocation = { userId: string } | { tokenHash: string };

/**
 * Told whenever a session or token ends or a user's rights change (logout, disable, role change,
 * password reset, token revoke), so the live stream re-checks the affected sockets at once
 * instead of letting them keep receiving events. Listeners re-read the database, so an event
 * reaching a hub that holds no such socket costs nothing.
 */
export const revocations = new EventEmitter<{ revoked: [Revocation] }>();
revocations.setMaxListeners(0);

export async function deleteSession(db: Db, token: string): Promise<void> {
  const tokenHash = hashToken(token);
  await db.query('DELETE FROM sessions WHERE id = $1', [tokenHash]);
  revocations.emit('revoked', { tokenHash });
}

/** A user's rights changed (role, disabled, a token revoked): their live sockets are re-checked. */
export function userChanged(userId: string): void {
  revocations.emit('revoked', { userId });
}

/** Prefix of API tokens (service accounts, ops agents, client API keys); sessions start with `dst_`. */
export const API_TOKEN_PREFIX = 'dsa_';

/** The user a session or API token belongs to, or null (unknown, expired, revoked, disabled). */
export async function userForToken(db: Db, token: string | undefined): Promise<AuthUser | null> {
  if (!token || token.length > 200) return null;
  if (token.startsWith(API_TOKEN_PREFIX)) return userForApiToken(db, token);
  const rows = await db.query<UserRow>(
    `SELECT u.id, u.email, u.role, u.client_id, u.partner_id FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = $1 AND s.expires_at > now() AND NOT u.disabled`,
    [hashToken(token)],
  );
  return rows[0] ? toAuthUser(db, rows[0]) : null;
}

interface UserRow {
  id: string;
  email: string;
  role: Role;
  client_id: string | null;
  partner_id: string | null;
}

/** The caller from its users row; a partner user also gets its partner's clients. */
async function toAuthUser(db: Db, r: UserRow, token?: { scopes: string[]; tid: string }): Promise<AuthUser> {
  const u: AuthUser = { id: r.id, email: r.email, role: r.role, clientId: r.client_id };
  if (token) Object.assign(u, { scopes: token.scopes, tokenId: token.tid });
  if (r.role === 'partner_admin' || r.role === 'partner_viewer') {
    u.partnerId = r.partner_id;
    u.partnerClientIds = r.partner_id
      ? (await db.query<{ id: string }>('SELECT id FROM clients WHERE partner_id = $1', [r.partner_id])).map(
          (c) => c.id,
        )
      : [];
  }
  return u;
}

/** Live API tokens by hash, with their user; a client key must still belong to its user's client. */
const API_TOKEN_SQL = `SELECT t.id AS tid, t.scopes, t.client_id AS key_client, t.last_used_at,
       u.id, u.email, u.role, u.client_id, u.partner_id
     FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
       AND NOT u.disabled AND (t.client_id IS NULL OR t.client_id = u.client_id)`;

interface ApiTokenRow extends UserRow {
  tid: string;
  scopes: string[];
  key_client: string | null;
  last_used_at: string | null;
}

async function apiTokenUser(db: Db, r: ApiTokenRow): Promise<AuthUser> {
  const u = await toAuthUser(db, r, r);
  if (r.key_client) u.clientKey = true;
  return u;
}

async function userForApiToken(db: Db, token: string): Promise<AuthUser | null> {
  const r = (await db.query<ApiTokenRow>(API_TOKEN_SQL, [hashToken(token)]))[0];
  if (!r) return null;
  // Last use is kept to the minute: one write per token per minute, not per request.
  if (!r.last_used_at || Date.now() - new Date(r.last_used_at).getTime() > 60_000)
    await db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [r.tid]);
  return apiTokenUser(db, r);
}

/** The user behind a stored session or API token hash now (re-checks of open live sockets). */
export async function userForTokenHash(db: Db, tokenHash: string): Promise<AuthUser | null> {
  const s = await db.query<UserRow>(
    `SELECT u.id, u.email, u.role, u.client_id, u.partner_id FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = $1 AND s.expires_at > now() AND NOT u.disabled`,
    [tokenHash],
  );
  if (s[0]) return toAuthUser(db, s[0]);
  const t = (await db.query<ApiTokenRow>(API_TOKEN_SQL, [tokenHash]))[0];
  return t ? apiTokenUser(db, t) : null;
}

/** Ends every session of a user (password reset, disable, role change). */
export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  userChanged(userId);
}

/** Reads the session token from `Authorization: Bearer …` or the session cookie header. */
export function tokenFrom(headers: { authorization?: string; cookie?: string }): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const m = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(headers.cookie ?? '');
  return m ? decodeURIComponent(m[1]) : undefined;
}

/** Whether the request authenticated with the cookie (no Authorization header): CSRF applies. */
export function viaCookie(headers: { authorization?: string; cookie?: string }): boolean {
  return !headers.authorization?.startsWith('Bearer ') && tokenFrom(headers) !== undefined;
}
