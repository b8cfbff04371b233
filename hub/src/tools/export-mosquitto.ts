import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportMosquitto } from '../broker/mosquitto-export.js';
import { type ConfigError, parseConfig, rawSettings } from '../config.js';
import { openDatabase } from '../db/index.js';

const HELP = `Usage: npm start -- export-mosquitto --out <dir> [options]
       tsx hub/src/tools/export-mosquitto.ts --out <dir> [options]

Writes Mosquitto's password file (passwd), ACL file (acl) and a config snippet (deepsignal.conf)
for running the hub against an external Mosquitto (DS_MQTT_URL). Files are mode 0600.
Only hashes are exported: the hub never stores instance secrets.

  --out <dir>                 where to write (required)
  --hub-username <name>       the hubs' MQTT user (deepsignal-hub)
  --hub-password-file <file>  its password; otherwise DS_MQTT_HUB_PASSWORD, otherwise one is
                              generated into <dir>/hub-password (0600), reused on the next export
  --port <n>                  listener port written into deepsignal.conf (1883)
  --database-url, --data-dir, --db-schema   which database (as for the hub; env DATABASE_URL,
                              DS_DATA_DIR, DS_DB_SCHEMA). With the embedded database, stop the
                              hub first (PGlite allows one process).
Re-run after creating instances or rotating credentials, then reload Mosquitto (SIGHUP).`;

/** Runs the export with these arguments; returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function runExportMosquitto(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = console.log,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(HELP);
    return 0;
  }
  const own: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (['--out', '--hub-username', '--hub-password-file', '--port'].includes(flag)) {
      const v = inline ?? argv[++i];
      if (v === undefined) return usage(`${flag} needs a value`, out);
      own[flag] = v;
    } else if (['--database-url', '--data-dir', '--db-schema'].includes(flag)) {
      rest.push(argv[i]);
      if (inline === undefined) rest.push(argv[++i] ?? '');
    } else return usage(`unknown option ${flag}`, out);
  }
  if (!own['--out']) return usage('--out is required', out);
  const port = own['--port'] ? Number(own['--port']) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) return usage('--port: 1-65535', out);
  let config: ReturnType<typeof parseConfig>;
  try {
    const raw = rawSettings(
      { DATABASE_URL: env.DATABASE_URL, DS_DATA_DIR: env.DS_DATA_DIR, DS_DB_SCHEMA: env.DS_DB_SCHEMA },
      rest,
    );
    config = parseConfig({ ...raw, logLevel: 'silent' });
  } catch (e) {
    return usage((e as ConfigError).message, out);
  }
  const dir = own['--out'];
  let hubPassword = env.DS_MQTT_HUB_PASSWORD;
  const generated = join(dir, 'hub-password');
  if (own['--hub-password-file']) hubPassword = readFileSync(own['--hub-password-file'], 'utf8').trim();
  else if (!hubPassword && existsSync(generated)) hubPassword = readFileSync(generated, 'utf8').trim();
  const hubUsername = own['--hub-username'] ?? 'deepsignal-hub';
  const db = await openDatabase(config);
  try {
    const fresh = !hubPassword;
    hubPassword ||= randomBytes(24).toString('base64url');
    const r = await exportMosquitto(db, { outDir: dir, hubUsername, hubPassword, port });
    if (fresh) writeFileSync(generated, `${hubPassword}\n`, { mode: 0o600 });
    out(`wrote ${r.passwordFile} (${r.exported} instances + ${hubUsername}), ${r.aclFile}, ${r.confFile}`);
    if (fresh)
      out(
        `hub password generated in ${generated}; run the hubs with DS_MQTT_URL=mqtt://${hubUsername}:<password>@<broker>:${port ?? 1883}`,
      );
    if (r.missing.length)
      out(`not exported (secret made before Mosquitto hashes were kept; rotate credentials): ${r.missing.join(', ')}`);
    if (r.staged.length) out(`staged secret not yet in use (current one exported): ${r.staged.join(', ')}`);
    return 0;
  } finally {
    await db.close();
  }
}

function usage(msg: string, out: (line: string) => void): number {
  out(`error: ${msg} (see --help)`);
  return 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runExportMosquitto(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`error: ${(e as Error).message ?? e}`);
      process.exit(1);
    },
  );
}
