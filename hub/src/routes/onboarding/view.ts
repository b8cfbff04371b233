import { MODEL_PRICES, monthlyEstimate, type OpenclawState } from '@deepsignal/protocol';
import type { HubContext } from '../../context.js';
import { locationOfRow } from '../../deploy/region.js';
import type { OnboardingRow } from '../../onboarding/service.js';
import { SECRET, STEPS } from '../../onboarding/types.js';

/** Where one instance stands against the desired state. */
export type Drift = 'in_sync' | 'applying' | 'pending' | 'failed' | 'offline' | 'model_differs';

/**
 * The onboarding state as the API returns it: progress, desired state (no secrets: only which
 * ones are stored), each instance's applied/confirmed revision and drift, and the cost estimate.
 */
export async function onboardingView(ctx: HubContext, clientId: string, row: OnboardingRow) {
  const names = new Set((await ctx.secrets.list(clientId)).map((s) => s.name));
  const client = (await ctx.db.query('SELECT * FROM clients WHERE id = $1', [clientId]))[0] as
    | { name: string; status: string }
    | undefined;
  const inst = await ctx.db.query<{ id: string; hostname: string }>(
    'SELECT id, hostname FROM instances WHERE client_id = $1 ORDER BY created_at',
    [clientId],
  );
  const d = row.desired;
  const instances = inst.map((i) => {
    const snap = ctx.fleet.get(i.id);
    const a = row.applied[i.id] ?? null;
    const reportedModel = snap?.openclaw?.model ?? null;
    let drift: Drift;
    if (a?.confirmedRevision === row.revision)
      drift = d.model && reportedModel && reportedModel !== d.model ? 'model_differs' : 'in_sync';
    else if (a && ['queued', 'delivered', 'running'].includes(a.status)) drift = 'applying';
    else if (!snap || snap.status === 'offline' || snap.status === 'provisioning') drift = 'offline';
    else if (a && ['failed', 'timed_out', 'rejected'].includes(a.status) && a.revision === row.revision)
      drift = 'failed';
    else drift = 'pending';
    return {
      id: i.id,
      hostname: i.hostname,
      status: snap?.status ?? 'provisioning',
      openclawUp: snap?.openclaw?.up ?? null,
      reportedModel,
      applied: a,
      drift,
    };
  });
  const reportedChannels = channelsReported(inst.map((i) => ctx.fleet.get(i.id)?.openclaw?.channels));
  // The last WhatsApp pairing on any of the client's instances: connected, or why not.
  const pairing = inst.length
    ? (
        await ctx.db.query<{
          id: string;
          instance_id: string;
          status: string;
          result: unknown;
          error: unknown;
          updated_at: string;
        }>(
          `SELECT id, instance_id, status, result, error, updated_at FROM commands
            WHERE type = 'channel.login' AND instance_id IN (SELECT id FROM instances WHERE client_id = $1)
            ORDER BY issued_at DESC LIMIT 1`,
          [clientId],
        )
      )[0]
    : undefined;
  return {
    clientId,
    clientName: client?.name ?? '',
    clientStatus: client?.status ?? '',
    location: client ? locationOfRow(client as Record<string, unknown>) : null,
    steps: [...STEPS],
    completed: row.completed,
    desired: d,
    revision: row.revision,
    secrets: {
      anthropic: names.has(SECRET.provider('anthropic')),
      openrouter: names.has(SECRET.provider('openrouter')),
      telegram: names.has(SECRET.telegramBot),
      slack: names.has(SECRET.slackBot) && names.has(SECRET.slackApp),
    },
    instances,
    reportedChannels,
    whatsappPairing: pairing
      ? {
          commandId: pairing.id,
          instanceId: pairing.instance_id,
          status: pairing.status,
          message:
            (pairing.error as { message?: string } | null)?.message ??
            (pairing.result as { message?: string } | null)?.message ??
            null,
          at: new Date(pairing.updated_at).toISOString(),
        }
      : null,
    estimate: d.model ? monthlyEstimate(d.model, d.messagesPerDay ?? 100) : null,
    updatedAt: row.updatedAt,
    completedAt: row.completedAt,
  };
}

/** A channel as the client's agents report it (OpenClaw's channels status). */
export interface ReportedChannel {
  connected: boolean;
  error: string | null;
}

/**
 * What the client's instances' gateways say about each channel: connected when any instance has
 * it connected, otherwise the first reason one of them gives.
 */
export function channelsReported(lists: (OpenclawState['channels'] | undefined)[]): Record<string, ReportedChannel> {
  const out: Record<string, ReportedChannel> = {};
  for (const list of lists)
    for (const c of list ?? []) {
      const prev = out[c.id];
      // A gateway that does not say (no running flag, no error) tells nothing either way.
      if (prev?.connected || (c.connected === undefined && !c.error)) continue;
      out[c.id] = c.connected
        ? { connected: true, error: null }
        : { connected: false, error: prev?.error ?? c.error ?? null };
    }
  return out;
}

/** Every known model id (the price table is the picker's list). */
export const MODEL_IDS = MODEL_PRICES.map((m) => m.id) as [string, ...string[]];
