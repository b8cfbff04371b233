import { errorMessage, SIDECAR_ERR } from '../errors.js';
import { requireGateway } from './gateway.js';
import { type CommandContext, CommandFailure, type CommandHandler } from './types.js';

/** What OpenClaw's `web.login.start` / `web.login.wait` answer (the channel plugin's QR login). */
interface WebLoginAnswer {
  connected?: boolean;
  message?: string;
  qrDataUrl?: string;
}

/** Why a QR login did not end connected (codes in command results, searchable in logs). */
export const CHANNEL_LOGIN_ERR = {
  /** The gateway has no QR login for the channel: plugin not installed or channel not configured. */
  UNAVAILABLE: 'CHANNEL_LOGIN_UNAVAILABLE',
  /** This server cannot reach the channel's own servers (no DNS, no route, refused, no QR in time). */
  UNREACHABLE: 'CHANNEL_LOGIN_UNREACHABLE',
  /** The channel refused or ended the login, or the QR code expired. */
  FAILED: 'CHANNEL_LOGIN_FAILED',
  /** No scan before the wait ran out. */
  TIMEOUT: 'CHANNEL_LOGIN_TIMEOUT',
} as const;

const LABEL: Record<string, string> = { whatsapp: 'WhatsApp' };
/** How long one `web.login.wait` may block on the gateway; new QR codes come back sooner. */
const WAIT_SLICE_MS = 20_000;
/** Time `web.login.start` may take to get the first QR from the channel's servers. */
const START_MS = 45_000;
const QR = /^data:image\/png;base64,[A-Za-z0-9+/=]+$/;
const MAX_IMAGE = 24 * 1024;

/** The gateway's answer in words a person can act on, keeping OpenClaw's own text. */
function unavailable(label: string, gatewayMessage: string): CommandFailure {
  const hint = /Install the official external plugin with: ([^,]+)/.exec(gatewayMessage)?.[1];
  const why = hint
    ? `OpenClaw on this server has no ${label} login: its ${label} plugin is not installed (${hint.trim()})`
    : `OpenClaw on this server has no ${label} login: ${label} is not turned on in its config, or its plugin is not installed`;
  return new CommandFailure(CHANNEL_LOGIN_ERR.UNAVAILABLE, `${why}. OpenClaw said: ${gatewayMessage}`);
}

function rpcFailure(label: string, e: unknown): CommandFailure {
  const msg = errorMessage(e);
  if (/web login provider is not available|web login is not supported/i.test(msg)) return unavailable(label, msg);
  const code = (e as { code?: unknown })?.code;
  // The client's own codes: the connection dropped or the call timed out, no answer from OpenClaw.
  if (code === 'GATEWAY_DOWN' || code === 'TIMEOUT' || typeof code !== 'string')
    return new CommandFailure(
      SIDECAR_ERR.OPENCLAW_RPC,
      `the OpenClaw gateway did not answer the ${label} login: ${msg}`,
    );
  return new CommandFailure(CHANNEL_LOGIN_ERR.FAILED, `${label} login failed on the server: ${code}: ${msg}`);
}

/** A `connected: false` answer without a new QR that says the login is over (not "still waiting"). */
const ended = (m: string) =>
  /fail|error|expired|ended|unreachable|closed|logged out|no active .*login|replaced/i.test(m) &&
  !/still waiting/i.test(m);

/** Network failures as OpenClaw words them, e.g. `WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)`. */
const NETWORK =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|WebSocket Error|Timed out waiting for .* QR/i;

/** A login that ended without a QR code or a connection, classified. */
function loginFailure(label: string, message: string): CommandFailure {
  if (NETWORK.test(message))
    return new CommandFailure(
      CHANNEL_LOGIN_ERR.UNREACHABLE,
      `this server cannot reach ${label}'s servers, so there is no QR code to scan. OpenClaw said: ${message}`,
    );
  return new CommandFailure(CHANNEL_LOGIN_ERR.FAILED, `${label} login failed. OpenClaw said: ${message}`);
}

/**
 * `channel.login`: OpenClaw's web QR login (WhatsApp). `web.login.start` returns the first QR
 * code; `web.login.wait` (with the QR we hold) returns when the phone scanned it, when OpenClaw
 * rotated the code, or after its own timeout. Each new code is reported as progress (`image`, a
 * PNG data URL, plus OpenClaw's message); the result says connected, the failure says why not.
 */
export const channelLogin: CommandHandler = async (ctx) => {
  const { channel, force, waitSec } = ctx.params as { channel: string; force: boolean; waitSec: number };
  const label = LABEL[channel] ?? channel;
  const gw = await requireGateway(ctx);
  // Stop early enough to report our own precise reason rather than the dispatcher's timeout.
  const end = Math.min(ctx.now() + waitSec * 1000, ctx.deadline - 2000);
  const left = () => end - ctx.now();
  const call = async (method: string, params: Record<string, unknown>, ms: number): Promise<WebLoginAnswer> => {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    try {
      return (await abortable(ctx, gw.request<WebLoginAnswer>(method, params, ms + 10_000))) ?? {};
    } catch (e) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw rpcFailure(label, e);
    }
  };
  const done = (message: string) => ({ channel, connected: true as const, message });

  const startMs = Math.max(1000, Math.min(START_MS, left()));
  const first = await call('web.login.start', { channel, force, timeoutMs: startMs }, startMs);
  if (first.connected) return done(first.message || `${label} is linked`);
  let qr = validQr(first.qrDataUrl);
  if (!qr) {
    // Linked already and force not set: nothing to scan, the channel is connected.
    if (first.message && /already linked/i.test(first.message)) return done(first.message);
    throw loginFailure(label, first.message || 'no QR code and no reason');
  }
  let message = first.message || `Scan this QR code in ${label}: Settings, Linked devices, Link a device`;
  ctx.progress({ message, image: qr });

  while (left() > 1000) {
    const slice = Math.min(WAIT_SLICE_MS, left());
    const w = await call('web.login.wait', { channel, timeoutMs: slice, currentQrDataUrl: qr }, slice);
    if (w.connected) return done(w.message || `${label} is linked`);
    const next = validQr(w.qrDataUrl);
    if (next && next !== qr) {
      qr = next;
      message = w.message || message;
      ctx.progress({ message, image: qr });
      continue;
    }
    if (w.message && ended(w.message)) throw loginFailure(label, w.message);
  }
  throw new CommandFailure(
    CHANNEL_LOGIN_ERR.TIMEOUT,
    `the QR code was not scanned within ${Math.round(waitSec)} s; start the pairing again to get a new code`,
  );
};

function validQr(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= MAX_IMAGE && QR.test(v) ? v : undefined;
}

/** The gateway call, or the command's abort (deadline, sidecar stopping), whichever comes first. */
function abortable<T>(ctx: CommandContext, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(ctx.signal.reason ?? new Error('aborted'));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => ctx.signal.removeEventListener('abort', onAbort));
  });
}
