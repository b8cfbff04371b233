import { COMMAND_TYPES, mayIssue } from '@deepsignal/protocol';

/**
 * What a client API key may be given: never more than the client owner who makes it can do.
 * `read` (every GET the owner may make) and `command:<type>` for each command an owner may issue.
 */
export const CLIENT_KEY_SCOPES: readonly string[] = [
  'read',
  ...COMMAND_TYPES.filter((t) => mayIssue('client_owner', t)).map((t) => `command:${t}`),
];

export const isClientKeyScope = (s: string) => CLIENT_KEY_SCOPES.includes(s);
