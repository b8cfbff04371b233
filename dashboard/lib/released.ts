/**
 * Instances released from this tab. Releasing deletes the instance while its page is still open
 * (it navigates away once the hub answers), and the commands and events the release itself causes
 * would make that page ask the hub about an instance that no longer exists: live events about a
 * released instance are not handed to the page any more.
 */
const released = new Set<string>();

export function markReleased(instanceId: string, yes = true): void {
  if (yes) released.add(instanceId);
  else released.delete(instanceId);
}

export function isReleased(instanceId: unknown): boolean {
  return typeof instanceId === 'string' && released.has(instanceId);
}
