import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { TOPIC_PREFIX } from '@deepsignal/protocol';

/**
 * Mosquitto configuration for the external-broker mode. [SPEC 2.6]
 * The hub never keeps a secret: beside its own scrypt hash it stores the secret's hash in
 * Mosquitto's password-file format, computed when the secret is created or staged, so the
 * password file can be exported at any time (`export-mosquitto`). The ACL is static, by
 * pattern on the username (= instance id).
 */

/**
 * PBKDF2 rounds. Mosquitto's own default is 101; instance secrets are 128+ random bits, so the
 * hash's strength comes from the secret, and the broker pays this on every sidecar login.
 */
const ITERATIONS = 1000;

/** A Mosquitto 2.x password hash: `$7$<iterations>$<salt b64>$<PBKDF2-SHA512 b64>`. */
export function mosquittoHash(secret: string, iterations = ITERATIONS): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(secret, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** One `mosquitto_passwd` line for a user. */
export function mosquittoPasswordLine(username: string, secret: string, iterations = ITERATIONS): string {
  return `${username}:${mosquittoHash(secret, iterations)}`;
}

/** Topics a sidecar publishes (sidecar -> hub) and reads (hub -> sidecar). [SPEC 2.5] */
export const SIDECAR_WRITES = [
  'status',
  'hello',
  'metrics',
  'logs',
  'conversations',
  'events',
  'cmd-result',
  'console/+/out',
  'transfer/+/out',
] as const;
export const SIDECAR_READS = ['cmd', 'ack', 'console/+/in', 'transfer/+/in'] as const;

/**
 * The ACL file: each instance its own topics (username = instance id), the hub everything under
 * the prefix (including `$share/<group>/…` subscriptions, which Mosquitto checks against the
 * topic filter without the share prefix). Anything not granted is refused.
 */
export function mosquittoAcl(hubUsername: string): string {
  const p = `${TOPIC_PREFIX}/%u`;
  return [
    '# Deep Signal: sidecars publish only their own sidecar->hub topics and read only their own inbound ones.',
    ...SIDECAR_WRITES.map((k) => `pattern write ${p}/${k}`),
    ...SIDECAR_READS.map((k) => `pattern read ${p}/${k}`),
    '',
    `user ${hubUsername}`,
    `topic readwrite ${TOPIC_PREFIX}/#`,
    '',
  ].join('\n');
}
