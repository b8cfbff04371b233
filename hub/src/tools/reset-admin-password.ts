import { hashSecret } from '../auth/password.js';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/index.js';
import { newSecret } from '../util/ids.js';

/**
 * `npm start -- reset-admin-password [email]`: gives an admin (the first one, or the one named) a
 * new generated password and prints it, for when the one-time password of the first start was
 * missed. Runs against the same data dir / DATABASE_URL the hub uses; ends every session of that
 * admin. Stop the hub first when it uses the embedded database (one process per PGlite dir).
 */
export async function runResetAdminPassword(args: string[]): Promise<number> {
  // The email is the argument with an @; the others are the hub's own flags (--data-dir …).
  const wanted = args.find((a) => !a.startsWith('-') && a.includes('@'))?.toLowerCase();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(
      process.env,
      args.filter((a) => a.toLowerCase() !== wanted),
    );
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : String(e));
    return 2;
  }
  const db = await openDatabase(config);
  try {
    const rows = await db.query<{ id: string; email: string }>(
      wanted
        ? "SELECT id, email FROM users WHERE role = 'admin' AND email = $1"
        : "SELECT id, email FROM users WHERE role = 'admin' ORDER BY created_at LIMIT 1",
      wanted ? [wanted] : [],
    );
    const admin = rows[0];
    if (!admin) {
      console.error(wanted ? `no admin with the email ${wanted}` : 'there is no admin yet: start the hub once');
      return 1;
    }
    const password = newSecret(12);
    await db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [admin.id, await hashSecret(password)]);
    await db.query('DELETE FROM sessions WHERE user_id = $1', [admin.id]);
    console.log(`New password for ${admin.email}: ${password}  (shown once; change it under Settings)`);
    return 0;
  } finally {
    await db.close();
  }
}
