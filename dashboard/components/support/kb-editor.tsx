'use client';
import { BookOpen, Loader2, Plus, Save } from 'lucide-react';
import { useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, Label, Textarea } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { ArticleBody } from './article-view';
import type { Article } from './types';

type Draft = Pick<Article, 'title' | 'body' | 'audience' | 'status'> & { tags: string; id?: string };
const EMPTY: Draft = { title: '', body: '', tags: '', audience: 'clients', status: 'draft' };

/** The knowledge-base editor: articles (drafts too), search, Markdown with the hub's safe preview. */
export function KbEditor() {
  const [q, setQ] = useState('');
  const list = useApi<Article[]>('/kb/articles', { query: { q: q.trim() || undefined, limit: 200 } });
  const [edit, setEdit] = useState<Draft | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    if (!edit) return;
    setBusy(true);
    try {
      const body = {
        title: edit.title.trim(),
        body: edit.body,
        tags: edit.tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        audience: edit.audience,
        status: edit.status,
      };
      const a = edit.id
        ? await api<Article>(`/kb/articles/${encodeURIComponent(edit.id)}`, { method: 'PATCH', body })
        : await api<Article>('/kb/articles', { body });
      setEdit({ ...edit, id: a.id });
      setPreview(a.html);
      toast('Article saved', { tone: 'success', description: a.title });
      await list.reload();
    } catch (e) {
      toast('Could not save', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <BookOpen className="size-4 text-accent" /> Articles
            <Button
              size="sm"
              className="ml-auto"
              onClick={() => {
                setEdit({ ...EMPTY });
                setPreview(null);
              }}
            >
              <Plus /> New
            </Button>
          </CardTitle>
          <Input aria-label="Search articles" placeholder="Search" value={q} onChange={(e) => setQ(e.target.value)} />
        </CardHeader>
        <CardContent>
          <ul className="divide-y divide-border">
            {(list.data ?? []).map((a) => (
              <li key={a.id}>
                <button
                  type="button"
                  data-testid="kb-article"
                  className="flex w-full items-center gap-2 py-2 text-left text-sm hover:text-accent"
                  onClick={() => {
                    setEdit({
                      id: a.id,
                      title: a.title,
                      body: a.body,
                      tags: a.tags.join(', '),
                      audience: a.audience,
                      status: a.status,
                    });
                    setPreview(a.html);
                  }}
                >
                  <span className="min-w-0 flex-1 truncate">{a.title}</span>
                  <Badge variant={a.status === 'published' ? 'success' : 'outline'}>{a.status}</Badge>
                  <Badge variant="outline">{a.audience}</Badge>
                  <span className="text-xs text-muted-foreground">{fmtDateTime(a.updatedAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        </CardContent>
      </Card>
      {edit && (
        <Card data-testid="kb-form">
          <CardContent className="flex flex-col gap-3 pt-6">
            <Label htmlFor="kb-title">Title</Label>
            <Input
              id="kb-title"
              value={edit.title}
              maxLength={200}
              onChange={(e) => setEdit({ ...edit, title: e.target.value })}
            />
            <Label htmlFor="kb-body">Body (Markdown)</Label>
            <Textarea
              id="kb-body"
              rows={14}
              className="font-mono"
              value={edit.body}
              onChange={(e) => setEdit({ ...edit, body: e.target.value })}
            />
            <Label htmlFor="kb-tags">Tags (comma-separated)</Label>
            <Input id="kb-tags" value={edit.tags} onChange={(e) => setEdit({ ...edit, tags: e.target.value })} />
            <div className="flex gap-2">
              <SimpleSelect
                aria-label="Audience"
                value={edit.audience}
                onValueChange={(v) => setEdit({ ...edit, audience: v as Draft['audience'] })}
                options={[
                  { value: 'clients', label: 'Clients' },
                  { value: 'operators', label: 'Operators only' },
                ]}
              />
              <SimpleSelect
                aria-label="Status"
                value={edit.status}
                onValueChange={(v) => setEdit({ ...edit, status: v as Draft['status'] })}
                options={[
                  { value: 'draft', label: 'Draft' },
                  { value: 'published', label: 'Published' },
                ]}
              />
              <Button className="ml-auto" disabled={busy || !edit.title.trim() || !edit.body.trim()} onClick={save}>
                {busy ? <Loader2 className="animate-spin" /> : <Save />} Save
              </Button>
            </div>
            {preview && (
              <div className="rounded-lg border border-border p-3">
                <p className="mb-2 text-xs text-muted-foreground">As saved (rendered by the hub)</p>
                <ArticleBody article={{ html: preview }} />
              </div>
            )}
          </CardContent>
        </Card>
      )}
    </div>
  );
}
