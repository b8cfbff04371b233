import { type ChangeReport, ROLLED_BACK, type SnapshotInfo } from '@deepsignal/protocol';
import type { Emitter } from '../collectors/types.js';
import type { ResultBody } from '../commands/dispatcher.js';
import type { SidecarConfig } from '../config.js';
import { errorMessage } from '../errors.js';
import { launchedBundle } from '../launch.js';
import type { Logger } from '../log.js';
import { type BundleState, readBundleState, type UpdateReport, writeBundleState } from './bundle-state.js';
import { listSnapshots, markSnapshot } from './snapshot.js';

export interface TrialDeps {
  config: SidecarConfig;
  report: (body: ResultBody) => void;
  emit: Emitter;
  log: Logger;
  now: () => number;
  startedAt: number;
}

/**
 * Ends a `sidecar.update` once this sidecar is online at the hub and has published its status:
 * a bundle on trial (this very process) marks itself good and reports the command `succeeded`;
 * a sidecar that a failed trial fell back to reports it `failed` with `rolled_back` and the
 * reason, and raises `change.rolled_back`. The command's id is in the journal, so a redelivery of
 * it is refused as a replay rather than run again.
 */
export function settleUpdate(d: TrialDeps): void {
  let s: BundleState | null;
  try {
    s = readBundleState(d.config.stateDir);
    if (!s) return;
    const me = launchedBundle();
    if (s.status === 'trial' && me?.trial && me.version === s.version && s.commandId) {
      const done: UpdateReport = {
        commandId: s.commandId,
        outcome: 'succeeded',
        from: s.previous?.version ?? 'unknown',
        to: s.version,
        ...(s.snapshot ? { snapshot: s.snapshot } : {}),
      };
      s = { status: 'good', file: s.file, version: s.version, previous: s.previous, report: done };
      writeBundleState(d.config.stateDir, s);
    }
    const r = s.report;
    if (!r) return;
    deliver(d, r);
    const { report: _r, ...rest } = s;
    writeBundleState(d.config.stateDir, rest);
  } catch (e) {
    d.log('error', `sidecar.update: cannot settle the update: ${errorMessage(e)}`);
  }
}

function deliver(d: TrialDeps, r: UpdateReport): void {
  const ok = r.outcome === 'succeeded';
  const change = r.snapshot ? changeOf(d, r, r.snapshot) : undefined;
  if (r.snapshot) mark(d, r.snapshot.id, ok ? 'applied' : 'rolled_back');
  if (ok) {
    d.report({ commandId: r.commandId, state: 'succeeded', result: { from: r.from, to: r.to, change } });
    d.emit.event({
      type: 'change.applied',
      message: `sidecar.update ${r.from} -> ${r.to}: online on the new bundle`,
      data: { commandId: r.commandId, snapshotId: r.snapshot?.id ?? null, from: r.from, to: r.to },
    });
    d.log('info', `sidecar.update ${r.from} -> ${r.to} succeeded`);
    return;
  }
  const message = `sidecar.update ${r.from} -> ${r.to} rolled back to ${r.from}: ${r.reason ?? 'unknown'}`.slice(
    0,
    1000,
  );
  d.report({
    commandId: r.commandId,
    state: 'failed',
    result: { from: r.from, to: r.to, reason: r.reason, change },
    error: { code: ROLLED_BACK, message },
  });
  d.emit.event({
    type: 'change.rolled_back',
    severity: 'warn',
    message,
    data: { commandId: r.commandId, snapshotId: r.snapshot?.id ?? null, from: r.from, to: r.to, reason: r.reason },
  });
  d.log('warn', message);
}

/** The result's `change` part, so the hub records the snapshot and its outcome like any change. */
function changeOf(d: TrialDeps, r: UpdateReport, snapshot: SnapshotInfo): ChangeReport {
  const ok = r.outcome === 'succeeded';
  const check = {
    name: 'online',
    ok,
    ms: Math.max(0, d.now() - d.startedAt),
    detail: (ok ? `sidecar ${r.to} online at the hub` : (r.reason ?? 'did not come online')).slice(0, 500),
  };
  return ok
    ? { snapshot, outcome: 'applied', failedCheck: null, checks: [check] }
    : {
        snapshot,
        outcome: 'rolled_back',
        failedCheck: 'online',
        checks: [check],
        rollbackChecks: [{ name: 'online', ok: true, ms: check.ms, detail: `sidecar ${r.from} online again` }],
      };
}

function mark(d: TrialDeps, id: string, outcome: string): void {
  const s = listSnapshots(d).find((x) => x.id === id);
  if (s) markSnapshot(s, outcome);
}
