import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TOPIC_PREFIX } from '@deepsignal/protocol';
import type { Db } from '../db/index.js';
import { mosquittoAcl, mosquittoHash } from './mosquitto.js';

/** What `exportMosquitto` wrote and what it had to leave out. */
export interface MosquittoExport {
  passwordFile: string;
  aclFile: string;
  confFile: string;
  exported: number;
  /** Instances whose secret predates the Mosquitto hash: rotate their credentials, then export again. */
  missing: string[];
  /** Instances with a staged secret not yet used: the current one is exported. */
  staged: string[];
}

/**
 * Writes Mosquitto's `password_file` (one `$7$` line per instance plus the hub's own user), its
 * `acl_file` and a config snippet into `outDir`, all mode 0600. Paused or deleted instances are
 * left out only when deleted (a paused agent still reports). [SPEC 2.6]
 */
export async function exportMosquitto(
  db: Pick<Db, 'query'>,
  o: { outDir: string; hubUsername: string; hubPassword: string; port?: number },
): Promise<MosquittoExport> {
  if (!/^[A-Za-z0-9_.-]+$/.test(o.hubUsername)) throw new Error('hub username: letters, digits, _ . - only');
  const rows = await db.query<{
    instance_id: string;
    mosquitto_hash: string | null;
    next_mosquitto_hash: string | null;
  }>('SELECT instance_id, mosquitto_hash, next_mosquitto_hash FROM instance_credentials ORDER BY instance_id');
  const lines: string[] = [];
  const missing: string[] = [];
  const staged: string[] = [];
  for (const r of rows) {
    // Instance ids are the protocol's topic-safe ids; anything else could break the file format.
    if (!/^[A-Za-z0-9_-]+$/.test(r.instance_id) || !r.mosquitto_hash) {
      missing.push(r.instance_id);
      continue;
    }
    if (r.next_mosquitto_hash) staged.push(r.instance_id);
    lines.push(`${r.instance_id}:${r.mosquitto_hash}`);
  }
  lines.push(`${o.hubUsername}:${mosquittoHash(o.hubPassword)}`);
  const dir = resolve(o.outDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  const confFile = join(dir, 'deepsignal.conf');
  const write = (path: string, text: string) => {
    writeFileSync(path, text, { mode: 0o600 });
    chmodSync(path, 0o600);
  };
  write(passwordFile, `${lines.join('\n')}\n`);
  write(aclFile, mosquittoAcl(o.hubUsername));
  write(
    confFile,
    [
      '# Deep Signal: include from mosquitto.conf (or use as the whole file). MQTT 5 is needed for the',
      `# hubs' shared subscriptions ($share/<group>/${TOPIC_PREFIX}/+/<kind>); sidecars speak 3.1.1.`,
      'per_listener_settings false',
      'allow_anonymous false',
      `listener ${o.port ?? 1883}`,
      `password_file ${passwordFile}`,
      `acl_file ${aclFile}`,
      '',
    ].join('\n'),
  );
  return { passwordFile, aclFile, confFile, exported: lines.length - 1, missing, staged };
}
