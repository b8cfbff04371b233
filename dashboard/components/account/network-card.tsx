'use client';
import { Loader2, Save, ShieldCheck } from 'lucide-react';
import { type FormEvent, useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, Label, Textarea } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { type ClientSettings, parseAllowlist } from '@/lib/admin-types';
import { api } from '@/lib/api';

const daysOrNull = (v: string) => (v.trim() === '' ? null : Number(v));

/**
 * A client's IP allowlist (who may sign in and call the API for this client) and data retention
 * (PUT /clients/:id/settings, partial). The hub refuses a list without the caller's own address.
 */
export function NetworkCard({
  clientId,
  settings,
  onSaved,
}: {
  clientId: string;
  settings: ClientSettings;
  onSaved: (s: ClientSettings) => void;
}) {
  const [list, setList] = useState(settings.ipAllowlist.join('\n'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setList(settings.ipAllowlist.join('\n')), [settings.ipAllowlist]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const next = await api<ClientSettings>(`/clients/${encodeURIComponent(clientId)}/settings`, {
        method: 'PUT',
        body: { ipAllowlist: parseAllowlist(list) },
      });
      onSaved(next);
      toast('IP allowlist saved', { tone: 'success' });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card data-testid="ip-allowlist-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <ShieldCheck className="size-4 text-accent" /> IP allowlist
        </CardTitle>
        <CardDescription>
          Addresses or CIDR ranges (one a line) your people may sign in and use the API from. Empty: any address.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} className="flex flex-col gap-3">
          <Textarea
            aria-label="Allowed addresses"
            data-testid="ip-allowlist"
            className="font-mono"
            rows={4}
            placeholder={'203.0.113.7\n198.51.100.0/24'}
            value={list}
            onChange={(e) => setList(e.target.value)}
          />
          {error && (
            <p className="text-sm text-danger" role="alert">
              {error}
            </p>
          )}
          <Button
            type="submit"
            variant="accent"
            size="sm"
            className="self-end"
            disabled={busy}
            data-testid="save-allowlist"
          >
            {busy ? <Loader2 className="animate-spin" /> : <Save />} Save allowlist
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

/** How long conversations and logs are kept (days; empty keeps them as long as the hub does). */
export function RetentionCard({
  clientId,
  settings,
  onSaved,
}: {
  clientId: string;
  settings: ClientSettings;
  onSaved: (s: ClientSettings) => void;
}) {
  const [conv, setConv] = useState(String(settings.retentionConversationsDays ?? ''));
  const [logs, setLogs] = useState(String(settings.retentionLogsDays ?? ''));
  const [busy, setBusy] = useState(false);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const next = await api<ClientSettings>(`/clients/${encodeURIComponent(clientId)}/settings`, {
        method: 'PUT',
        body: { retentionConversationsDays: daysOrNull(conv), retentionLogsDays: daysOrNull(logs) },
      });
      onSaved(next);
      toast('Retention saved', { tone: 'success', description: 'Applied within the hour.' });
    } catch (err) {
      toast('Could not save retention', { tone: 'error', description: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card data-testid="retention-card">
      <CardHeader>
        <CardTitle>Data retention</CardTitle>
        <CardDescription>Older conversations and logs are deleted hourly. Empty: keep them.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} className="flex flex-wrap items-end gap-3">
          <div className="flex w-40 flex-col gap-1.5">
            <Label htmlFor="ret-conv">Conversations (days)</Label>
            <Input
              id="ret-conv"
              type="number"
              min={1}
              max={3650}
              value={conv}
              onChange={(e) => setConv(e.target.value)}
            />
          </div>
          <div className="flex w-40 flex-col gap-1.5">
            <Label htmlFor="ret-logs">Logs (days)</Label>
            <Input
              id="ret-logs"
              type="number"
              min={1}
              max={3650}
              value={logs}
              onChange={(e) => setLogs(e.target.value)}
            />
          </div>
          <Button type="submit" variant="outline" size="sm" disabled={busy}>
            {busy ? <Loader2 className="animate-spin" /> : <Save />} Save retention
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
