import * as z from 'zod';
import type { Role } from '../roles.js';
import { defineCommand } from './define.js';

/** Channels that pair by scanning a QR code with a phone (OpenClaw's web login). */
export const QR_LOGIN_CHANNELS = ['whatsapp'] as const;
export type QrLoginChannel = (typeof QR_LOGIN_CHANNELS)[number];

/** Pairing links a phone to the client's agent: the client's owner or the operator, no one else. */
const OWNER_OR_ADMIN: readonly Role[] = ['admin', 'client_owner', 'partner_admin'];

/**
 * Pair a QR-login channel (WhatsApp) through the gateway's `web.login.start` / `web.login.wait`.
 * Every new QR code goes out as `running` progress with `progress.image` (a PNG data URL) and
 * `progress.message` (OpenClaw's instruction); the command succeeds once the phone has scanned it,
 * or fails with the reason (no WhatsApp login on the server, WhatsApp unreachable, not scanned in
 * time). [SPEC 6.2, 6.4]
 */
export const channelLogin = defineCommand({
  type: 'channel.login',
  description:
    'Pair a QR-login channel (WhatsApp): each QR code from OpenClaw is reported as progress until the phone scans it.',
  params: z
    .object({
      channel: z.enum(QR_LOGIN_CHANNELS),
      /** Start a new login even when the channel is already linked (re-pair another phone). */
      force: z.boolean().default(false),
      /** How long to wait for the scan, in seconds (OpenClaw rotates the QR code meanwhile). */
      waitSec: z.number().int().min(20).max(600).default(180),
    })
    .strict(),
  result: z.object({
    channel: z.enum(QR_LOGIN_CHANNELS),
    connected: z.literal(true),
    message: z.string().max(2048),
  }),
  defaultTimeoutSec: 240,
  roles: OWNER_OR_ADMIN,
  progress: true,
});
