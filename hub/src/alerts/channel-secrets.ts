import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { SecretStore } from '../secrets/store.js';
import type { ChannelType } from './types.js';

/**
 * The config fields of a channel that are credentials: whoever has them can page the on-call
 * (routing key), forge signed webhooks (secret) or post into the workspace (a Slack webhook URL
 * is its own token). Email channels hold only an address: the SMTP login is the hub's mailer's.
 */
export const SECRET_FIELDS: Record<ChannelType, readonly string[]> = {
  pagerduty: ['routingKey'],
  webhook: ['secret'],
  slack: ['url'],
  email: [],
};

/** A sealed field as the row stores it: the master key id and the AES-256-GCM envelope. */
interface SealedField {
  sealed: string;
}

const isSealed = (v: unknown): v is SealedField =>
  typeof v === 'object' && v !== null && typeof (v as SealedField).sealed === 'string';

// Bound to the channel and field: a value copied onto another channel or field does not open.
const aad = (channelId: string, field: string) => `channel:${channelId}:${field}`;

/**
 * The config as the row stores it: credential fields sealed with the hub's master key. Every
 * channel uses the master key, the client channels too: their secrets are the operator's to
 * deliver with, and a client's own key being removed must not silently stop its alerts.
 */
export function sealConfig(
  secrets: SecretStore,
  channelId: string,
  type: ChannelType,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...config };
  for (const f of SECRET_FIELDS[type] ?? [])
    if (typeof out[f] === 'string') out[f] = { sealed: secrets.sealWithMaster(out[f] as string, aad(channelId, f)) };
  return out;
}

/** The clear config (in memory only); throws when a field cannot be opened. */
export function openConfig(
  secrets: SecretStore,
  channelId: string,
  type: ChannelType,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...config };
  for (const f of SECRET_FIELDS[type] ?? []) {
    const v = out[f];
    if (isSealed(v)) out[f] = secrets.openWithMaster(v.sealed, aad(channelId, f));
  }
  return out;
}

/**
 * Whether a stored config needs sealing again: a credential still in clear (rows written before
 * sealing) or sealed under a master key that is no longer the newest (after a rotation).
 */
export const needsSealing = (type: ChannelType, config: Record<string, unknown>, currentKeyId: string) =>
  (SECRET_FIELDS[type] ?? []).some((f) => {
    const v = config[f];
    return typeof v === 'string' || (isSealed(v) && !v.sealed.startsWith(`${currentKeyId}:`));
  });

/**
 * At start: seals credentials still in clear and re-seals those under an older master key with the
 * newest one (so the old key can leave the ring). Returns how many rows changed.
 */
export async function sealChannelRows(db: Db, secrets: SecretStore, log: Logger): Promise<number> {
  const rows = await db.query<{ id: string; type: ChannelType; config: Record<string, unknown> }>(
    'SELECT id, type, config FROM notification_channels',
  );
  const current = secrets.ring.keys[0].id;
  let n = 0;
  for (const r of rows) {
    if (!needsSealing(r.type, r.config ?? {}, current)) continue;
    let clear: Record<string, unknown>;
    try {
      clear = openConfig(secrets, r.id, r.type, r.config);
    } catch (e) {
      log.warn({ channel: r.id, err: (e as Error).message }, 'notification channel secrets cannot be opened');
      continue;
    }
    // Only a row still as read is rewritten, so two hubs starting together seal it once.
    const done = await db.query(
      'UPDATE notification_channels SET config = $2::jsonb WHERE id = $1 AND config = $3::jsonb RETURNING id',
      [r.id, JSON.stringify(sealConfig(secrets, r.id, r.type, clear)), JSON.stringify(r.config)],
    );
    n += done.length;
  }
  if (n) log.info({ channels: n }, 'notification channel secrets sealed with the current master key');
  return n;
}
