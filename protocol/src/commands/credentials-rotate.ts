import * as z from 'zod';
import { defineCommand, OPERATOR } from './define.js';

/**
 * Replace the instance's MQTT secret. The hub accepts both secrets until the sidecar reconnects
 * with the new one, so no data is lost. [SPEC 6.6]
 */
export const credentialsRotate = defineCommand({
  type: 'credentials.rotate',
  description: "Replace the instance's MQTT secret; the sidecar saves it and reconnects with it.",
  params: z.object({ secret: z.string().min(32).max(256) }).strict(),
  result: z.object({ rotated: z.literal(true) }),
  defaultTimeoutSec: 120,
  roles: OPERATOR,
  secretParams: ['secret'],
});
