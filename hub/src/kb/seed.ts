import type { Db } from '../db/index.js';
import type { KnowledgeBase } from './service.js';

interface SeedArticle {
  slug: string;
  title: string;
  tags: string[];
  audience: 'clients' | 'operators';
  body: string;
}

/** The articles a new hub starts with: how this product is used, as the dashboard shows it. */
export const SEED_ARTICLES: SeedArticle[] = [
  {
    slug: 'connect-whatsapp',
    title: 'Connecting WhatsApp',
    tags: ['channels', 'whatsapp', 'onboarding'],
    audience: 'clients',
    body: `WhatsApp has no token to paste: your agent's own server links to the phone that owns the number.

1. In onboarding, open **Channels** and press **Enable WhatsApp**.
2. A QR code appears on the page. It comes from your agent's server and refreshes by itself while you wait.
3. On the phone: **WhatsApp → Settings → Linked devices → Link a device**, and scan the code.
4. The card shows **Paired** once your agent reports the channel connected.

If the card says *Agent reports: …*, the agent itself sees WhatsApp down, for example because the
phone unlinked the device. Enable pairing again and scan a new code. **Turn WhatsApp off** stops the
channel; your other channels keep running.`,
  },
  {
    slug: 'connect-telegram',
    title: 'Connecting Telegram',
    tags: ['channels', 'telegram', 'onboarding', 'bot token'],
    audience: 'clients',
    body: `Your agent answers on Telegram as a bot you own.

1. In Telegram, talk to **@BotFather** and send \`/newbot\`. Choose a name and a username ending in \`bot\`.
2. BotFather answers with a token like \`123456789:AA…\`.
3. In onboarding, open **Channels**, paste it into **Bot token** on the Telegram card and connect.

The hub checks the token with Telegram (\`getMe\`) before it is stored; a wrong or revoked token is
refused with Telegram's own reason. The token is stored encrypted and only your agent receives it.
To change bots, paste the new bot's token: it replaces the old one.`,
  },
  {
    slug: 'connect-slack',
    title: 'Connecting Slack',
    tags: ['channels', 'slack', 'onboarding', 'socket mode'],
    audience: 'clients',
    body: `Your agent joins Slack as an app in Socket Mode, so no public web address is needed. It needs two tokens:

- **Bot token** (\`xoxb-…\`): in your Slack app, **OAuth & Permissions → Bot User OAuth Token**.
- **App-level token** (\`xapp-…\`): **Basic Information → App-Level Tokens**, with the \`connections:write\`
  scope. Turn **Socket Mode** on.

Paste both on the Slack card under **Channels** and connect. The hub checks them with Slack
(\`auth.test\` for the bot token, \`apps.connections.open\` for the app token) before storing them.
**Replace tokens** changes them later.`,
  },
  {
    slug: 'rotate-api-key',
    title: 'Rotating your AI provider API key',
    tags: ['api key', 'secrets', 'anthropic', 'openrouter', 'security'],
    audience: 'clients',
    body: `Your agent thinks with your own model account (Anthropic or OpenRouter). To change its key:

1. Create a new key in your provider's console. Keep the old one for now.
2. In the dashboard, open **Settings → Secrets** and press **Replace** on the \`anthropic\` (or
   \`openrouter\`) secret, or use the **Provider** step of onboarding, which checks the key with a
   tiny real request first.
3. Send your agent a test message and check it answers.
4. Only then revoke the old key at the provider.

Secrets are encrypted at rest and can be replaced but never read back: nobody, not even our
operators, can see the key in the dashboard. Deleting a secret cuts your agent off from that
provider the next time its configuration is applied.`,
  },
  {
    slug: 'plans',
    title: 'What each plan includes',
    tags: ['plans', 'billing', 'usage', 'sla'],
    audience: 'clients',
    body: `Every plan runs your agent on its own dedicated server, never shared with another company.

| plan | tokens a month | model spend a month | messages a month | first reply | resolution |
| --- | --- | --- | --- | --- | --- |
| Starter | 2 million | $50 | 5,000 | 8 business hours | 40 business hours |
| Growth | 10 million | $250 | 25,000 | 4 business hours | 16 business hours |
| Enterprise | 100 million | $2,500 | 250,000 | 1 business hour | 8 business hours |

Business hours are counted in your time zone (9:00-17:00, Monday to Friday unless agreed
otherwise), and the clock stops while we are waiting for your answer. **Usage and billing** on
your dashboard shows this month's tokens and spend and a forecast to the month's end.`,
  },
  {
    slug: 'pausing',
    title: 'What pausing your agent does',
    tags: ['pause', 'resume', 'agent'],
    audience: 'clients',
    body: `**Pause** stops your agent's channels, so it answers no one, on any channel, until it is resumed.

- Nothing is deleted: conversations, settings, channels and keys stay as they are.
- A pause survives restarts of the agent and of its server.
- Messages people send while it is paused are not answered later.
- **Resume** starts the channels again and the agent answers new messages.

The dashboard shows the agent as **Paused** meanwhile. Pausing is different from a **Restart**, which
restarts the gateway in place: conversations stop for about ten seconds and then carry on.`,
  },
  {
    slug: 'reading-the-dashboard',
    title: 'Reading your dashboard',
    tags: ['dashboard', 'usage', 'status'],
    audience: 'clients',
    body: `**Your agent** is the page you land on.

- **Agent**: whether your agent is online, and its channels. *Offline* means its server has not
  reported for a while; *Paused* means it was paused on purpose.
- **Messages today**, **Average response time** and **Satisfaction**: today's conversations at a
  glance. Satisfaction is estimated from the words people use, not asked of them.
- **Recent conversations**: the latest exchanges, by channel.
- **Usage and billing**: this month's tokens and spend, a forecast to the month's end, and your
  plan's allowance, with a warning from 80 % of it.

**Get help** opens a conversation with our team about anything you see here.`,
  },
  {
    slug: 'operators-triage-checklist',
    title: 'Operators: first look at a ticket',
    tags: ['operators', 'triage', 'support'],
    audience: 'operators',
    body: `Before answering, read the **context** beside the thread: instance status, OpenClaw state,
recent error lines and commands. Offline instance: check the VPS and Tailscale first. OpenClaw down:
a **Restart** from the ticket is recorded in the thread. Channel errors: ask the client to re-pair or
replace the token (link the channel article). Keep notes internal; clients never see them.`,
  },
];

/** Seeds the articles once, on a hub whose knowledge base is empty. */
export async function seedKnowledgeBase(db: Db, kb: KnowledgeBase): Promise<number> {
  const n = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM kb_articles');
  if (Number(n[0]?.n ?? 0) > 0) return 0;
  for (const a of SEED_ARTICLES) await kb.create({ ...a, status: 'published', updatedBy: 'deep-signal' });
  return SEED_ARTICLES.length;
}
