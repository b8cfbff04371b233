import { type CheckResult, call, isFailure, join } from './http.js';

/** A bot token as BotFather prints it: `<bot id>:<35 characters>`. */
export const TELEGRAM_TOKEN = /^\d{5,12}:[A-Za-z0-9_-]{30,50}$/;

/** Checks a bot token with the Bot API's getMe; returns the bot's username on success. */
export async function checkTelegramToken(baseUrl: string, token: string): Promise<CheckResult> {
  if (!TELEGRAM_TOKEN.test(token))
    return {
      ok: false,
      reason: 'bad_key',
      message: 'This does not look like a bot token (123456789:ABC…): copy it from @BotFather',
    };
  const r = await call(join(baseUrl, `/bot${token}/getMe`), { method: 'GET' });
  if (isFailure(r)) return r;
  const b = r.body as {
    ok?: boolean;
    description?: string;
    result?: { id?: number; username?: string; first_name?: string };
  };
  if (r.res.status === 401 || r.res.status === 404)
    return {
      ok: false,
      reason: 'bad_key',
      message: `Telegram refused the token (${b?.description ?? r.res.status}): ask @BotFather for the current one`,
    };
  if (!r.res.ok || !b?.ok)
    return {
      ok: false,
      reason: 'provider_error',
      message: `Telegram answered ${r.res.status}: ${b?.description ?? ''}`.trim(),
    };
  return {
    ok: true,
    reason: 'ok',
    message: `Connected to @${b.result?.username ?? 'bot'}`,
    detail: { username: b.result?.username ?? null, name: b.result?.first_name ?? null, id: b.result?.id ?? null },
  };
}
