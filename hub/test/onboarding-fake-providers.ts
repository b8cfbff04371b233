/**
 * Local stand-ins for the providers onboarding checks against, speaking their real wire formats:
 * Anthropic Messages API, OpenRouter key info, Telegram Bot API getMe, Slack Web API. Used by the
 * hub's and the dashboard's onboarding tests (nothing reaches the internet).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** Keys and tokens the fakes accept (anything else is refused the way the provider refuses it). */
export const GOOD = {
  anthropic: 'sk-ant-api03-good-key-0123456789',
  anthropicNoCredit: 'sk-ant-api03-no-credit-0123456789',
  openrouter: 'sk-or-v1-good-key-0123456789',
  openrouterSpent: 'sk-or-v1-spent-key-0123456789',
  telegram: '123456789:AAHgoodTokenForTheFakeBotApi_0123456',
  slackBot: 'xoxb-1-good-bot-token',
  slackApp: 'xapp-1-good-app-token',
} as const;

/** A running fake with the base URL each provider setting takes, and the requests it saw. */
export interface FakeProviders {
  url: string;
  seen: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  /** From now on, refuse this key or token the way its provider refuses a revoked one. */
  revoke(secret: string): void;
  close(): Promise<void>;
}

const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export async function startFakeProviders(): Promise<FakeProviders> {
  const seen: FakeProviders['seen'] = [];
  const revoked = new Set<string>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      seen.push({ method: req.method ?? '', path, headers: req.headers, body });
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (req.method === 'POST' && path === '/v1/messages') {
        if (!req.headers['anthropic-version'])
          return json(res, 400, {
            type: 'error',
            error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
          });
        const sent = req.headers['x-api-key'];
        const key = typeof sent === 'string' && revoked.has(sent) ? 'revoked' : sent;
        if (key === GOOD.anthropicNoCredit)
          return json(res, 400, {
            type: 'error',
            error: {
              type: 'invalid_request_error',
              message:
                'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
            },
          });
        if (key !== GOOD.anthropic)
          return json(res, 401, {
            type: 'error',
            error: { type: 'authentication_error', message: 'invalid x-api-key' },
          });
        const m = JSON.parse(body || '{}') as { model?: string };
        return json(res, 200, {
          id: 'msg_fake01',
          type: 'message',
          role: 'assistant',
          model: m.model,
          content: [{ type: 'text', text: 'p' }],
          stop_reason: 'max_tokens',
          stop_sequence: null,
          usage: { input_tokens: 8, output_tokens: 1 },
        });
      }
      if (req.method === 'GET' && (path === '/api/v1/key' || path === '/api/v1/auth/key')) {
        if (bearer !== GOOD.openrouter && bearer !== GOOD.openrouterSpent)
          return json(res, 401, { error: { message: 'No auth credentials found', code: 401 } });
        const spent = bearer === GOOD.openrouterSpent;
        return json(res, 200, {
          data: {
            label: 'sk-or-v1-goo...789',
            limit: 10,
            limit_remaining: spent ? 0 : 7.5,
            usage: spent ? 10 : 2.5,
            is_free_tier: false,
          },
        });
      }
      const tg = /^\/bot([^/]+)\/getMe$/.exec(path);
      if (tg) {
        const token = decodeURIComponent(tg[1]);
        if (token !== GOOD.telegram || revoked.has(token))
          return json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
        return json(res, 200, {
          ok: true,
          result: {
            id: 123456789,
            is_bot: true,
            first_name: 'Acme Helper',
            username: 'acme_helper_bot',
            can_join_groups: true,
          },
        });
      }
      if (req.method === 'POST' && path === '/api/auth.test') {
        if (bearer !== GOOD.slackBot) return json(res, 200, { ok: false, error: 'invalid_auth' });
        return json(res, 200, {
          ok: true,
          url: 'https://acme.slack.com/',
          team: 'Acme',
          user: 'acmebot',
          team_id: 'T1',
          user_id: 'U1',
          bot_id: 'B1',
        });
      }
      if (req.method === 'POST' && path === '/api/apps.connections.open') {
        if (bearer.startsWith('xoxb-')) return json(res, 200, { ok: false, error: 'not_allowed_token_type' });
        if (bearer !== GOOD.slackApp) return json(res, 200, { ok: false, error: 'invalid_auth' });
        return json(res, 200, { ok: true, url: 'wss://wss-primary.slack.com/link/?ticket=fake' });
      }
      json(res, 404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    revoke: (secret) => revoked.add(secret),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
