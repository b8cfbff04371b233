'use client';
import type { Article } from './types';

/**
 * An article's body. The hub renders the Markdown and sanitizes the HTML (formatting tags and
 * http(s) links only), so it can be shown as HTML here.
 */
export function ArticleBody({ article }: { article: Pick<Article, 'html'> }) {
  return (
    <div
      className="prose-sm flex flex-col gap-2 text-sm leading-relaxed [&_a]:text-accent [&_a]:underline [&_code]:rounded [&_code]:bg-muted [&_code]:px-1 [&_h1]:text-lg [&_h1]:font-semibold [&_h2]:font-semibold [&_li]:ml-5 [&_ol]:list-decimal [&_table]:text-xs [&_td]:border [&_td]:border-border [&_td]:px-2 [&_th]:border [&_th]:border-border [&_th]:px-2 [&_ul]:list-disc"
      // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by the hub (sanitize-html)
      dangerouslySetInnerHTML={{ __html: article.html }}
    />
  );
}
