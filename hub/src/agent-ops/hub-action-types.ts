/**
 * Actions the hub runs itself rather than a sidecar: a new server for a dead instance, a new
 * server type. They go through the same policy as commands (mode per type, high risk, blast
 * radius, in flight, breaker) and are followed to the end on the proposal.
 */
export const HUB_ACTION_TYPES = ['instance.replace', 'instance.resize'] as const;
export type HubActionType = (typeof HUB_ACTION_TYPES)[number];
export const isHubAction = (t: string): t is HubActionType => (HUB_ACTION_TYPES as readonly string[]).includes(t);
