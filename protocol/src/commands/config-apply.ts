import * as z from 'zod';
import { LIMITS } from '../limits.js';
import { changeReport, guardParams } from './change.js';
import { defineCommand, OPERATOR } from './define.js';
import { modelRef } from './model-set.js';

const channelToken = z.string().min(1).max(512);
/** An OpenClaw agent id for an experiment's variant (never `main`, the agent that serves by default). */
const variantAgentId = z
  .string()
  .regex(/^[a-z0-9-]{1,32}$/)
  .refine((s) => s !== 'main', 'the variant agent cannot be `main`');

/**
 * OpenClaw's own throughput settings, as `config.apply` sets them (`null` removes the key, back to
 * OpenClaw's default). They are what the hub's "throttle" hard limit changes:
 * - `maxConcurrent` -> `agents.defaults.maxConcurrent`: agent runs in parallel across sessions
 *   (the gateway's `main` lane; default max(8, CPUs × 4)). 1 serializes every conversation.
 * - `subagentsMaxConcurrent` -> `agents.defaults.subagents.maxConcurrent` (default 8).
 * - `queueMode` -> `messages.queue.mode`: `collect` coalesces messages that arrive during a run
 *   into one follow-up turn instead of steering or running each.
 * - `queueCap` -> `messages.queue.cap`: messages held per session before the oldest are summarized.
 * - `inboundDebounceMs` -> `messages.inbound.debounceMs`: a burst of messages within the window
 *   becomes one turn.
 */
export const openclawLimits = z
  .object({
    maxConcurrent: z.number().int().min(1).max(1024).nullable().optional(),
    subagentsMaxConcurrent: z.number().int().min(1).max(1024).nullable().optional(),
    queueMode: z.enum(['steer', 'followup', 'collect', 'interrupt']).nullable().optional(),
    queueCap: z.number().int().min(1).max(1000).nullable().optional(),
    inboundDebounceMs: z.number().int().min(0).max(600_000).nullable().optional(),
  })
  .strict();
export type OpenclawLimits = z.infer<typeof openclawLimits>;

/**
 * The desired state of an agent: model, channels, identity and persona files. Every part is
 * optional; what is given is applied with `config.patch` on the current hash, persona files are
 * written to the workspace. [SPEC 6.2]
 */
export const configApply = defineCommand({
  type: 'config.apply',
  description:
    'Apply desired configuration: model, channels, identity, concurrency and queue limits, persona files (SOUL.md, AGENTS.md, IDENTITY.md).',
  params: z
    .object({
      model: modelRef.optional(),
      providerKeys: z
        .object({ anthropic: z.string().max(512).optional(), openrouter: z.string().max(512).optional() })
        .strict()
        .optional(),
      channels: z
        .object({
          telegram: z.object({ enabled: z.boolean(), botToken: channelToken.optional() }).strict().optional(),
          slack: z
            .object({ enabled: z.boolean(), botToken: channelToken.optional(), appToken: channelToken.optional() })
            .strict()
            .optional(),
          whatsapp: z.object({ enabled: z.boolean() }).strict().optional(),
        })
        .strict()
        .optional(),
      identity: z
        .object({
          name: z.string().min(1).max(80),
          theme: z.string().max(200).optional(),
          emoji: z.string().max(16).optional(),
          avatar: z.string().max(2048).optional(),
        })
        .strict()
        .optional(),
      files: z
        .object({
          'SOUL.md': z.string().max(LIMITS.maxConversationText).optional(),
          'AGENTS.md': z.string().max(LIMITS.maxConversationText).optional(),
          'IDENTITY.md': z.string().max(LIMITS.maxConversationText).optional(),
          'USER.md': z.string().max(LIMITS.maxConversationText).optional(),
        })
        .strict()
        .optional(),
      /** OpenClaw's concurrency and queue settings; the result reports what they were before. */
      limits: openclawLimits.optional(),
      /**
       * A second persona served beside the main agent for an A/B experiment [SPEC 6.2]: agent
       * `agentId` with its own workspace holding these files, and a peer binding to it for each
       * listed peer; every other conversation stays on `main`. `remove: true` drops the variant
       * agent and every binding (the experiment ended).
       */
      variant: z
        .object({
          agentId: variantAgentId,
          files: z
            .object({
              'SOUL.md': z.string().max(LIMITS.maxConversationText).optional(),
              'AGENTS.md': z.string().max(LIMITS.maxConversationText).optional(),
              'IDENTITY.md': z.string().max(LIMITS.maxConversationText).optional(),
            })
            .strict(),
          channels: z.array(z.string().regex(/^[a-z0-9_-]{1,32}$/)).max(16),
          peers: z
            .array(
              z
                .object({
                  channel: z.string().regex(/^[a-z0-9_-]{1,32}$/),
                  kind: z.enum(['direct', 'group', 'channel']),
                  id: z.string().min(1).max(128),
                })
                .strict(),
            )
            .max(5000),
          remove: z.literal(true).optional(),
        })
        .strict()
        .optional(),
      /** Opaque revision of the desired state, echoed back so the hub can tell drift. */
      revision: z.number().int().nonnegative().optional(),
      ...guardParams,
    })
    .strict(),
  result: z.object({
    applied: z.array(z.string()),
    hash: z.string().nullable(),
    /** With `limits`: the values those keys had before (null: unset), to put back later. */
    previousLimits: openclawLimits.optional(),
    revision: z.number().int().nonnegative().optional(),
    change: changeReport.optional(),
  }),
  // Room for a drain, the health check and a rollback with its own check.
  defaultTimeoutSec: 600,
  roles: OPERATOR,
  secretParams: ['providerKeys', 'channels'],
});
