import * as z from 'zod';
import type { Role } from '../roles.js';

/**
 * The declaration of one command type: adding a command means one file with one of these and
 * one line in `catalog.ts`, plus its handler in the sidecar. [SPEC 6.1]
 */
export interface CommandDef<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  type: string;
  description: string;
  params: P;
  result: R;
  /** Seconds from issue to expiry when the caller gives none. */
  defaultTimeoutSec: number;
  /** Roles that may issue it (service accounts further limited by token scope). */
  roles: readonly Role[];
  /** Whether it reports progress while running. */
  progress?: boolean;
  /** Param names whose values are secrets: redacted in audit logs and API listings. */
  secretParams?: readonly string[];
}

export function defineCommand<P extends z.ZodType, R extends z.ZodType>(def: CommandDef<P, R>): CommandDef<P, R> {
  return def;
}

/** An empty params object; unknown keys are refused so typos do not pass silently. */
export const noParams = z.object({}).strict();

export const OPERATOR: readonly Role[] = ['admin', 'service'];
// A partner's admin issues what support and client owners may for its own clients; the
// infrastructure-level commands (OPERATOR: backups, consoles, credential rotation) stay Deep Signal's.
export const OPERATOR_AND_SUPPORT: readonly Role[] = ['admin', 'support', 'service', 'partner_admin'];
export const OWNER_TOO: readonly Role[] = ['admin', 'support', 'service', 'client_owner', 'partner_admin'];
