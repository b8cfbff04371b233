import type { Role } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { newId, newSecret } from '../util/ids.js';
import { hashSecret, verifySecret } from './password.js';
import type { AuthUser } from './sessions.js';

/** Creates a user; throws on a duplicate email (unique index). */
export async function createUser(
  db: Db,
  u: { email: string; password: string; role: Role; clientId: string | null; partnerId?: string | null },
): Promise<AuthUser> {
  const id = newId('usr');
  await db.query(
    'INSERT INTO users (id, email, password_hash, role, client_id, partner_id) VALUES ($1,$2,$3,$4,$5,$6)',
    [id, u.email.toLowerCase(), await hashSecret(u.password), u.role, u.clientId, u.partnerId ?? null],
  );
  return { id, email: u.email.toLowerCase(), role: u.role, clientId: u.clientId, partnerId: u.partnerId ?? null };
}

/** Checks a login; a constant amount of hashing whether or not the email exists. */
export async function checkLogin(db: Db, email: string, password: string): Promise<AuthUser | null> {
  const rows = await db.query<{
    id: string;
    email: string;
    role: Role;
    client_id: string | null;
    password_hash: string;
    disabled: boolean;
  }>('SELECT id, email, role, client_id, password_hash, disabled FROM users WHERE email = $1', [email.toLowerCase()]);
  const r = rows[0];
  const ok = await verifySecret(password, r?.password_hash ?? DUMMY);
  if (!r || !ok || r.disabled) return null;
  return { id: r.id, email: r.email, role: r.role, clientId: r.client_id };
}

const DUMMY = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Outcome of the first-admin bootstrap, for the start banner. */
export interface BootstrapResult {
  email: string;
  /** Set when the hub generated the password (printed once). */
  generatedPassword?: string;
  created: boolean;
}

/**
 * On an empty users table, creates the first admin from DS_ADMIN_EMAIL/DS_ADMIN_PASSWORD or,
 * without them, `admin@localhost` with a generated one-time password printed at start.
 */
export async function bootstrapAdmin(
  db: Db,
  opts: { email?: string; password?: string },
  log: Logger,
): Promise<BootstrapResult | null> {
  const existing = await db.query<{ email: string }>(
    "SELECT email FROM users WHERE role = 'admin' ORDER BY created_at LIMIT 1",
  );
  const any = await db.query('SELECT 1 FROM users LIMIT 1');
  if (any.length > 0) return existing[0] ? { email: existing[0].email, created: false } : null;
  const email = opts.email ?? 'admin@localhost';
  const generated = opts.password ? undefined : newSecret(12);
  await createUser(db, { email, password: opts.password ?? (generated as string), role: 'admin', clientId: null });
  log.info({ email }, 'created the first admin');
  return { email, generatedPassword: generated, created: true };
}
