import { type CheckResult, call, isFailure, join } from './http.js';

const post = (baseUrl: string, method: string, token: string) =>
  call(join(baseUrl, `/api/${method}`), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });

const explain: Record<string, string> = {
  invalid_auth: 'Slack does not know this token',
  not_authed: 'no token was sent',
  account_inactive: 'the app or workspace was deactivated',
  token_revoked: 'the token was revoked: reinstall the app',
  not_allowed_token_type: 'wrong kind of token',
};

/**
 * Checks Slack tokens: the bot token (xoxb-) with auth.test, the app-level token (xapp-, Socket
 * Mode) with apps.connections.open, which only an app token with connections:write may call.
 */
export async function checkSlackTokens(baseUrl: string, botToken: string, appToken: string): Promise<CheckResult> {
  if (!botToken.startsWith('xoxb-'))
    return {
      ok: false,
      reason: 'bad_key',
      message: 'The bot token starts with xoxb- (OAuth & Permissions page)',
      detail: { field: 'botToken' },
    };
  if (!appToken.startsWith('xapp-'))
    return {
      ok: false,
      reason: 'bad_key',
      message: 'The app-level token starts with xapp- (Basic Information → App-Level Tokens)',
      detail: { field: 'appToken' },
    };
  const bot = await post(baseUrl, 'auth.test', botToken);
  if (isFailure(bot)) return bot;
  const b = bot.body as { ok?: boolean; error?: string; team?: string; user?: string; bot_id?: string };
  if (!b?.ok)
    return {
      ok: false,
      reason: b?.error ? 'bad_key' : 'provider_error',
      message: `Bot token: ${explain[b?.error ?? ''] ?? b?.error ?? `Slack answered ${bot.res.status}`}`,
      detail: { field: 'botToken' },
    };
  const app = await post(baseUrl, 'apps.connections.open', appToken);
  if (isFailure(app)) return app;
  const a = app.body as { ok?: boolean; error?: string };
  if (!a?.ok)
    return {
      ok: false,
      reason: a?.error ? 'bad_key' : 'provider_error',
      message: `App-level token: ${explain[a?.error ?? ''] ?? a?.error ?? `Slack answered ${app.res.status}`} (it needs the connections:write scope and Socket Mode on)`,
      detail: { field: 'appToken' },
    };
  return {
    ok: true,
    reason: 'ok',
    message: `Connected to ${b.team ?? 'the workspace'} as ${b.user ?? 'the bot'}`,
    detail: { team: b.team ?? null, user: b.user ?? null },
  };
}
