import { HubError } from '../hub-client.js';
import type { Catalogue, Instance, InstanceServer, NewProposal } from '../hub-types.js';
import { compareVersions } from '../security/versions.js';
import { nextServerType, priceText, serverDead, sustained } from './fleet-rules.js';
import { fromProposal, type PassDeps, report } from './pass-shared.js';
import type { ActionType, Finding } from './policy.js';

const base = (i: Instance) => ({ instanceId: i.id, hostname: i.hostname, clientId: i.clientId });
const errText = (e: unknown) => (e instanceof HubError ? e.message : `unexpected: ${(e as Error).message}`);
/** Raw samples for windows up to 6 h (the hub's minute rollups lag the last minutes), rollups beyond. */
const stepFor = (windowSec: number) =>
  windowSec <= 6 * 3600
    ? `${Math.min(59, Math.max(10, Math.ceil(windowSec / 150)))}s`
    : `${Math.max(60, Math.ceil(windowSec / 300))}s`;

/** What one pass of the fleet rules shares: the catalogue, open proposals, pinned versions. */
interface FleetContext {
  d: PassDeps;
  runId: string | null;
  now: number;
  /** `<instance>:<type>` of this agent's proposals still open (pending, approved, executing). */
  open: Set<string>;
  catalogue: () => Promise<Catalogue | null>;
  pinned: () => Promise<{ openclaw: string; sidecar: string } | null>;
}

/**
 * The rules beyond restarts, one instance at a time: failover of a dead server
 * (`instance.replace`), resizes for sustained pressure or idleness (`instance.resize`, with the
 * price difference), and updates to the pinned version (held by the hub for the client's
 * maintenance window). Each rule's error lands on its finding; the others still run.
 */
export async function runFleetRules(d: PassDeps, instances: Instance[], runId: string | null): Promise<Finding[]> {
  const now = (d.now ?? Date.now)();
  const open = new Set<string>();
  if (!d.policy.dryRun)
    for (const p of await d.hub
      .listProposals({ agent: 'orchestrator', status: 'pending,approved,executing', limit: 500 })
      .catch(() => []))
      for (const c of p.commands) open.add(`${c.instanceId}:${c.type}`);
  let cat: Promise<Catalogue | null> | null = null;
  let pin: Promise<{ openclaw: string; sidecar: string } | null> | null = null;
  const ctx: FleetContext = {
    d,
    runId,
    now,
    open,
    catalogue: () => {
      cat ??= d.hub.catalogue().catch(() => null);
      return cat;
    },
    pinned: () => {
      pin ??= d.hub
        .advisories()
        .then((a) => a.pinned)
        .catch(() => null);
      return pin;
    },
  };
  const out: Finding[] = [];
  for (const i of instances) {
    if (i.status !== 'offline' && i.status !== 'online' && i.status !== 'error') continue;
    let server: InstanceServer | null = null;
    try {
      server = await d.hub.instanceServer(i.id, { probe: i.status === 'offline' });
    } catch (e) {
      if (!(e instanceof HubError && e.status === 404)) throw e;
    }
    if (i.status === 'offline') out.push(...(await failover(ctx, i, server)));
    else {
      if (server?.state === 'running') out.push(...(await scaling(ctx, i, server)));
      out.push(...(await updates(ctx, i)));
    }
  }
  return out;
}

/** Posts the finding, then its proposal (unless one is open already or this is a dry run). */
async function act(
  x: FleetContext,
  f: Finding,
  type: ActionType,
  p: Omit<NewProposal, 'runId' | 'findingId'>,
): Promise<Finding> {
  const { d } = x;
  if (d.policy.dryRun) {
    f.action = { type, decision: 'would_issue', detail: p.title };
    return f;
  }
  await report(d, f, x.runId, x.now);
  if (p.commands.every((c) => x.open.has(`${c.instanceId}:${c.type}`))) {
    f.action = { type, decision: 'in_flight', detail: `a ${type} proposal for ${f.hostname} is still open` };
    return f;
  }
  try {
    const v = await d.hub.propose({
      ...(x.runId ? { runId: x.runId } : {}),
      ...(f.findingId ? { findingId: f.findingId } : {}),
      ...p,
    });
    for (const c of p.commands) x.open.add(`${c.instanceId}:${c.type}`);
    const o = v.outcomes[0];
    f.action = {
      type,
      decision: fromProposal(v.status),
      proposalId: v.id,
      ...(o?.commandId ? { commandId: o.commandId } : {}),
      detail: v.refusal
        ? `${v.refusal.code}: ${v.refusal.message}`
        : `proposal ${v.status}${o?.runAfter ? `; held for the maintenance window from ${o.runAfter}` : ''}`,
    };
  } catch (e) {
    f.action = {
      type,
      decision: e instanceof HubError && e.status >= 400 && e.status < 500 ? 'refused' : 'error',
      detail: errText(e),
    };
  }
  return f;
}

async function failover(x: FleetContext, i: Instance, server: InstanceServer | null): Promise<Finding[]> {
  const v = serverDead(i, server, x.now, x.d.policy);
  if (!v.dead || !server) return [];
  const f: Finding = {
    ...base(i),
    kind: 'server_dead',
    severity: 'critical',
    message: `server dead: ${v.why}`,
    evidence: {
      serverId: server.serverId,
      serverType: server.serverType,
      location: server.location,
      providerStatus: server.providerStatus ?? null,
      lastSeen: i.lastSeen,
      offlineSec: v.offlineSec,
    },
  };
  // One proposal per instance and outage: the outage is known by when the instance was last seen.
  const outage = i.lastSeen ? Date.parse(i.lastSeen) : 0;
  return [
    await act(x, f, 'instance.replace', {
      title: `Replace the dead server of ${i.hostname}`,
      commands: [{ instanceId: i.id, type: 'instance.replace', params: {} }],
      expectedEffect: `a new ${server.serverType} in ${server.location} from the latest backup; the client is switched to it and the dead server ${server.serverId} released`,
      risk: 'high',
      reasoning: v.why,
      idempotencyKey: `replace-${i.id}-${outage}`,
    }),
  ];
}

async function scaling(x: FleetContext, i: Instance, server: InstanceServer): Promise<Finding[]> {
  const { d, now } = x;
  const p = d.policy;
  const history = async (name: 'cpu' | 'memory', windowSec: number) =>
    (
      await d.hub.metrics(i.id, {
        name,
        from: new Date(now - windowSec * 1000).toISOString(),
        to: new Date(now).toISOString(),
        step: stepFor(windowSec),
      })
    ).points;
  const [cpu, mem] = await Promise.all([history('cpu', p.pressureWindowSec), history('memory', p.pressureWindowSec)]);
  const hot = (['memory', 'cpu'] as const).find(
    (m) => sustained(m === 'cpu' ? cpu : mem, { now, windowSec: p.pressureWindowSec, above: p.pressurePct }).yes,
  );
  const cat = hot || p.idleWindowSec ? await x.catalogue() : null;
  if (!cat) return [];
  const minutes = (s: number) => `${Math.round(s / 60)} min`;
  if (hot) {
    const t = nextServerType(cat, server.serverType, server.location, { dir: 'up', short: hot });
    const f: Finding = {
      ...base(i),
      kind: hot === 'cpu' ? 'cpu_pressure' : 'memory_pressure',
      severity: 'warning',
      message: `${hot} above ${p.pressurePct} % for ${minutes(p.pressureWindowSec)} on a ${server.serverType}${t ? '' : ' (no larger type of its family here)'}`,
      evidence: { serverType: server.serverType, location: server.location, windowSec: p.pressureWindowSec },
    };
    if (!t) {
      if (!d.policy.dryRun) await report(d, f, x.runId, now);
      return [f];
    }
    const day = Math.floor(now / 86_400_000);
    return [
      await act(x, f, 'instance.resize', {
        title: `Resize ${i.hostname}: ${t.from} → ${t.to}`,
        commands: [{ instanceId: i.id, type: 'instance.resize', params: { serverType: t.to } }],
        expectedEffect: `${hot} headroom on a ${t.to}; ${priceText(t)}; a few minutes of downtime in the maintenance window`,
        risk: 'high',
        reasoning: f.message,
        idempotencyKey: `resize-${i.id}-${t.to}-${day}`,
      }),
    ];
  }
  const [cpuIdle, memIdle] = await Promise.all([history('cpu', p.idleWindowSec), history('memory', p.idleWindowSec)]);
  const c = sustained(cpuIdle, { now, windowSec: p.idleWindowSec, below: p.idleCpuPct });
  const m = sustained(memIdle, { now, windowSec: p.idleWindowSec, below: p.idleMemoryPct });
  if (!c.yes || !m.yes) return [];
  const peakMem = Math.max(...memIdle.map(([, v]) => v));
  const t = nextServerType(cat, server.serverType, server.location, { dir: 'down', memoryUsedPct: peakMem });
  if (!t) return [];
  const f: Finding = {
    ...base(i),
    kind: 'idle_oversized',
    severity: 'info',
    message: `CPU under ${p.idleCpuPct} % and memory under ${p.idleMemoryPct} % for ${minutes(p.idleWindowSec)} on a ${server.serverType}`,
    evidence: {
      serverType: server.serverType,
      location: server.location,
      cpuMean: c.mean,
      memoryMean: m.mean,
      peakMem,
    },
  };
  const day = Math.floor(now / 86_400_000);
  return [
    await act(x, f, 'instance.resize', {
      title: `Downsize ${i.hostname}: ${t.from} → ${t.to}`,
      commands: [{ instanceId: i.id, type: 'instance.resize', params: { serverType: t.to } }],
      expectedEffect: `the same agent on a ${t.to}; ${priceText(t)}; a few minutes of downtime in the maintenance window`,
      risk: 'high',
      reasoning: f.message,
      idempotencyKey: `resize-${i.id}-${t.to}-${day}`,
    }),
  ];
}

/**
 * OpenClaw behind the pinned version gets an `openclaw.update`, which the hub holds for the
 * client's next maintenance window once approved; a sidecar behind is a finding only (its update
 * carries the hub's bundle, which an agent's proposal cannot name).
 */
async function updates(x: FleetContext, i: Instance): Promise<Finding[]> {
  const pinned = await x.pinned();
  if (!pinned) return [];
  const det = await x.d.hub.getInstance(i.id);
  const out: Finding[] = [];
  if (det.openclawVersion && (compareVersions(det.openclawVersion, pinned.openclaw) ?? 0) < 0) {
    const f: Finding = {
      ...base(i),
      kind: 'openclaw_behind',
      severity: 'info',
      message: `OpenClaw ${det.openclawVersion} is behind the pinned ${pinned.openclaw}`,
      evidence: { current: det.openclawVersion, pinned: pinned.openclaw },
    };
    out.push(
      await act(x, f, 'openclaw.update', {
        title: `Update OpenClaw on ${i.hostname} to ${pinned.openclaw}`,
        commands: [{ instanceId: i.id, type: 'openclaw.update', params: { version: pinned.openclaw } }],
        expectedEffect: `OpenClaw ${pinned.openclaw} on ${i.hostname}, applied in the client's maintenance window`,
        risk: 'medium',
        reasoning: f.message,
        idempotencyKey: `update-${i.id}-openclaw-${pinned.openclaw}`,
      }),
    );
  }
  if (det.sidecarVersion && (compareVersions(det.sidecarVersion, pinned.sidecar) ?? 0) < 0) {
    const f: Finding = {
      ...base(i),
      kind: 'sidecar_behind',
      severity: 'info',
      message: `sidecar ${det.sidecarVersion} is behind the hub's ${pinned.sidecar}`,
      evidence: { current: det.sidecarVersion, pinned: pinned.sidecar },
    };
    if (!x.d.policy.dryRun) await report(x.d, f, x.runId, x.now);
    out.push(f);
  }
  return out;
}
