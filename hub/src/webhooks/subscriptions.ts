import type { Querier } from '../db/index.js';
import type { SecretStore } from '../secrets/store.js';

/** A subscription as the hub uses it: the secret opened (memory only). */
export interface Subscription {
  id: string;
  clientId: string;
  url: string;
  description: string | null;
  events: string[];
  secret: string;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: Date | null;
  consecutiveFailures: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What the API shows: never the secret (it is shown once, at creation). */
export interface SubscriptionView {
  id: string;
  clientId: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

// Bound to the subscription: a sealed secret copied onto another row does not open.
const aad = (id: string) => `webhook:${id}:secret`;

export const sealSecret = (secrets: SecretStore, id: string, secret: string) => secrets.sealWithMaster(secret, aad(id));

interface Row {
  id: string;
  client_id: string;
  url: string;
  description: string | null;
  events: string[];
  secret: string;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: string | Date | null;
  consecutive_failures: number;
  created_at: string | Date;
  updated_at: string | Date;
}

const date = (v: string | Date) => (v instanceof Date ? v : new Date(v));

function fromRow(secrets: SecretStore, r: Row): Subscription {
  return {
    id: r.id,
    clientId: r.client_id,
    url: r.url,
    description: r.description,
    events: r.events,
    secret: secrets.openWithMaster(r.secret, aad(r.id)),
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    failingSince: r.failing_since ? date(r.failing_since) : null,
    consecutiveFailures: Number(r.consecutive_failures),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export const toView = (s: Subscription): SubscriptionView => ({
  id: s.id,
  clientId: s.clientId,
  url: s.url,
  description: s.description,
  events: s.events,
  enabled: s.enabled,
  disabledReason: s.disabledReason,
  failingSince: s.failingSince?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

/** Every subscription; one whose secret does not open (master key gone) is skipped, not fatal. */
export async function loadSubscriptions(
  q: Querier,
  secrets: SecretStore,
  onError: (id: string, e: Error) => void,
): Promise<Subscription[]> {
  const rows = await q.query<Row>('SELECT * FROM webhook_subscriptions ORDER BY created_at, id');
  const out: Subscription[] = [];
  for (const r of rows) {
    try {
      out.push(fromRow(secrets, r));
    } catch (e) {
      onError(r.id, e as Error);
    }
  }
  return out;
}
