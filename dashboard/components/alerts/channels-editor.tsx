'use client';
import { Loader2, Plus, Send, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Input, Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import type { ChannelItem } from '@/lib/alerts';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';

const TYPES = [
  { value: 'pagerduty', label: 'PagerDuty', field: 'routingKey', hint: 'Integration (routing) key' },
  { value: 'slack', label: 'Slack', field: 'url', hint: 'Incoming webhook URL' },
  { value: 'email', label: 'Email', field: 'to', hint: 'Address' },
  { value: 'webhook', label: 'Webhook', field: 'url', hint: 'Endpoint URL (signed, Standard Webhooks)' },
] as const;

/** Notification channels: list, add, send a test, delete. Clients only get email and webhook. */
export function ChannelsEditor({ operator }: { operator: boolean }) {
  const channels = useApi<ChannelItem[]>('/notification-channels');
  const types = operator ? TYPES : TYPES.filter((t) => t.value === 'email' || t.value === 'webhook');
  const [type, setType] = useState<string>(types[0].value);
  const [name, setName] = useState('');
  const [target, setTarget] = useState('');
  const [saving, setSaving] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const t = types.find((x) => x.value === type) ?? types[0];

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    try {
      const c = await api<ChannelItem & { secret?: string }>('/notification-channels', {
        body: { type, name, config: { [t.field]: target.trim() } },
      });
      toast('Channel added', {
        tone: 'success',
        description: c.secret ? `Signing secret (shown once): ${c.secret}` : c.name,
      });
      setName('');
      setTarget('');
      await channels.reload();
    } catch (err) {
      toast('Could not add the channel', { tone: 'error', description: (err as Error).message });
    } finally {
      setSaving(false);
    }
  };
  const test = async (c: ChannelItem) => {
    setBusy(c.id);
    try {
      const d = await api<{ status: string; lastStatus: number | null; lastError: string | null }>(
        `/notification-channels/${encodeURIComponent(c.id)}/test`,
        { method: 'POST' },
      );
      if (d.status === 'sent') toast('Test sent', { tone: 'success', description: c.name });
      else
        toast('Test failed', { tone: 'error', description: `${d.lastError ?? ''} (${d.lastStatus ?? 'no answer'})` });
    } catch (err) {
      toast('Test failed', { tone: 'error', description: (err as Error).message });
    } finally {
      setBusy(null);
    }
  };
  const remove = async (c: ChannelItem) => {
    setBusy(c.id);
    try {
      await api(`/notification-channels/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
      channels.setData((l) => (l ?? []).filter((x) => x.id !== c.id));
    } catch (err) {
      toast('Could not delete', { tone: 'error', description: (err as Error).message });
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="flex flex-col gap-4">
      <Card className="p-4">
        <form
          onSubmit={add}
          className="grid gap-3 sm:grid-cols-[10rem_1fr_2fr_auto] sm:items-end"
          data-testid="channel-form"
        >
          <div className="flex flex-col gap-1.5">
            <Label>Type</Label>
            <SimpleSelect
              value={type}
              onValueChange={setType}
              options={types.map((x) => ({ value: x.value, label: x.label }))}
              aria-label="Channel type"
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="channel-name">Name</Label>
            <Input
              id="channel-name"
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="On-call"
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="channel-target">{t.hint}</Label>
            <Input id="channel-target" required value={target} onChange={(e) => setTarget(e.target.value)} />
          </div>
          <Button type="submit" disabled={saving}>
            {saving ? <Loader2 className="animate-spin" /> : <Plus />} Add
          </Button>
        </form>
      </Card>
      {channels.loading && !channels.data ? (
        <Skeleton className="h-24" />
      ) : channels.error ? (
        <p className="text-sm text-danger">Could not load channels: {channels.error}</p>
      ) : (
        (channels.data ?? []).map((c) => (
          <Card key={c.id} className="flex flex-wrap items-center gap-3 p-4" data-testid="channel-row">
            <Badge variant="accent">{c.type}</Badge>
            <p className="flex-1 font-medium">{c.name}</p>
            <p className="text-xs text-muted-foreground">
              group by {c.groupBy.join(', ')} · wait {c.groupWaitSec} s · repeat{' '}
              {Math.round(c.repeatIntervalSec / 3600)} h
            </p>
            <Button size="sm" variant="outline" disabled={busy === c.id} onClick={() => test(c)}>
              <Send /> Test
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={busy === c.id}
              onClick={() => remove(c)}
              aria-label={`Delete ${c.name}`}
            >
              <Trash2 />
            </Button>
          </Card>
        ))
      )}
    </div>
  );
}
