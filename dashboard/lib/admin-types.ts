/** Shapes of the hub's identity and operations routes used by the admin and settings pages. */

/** A person or service account as GET /users returns it. */
export interface UserView {
  id: string;
  email: string;
  role: string;
  clientId: string | null;
  disabled: boolean;
  createdAt: string;
}

/** A service account (GET /service-accounts). */
export interface ServiceAccount {
  id: string;
  name: string;
  email: string;
  role: 'service';
}

/** An API token (GET /tokens); the secret itself only comes back once, on creation. */
export interface ApiTokenView {
  id: string;
  userId: string;
  name: string;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A client's settings (GET /clients/:id/settings). */
export interface ClientSettings {
  ipAllowlist: string[];
  retentionConversationsDays: number | null;
  retentionLogsDays: number | null;
}

/** A secret's name and when it was last written; values never leave the hub. */
export interface SecretInfo {
  name: string;
  updatedAt: string;
}

export type { SupportRequest } from '@protocol/api';

/** Secret names the hub accepts (`SECRET_NAME` in hub/src/secrets/store.ts). */
export const SECRET_NAME_HINT = 'letters, digits, . _ -';

/** An allowlist typed one entry a line (commas and blanks also separate), empty entries dropped. */
export const parseAllowlist = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
