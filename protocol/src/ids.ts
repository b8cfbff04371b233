import * as z from 'zod';
import { LIMITS } from './limits.js';

/**
 * Identifiers that appear in topics: instance ids, session ids, transfer ids. [SPEC 2.2]
 * Letters, digits, `.`, `_` and `-` only, so they can never contain the MQTT wildcards `+`/`#`,
 * the level separator `/`, or be empty.
 */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && id.length <= LIMITS.maxIdLength && ID_PATTERN.test(id) && id !== '.' && id !== '..';
}

export const idSchema = z
  .string()
  .max(LIMITS.maxIdLength)
  .regex(ID_PATTERN, 'must be 1-64 of A-Z a-z 0-9 . _ -')
  .refine((s) => s !== '.' && s !== '..', 'must not be . or ..');
