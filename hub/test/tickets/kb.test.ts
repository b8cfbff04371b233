import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/kb/render.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { login, makeTenant, type Tenant } from '../security/tenants.js';

interface Art {
  id: string;
  slug: string;
  title: string;
  html: string;
  audience: string;
  status: string;
  rank?: number;
  sourceTicketId: string | null;
}

describe('markdown rendering', () => {
  it('keeps formatting and drops scripts, handlers and javascript: links', () => {
    const html = renderMarkdown(
      '# Hi\n\n**bold** <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://a.test)',
    );
    expect(html).toContain('<h1>Hi</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).not.toMatch(/script|onerror|javascript:|<img/);
    expect(html).toContain('href="https://a.test"');
  });
});

describe.each([
  ['PGlite', false],
  ['PostgreSQL', true],
])('knowledge base on %s', (_name, postgres) => {
  let hub: TestHub;
  let a: Tenant;
  let support: string;

  beforeAll(async () => {
    hub = await startTestHub({ postgres });
    a = await makeTenant(hub, 'alpha');
    await hub.api('POST', '/users', { email: 'kb@ops.test', password: 'password-123', role: 'support' });
    support = await login(hub, 'kb@ops.test');
  });
  afterAll(async () => hub?.close());

  it('starts with the product articles, published for clients', async () => {
    const all = await hub.api<Art[]>('GET', '/kb/articles', undefined, a.owner);
    expect(all.body.map((x) => x.slug)).toEqual(
      expect.arrayContaining([
        'connect-whatsapp',
        'connect-telegram',
        'connect-slack',
        'rotate-api-key',
        'plans',
        'pausing',
        'reading-the-dashboard',
      ]),
    );
    expect(all.body.every((x) => x.audience === 'clients' && x.status === 'published')).toBe(true);
  });

  it('ranks a title match above a body mention (ts_rank over weighted tsvector)', async () => {
    const r = await hub.api<Art[]>('GET', `/kb/articles?q=${encodeURIComponent('telegram token')}`, undefined, a.owner);
    expect(r.status).toBe(200);
    expect(r.body[0].slug).toBe('connect-telegram');
    const ranks = r.body.map((x) => x.rank as number);
    expect([...ranks].sort((x, y) => y - x)).toEqual(ranks);
    const pause = await hub.api<Art[]>('GET', '/kb/articles?q=pause', undefined, a.owner);
    expect(pause.body[0].slug).toBe('pausing');
    // Suggestions while a client types a whole sentence.
    const s = await hub.api<{ slug: string }[]>(
      'GET',
      `/kb/suggest?q=${encodeURIComponent('my whatsapp stopped, how do I scan the QR code again?')}`,
      undefined,
      a.owner,
    );
    expect(s.body[0].slug).toBe('connect-whatsapp');
    // Hostile query syntax is just text.
    expect((await hub.api('GET', `/kb/articles?q=${encodeURIComponent("'&|!(:*")}`, undefined, a.owner)).status).toBe(
      200,
    );
  });

  it('client users never see operator articles or drafts; they cannot write', async () => {
    const op = await hub.api<Art>(
      'POST',
      '/kb/articles',
      { title: 'Zebra runbook', body: 'internal zebra steps', audience: 'operators', status: 'published' },
      support,
    );
    expect(op.status).toBe(201);
    const draft = await hub.api<Art>(
      'POST',
      '/kb/articles',
      { title: 'Zebra draft', body: 'zebra draft text' },
      support,
    );
    expect(draft.body.status).toBe('draft');
    const seen = await hub.api<Art[]>('GET', '/kb/articles?q=zebra', undefined, a.owner);
    expect(seen.body).toEqual([]);
    expect((await hub.api('GET', `/kb/articles/${op.body.id}`, undefined, a.owner)).status).toBe(404);
    expect((await hub.api('GET', `/kb/articles/${draft.body.id}`, undefined, a.owner)).status).toBe(404);
    expect((await hub.api<Art[]>('GET', '/kb/articles?q=zebra', undefined, support)).body).toHaveLength(2);
    expect((await hub.api('POST', '/kb/articles', { title: 'x', body: 'y' }, a.owner)).status).toBe(403);
    const pub = await hub.api<Art>('PATCH', `/kb/articles/${draft.body.id}`, { status: 'published' }, support);
    expect(pub.body.status).toBe('published');
    expect((await hub.api<Art[]>('GET', '/kb/articles?q=zebra', undefined, a.owner)).body.map((x) => x.id)).toEqual([
      draft.body.id,
    ]);
  });

  it('turns a resolved ticket into a draft article in one step', async () => {
    const t = await hub.api<{ id: string }>(
      'POST',
      '/tickets',
      { subject: 'Export my chats', body: 'How do I export?' },
      a.owner,
    );
    expect((await hub.api('POST', `/tickets/${t.body.id}/article`, {}, support)).status).toBe(409);
    await hub.api(
      'POST',
      `/tickets/${t.body.id}/replies`,
      { body: 'Settings > Data > Export.', state: 'resolved' },
      support,
    );
    const art = await hub.api<Art & { body: string }>('POST', `/tickets/${t.body.id}/article`, {}, support);
    expect(art.status).toBe(201);
    expect(art.body).toMatchObject({ title: 'Export my chats', status: 'draft', sourceTicketId: t.body.id });
    expect(art.body.body).toContain('How do I export?');
    expect(art.body.body).toContain('Settings > Data > Export.');
  });
});
