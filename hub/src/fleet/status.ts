import type { InstanceStatus, OpenclawState } from '@deepsignal/protocol';

/** What the status of an instance is derived from. */
export interface StatusInputs {
  presence: 'online' | 'offline' | null;
  lastSeen: Date | null;
  paused: boolean;
  openclaw: OpenclawState | null;
}

/**
 * An instance's status. [SPEC 4.5, 8]
 * provisioning: never heard from; offline: will/clean offline or silent for longer than the
 * heartbeat timeout; paused: paused by an operator or the sidecar says the agent is paused;
 * error: OpenClaw is installed but down (not for a planned restart) or reports an error;
 * otherwise online. A machine without OpenClaw is online: its "absent" is a warning of its own.
 */
export function statusOf(i: StatusInputs, now: number, heartbeatMs: number): InstanceStatus {
  if (i.presence === null && i.lastSeen === null) return 'provisioning';
  if (i.presence !== 'online' || !i.lastSeen || now - i.lastSeen.getTime() > heartbeatMs) {
    return i.paused ? 'paused' : 'offline';
  }
  if (i.paused || i.openclaw?.paused) return 'paused';
  const oc = i.openclaw;
  if (oc?.present && ((!oc.up && !oc.restarting) || oc.error)) return 'error';
  return 'online';
}
