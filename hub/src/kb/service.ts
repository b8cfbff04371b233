import type { Db } from '../db/index.js';
import { newId } from '../util/ids.js';
import { renderMarkdown } from './render.js';

export type Audience = 'clients' | 'operators';
export type ArticleStatus = 'draft' | 'published';

export interface Article {
  id: string;
  slug: string;
  title: string;
  body: string;
  html: string;
  tags: string[];
  audience: Audience;
  status: ArticleStatus;
  updatedBy: string | null;
  sourceTicketId: string | null;
  createdAt: string;
  updatedAt: string;
  /** ts_rank of a search, when the article came from one. */
  rank?: number;
}

type Row = Record<string, unknown>;
const toArticle = (r: Row): Article => ({
  id: String(r.id),
  slug: String(r.slug),
  title: String(r.title),
  body: String(r.body),
  html: renderMarkdown(String(r.body)),
  tags: (r.tags as string[]) ?? [],
  audience: r.audience as Audience,
  status: r.status as ArticleStatus,
  updatedBy: (r.updated_by as string | null) ?? null,
  sourceTicketId: (r.source_ticket_id as string | null) ?? null,
  createdAt: new Date(r.created_at as string).toISOString(),
  updatedAt: new Date(r.updated_at as string).toISOString(),
  ...(r.rank !== undefined ? { rank: Number(r.rank) } : {}),
});

export const slugify = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'article';

/** What a caller may read: client users see published client articles only. */
export interface KbScope {
  audiences: Audience[];
  includeDrafts: boolean;
}

/**
 * The knowledge base: articles in Markdown, searched with PostgreSQL full-text search
 * (`websearch_to_tsquery` over the trigger-kept `search` vector, ranked by `ts_rank`; the same
 * SQL runs on PGlite).
 */
export class KnowledgeBase {
  constructor(private readonly db: Db) {}

  async list(
    scope: KbScope,
    f: { q?: string; tag?: string; status?: ArticleStatus; limit?: number } = {},
  ): Promise<Article[]> {
    const limit = f.limit ?? 100;
    const params: unknown[] = [scope.audiences, scope.includeDrafts, f.tag ?? null, f.status ?? null, limit];
    const where = `audience = ANY($1::text[]) AND ($2::boolean OR status = 'published')
      AND ($3::text IS NULL OR $3 = ANY(tags)) AND ($4::text IS NULL OR status = $4)`;
    if (!f.q?.trim()) {
      const rows = await this.db.query(
        `SELECT * FROM kb_articles WHERE ${where} ORDER BY updated_at DESC LIMIT $5`,
        params,
      );
      return rows.map(toArticle);
    }
    // websearch syntax first (quotes, OR, -word); words joined with OR as a fallback, so a
    // question typed in full still finds articles that share some of its words.
    const rows = await this.db.query(
      `WITH q AS (SELECT websearch_to_tsquery('english', $6) AS strict,
                         to_tsquery('english', $7) AS loose)
       SELECT a.*, ts_rank(a.search, q.strict) + 0.1 * ts_rank(a.search, q.loose) AS rank
       FROM kb_articles a, q
       WHERE ${where} AND (a.search @@ q.strict OR ($7 <> '' AND a.search @@ q.loose))
       ORDER BY rank DESC, a.updated_at DESC LIMIT $5`,
      [...params, f.q.trim(), orQuery(f.q)],
    );
    return rows.map(toArticle);
  }

  async get(id: string): Promise<Article | null> {
    const rows = await this.db.query('SELECT * FROM kb_articles WHERE id = $1 OR slug = $1', [id]);
    return rows[0] ? toArticle(rows[0]) : null;
  }

  async create(a: {
    title: string;
    body: string;
    tags?: string[];
    audience?: Audience;
    status?: ArticleStatus;
    slug?: string;
    updatedBy: string | null;
    sourceTicketId?: string | null;
  }): Promise<Article> {
    const base = a.slug ?? slugify(a.title);
    for (let i = 0; i < 20; i++) {
      const slug = i === 0 ? base : `${base}-${i + 1}`;
      const rows = await this.db.query(
        `INSERT INTO kb_articles (id, slug, title, body, tags, audience, status, updated_by, source_ticket_id)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (slug) DO NOTHING RETURNING *`,
        [
          newId('kb'),
          slug,
          a.title,
          a.body,
          normTags(a.tags ?? []),
          a.audience ?? 'clients',
          a.status ?? 'draft',
          a.updatedBy,
          a.sourceTicketId ?? null,
        ],
      );
      if (rows[0]) return toArticle(rows[0]);
    }
    throw new Error('no free slug for this title');
  }

  async update(
    id: string,
    p: { title?: string; body?: string; tags?: string[]; audience?: Audience; status?: ArticleStatus },
    updatedBy: string,
  ): Promise<Article | null> {
    const rows = await this.db.query(
      `UPDATE kb_articles SET title = coalesce($2, title), body = coalesce($3, body), tags = coalesce($4, tags),
         audience = coalesce($5, audience), status = coalesce($6, status), updated_by = $7, updated_at = now()
       WHERE id = $1 RETURNING *`,
      [
        id,
        p.title ?? null,
        p.body ?? null,
        p.tags ? normTags(p.tags) : null,
        p.audience ?? null,
        p.status ?? null,
        updatedBy,
      ],
    );
    return rows[0] ? toArticle(rows[0]) : null;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM kb_articles WHERE id = $1 RETURNING id', [id])).length > 0;
  }
}

const normTags = (tags: string[]) => [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].slice(0, 20);

/** Words of a free-text question as an OR tsquery (letters and digits only: always valid syntax). */
export function orQuery(q: string): string {
  const words = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 2)
    .slice(0, 20);
  return [...new Set(words)].join(' | ');
}
