'use client';
import { Check, Copy, Loader2, Plus, Power, Send, Trash2 } from 'lucide-react';
import { useId, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Input, Label } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { useProductName } from '@/lib/brand';
import { useApi } from '@/lib/use-api';
import {
  lastAnswer,
  WEBHOOK_EVENTS,
  type WebhookDelivery,
  type WebhookItem,
  webhookPath,
  webhooksPath,
} from '@/lib/webhooks';
import { WebhookDeliveries } from './webhook-deliveries';

/**
 * A client's event webhooks: add one (URL and events), its signing secret shown once, send a
 * test event, turn it on or off, delete it, and read its delivery log with redelivery.
 */
export function WebhooksPanel({ clientId }: { clientId: string }) {
  const hooks = useApi<WebhookItem[]>(webhooksPath(clientId));
  const [secret, setSecret] = useState<{ url: string; value: string } | null>(null);
  const [version, setVersion] = useState(0);
  const product = useProductName();

  return (
    <Card data-testid="webhooks-panel">
      <CardHeader>
        <CardTitle>Webhooks</CardTitle>
        <p className="text-sm text-muted-foreground">
          {product} POSTs the events you choose to your URL, signed the Standard Webhooks way (webhook-id,
          webhook-timestamp, webhook-signature). Failed deliveries are retried for over a day.
        </p>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <CreateWebhook
          clientId={clientId}
          onCreated={async (h) => {
            setSecret({ url: h.url, value: h.secret });
            await hooks.reload();
          }}
        />
        {secret && <SecretOnce url={secret.url} secret={secret.value} onDone={() => setSecret(null)} />}
        {hooks.loading && !hooks.data ? (
          <Skeleton className="h-24" />
        ) : hooks.error ? (
          <p role="alert" className="text-sm text-danger">
            Could not load webhooks: {hooks.error}
          </p>
        ) : (hooks.data ?? []).length === 0 ? (
          <p className="text-sm text-muted-foreground">No webhooks yet.</p>
        ) : (
          (hooks.data ?? []).map((h) => (
            <WebhookRow
              key={h.id}
              clientId={clientId}
              hook={h}
              version={version}
              onChanged={async () => {
                setVersion((v) => v + 1);
                await hooks.reload();
              }}
            />
          ))
        )}
      </CardContent>
    </Card>
  );
}

function CreateWebhook({
  clientId,
  onCreated,
}: {
  clientId: string;
  onCreated: (h: WebhookItem & { secret: string }) => Promise<void>;
}) {
  const id = useId();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!events.length) return setError('Choose at least one event.');
    setSaving(true);
    setError(null);
    try {
      const h = await api<WebhookItem & { secret: string }>(webhooksPath(clientId), {
        body: { url: url.trim(), events },
      });
      setUrl('');
      setEvents([]);
      await onCreated(h);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };
  const toggle = (t: string) => setEvents((l) => (l.includes(t) ? l.filter((x) => x !== t) : [...l, t]));

  return (
    <form
      onSubmit={submit}
      className="flex flex-col gap-3 rounded-lg border border-border p-3"
      data-testid="webhook-form"
    >
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${id}-url`}>Endpoint URL</Label>
        <Input
          id={`${id}-url`}
          type="url"
          required
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://example.com/deepsignal"
        />
      </div>
      <fieldset className="flex flex-col gap-1.5">
        <legend className="mb-1 text-xs font-medium text-muted-foreground">Events</legend>
        <div className="grid gap-1.5 sm:grid-cols-2">
          {WEBHOOK_EVENTS.map((ev) => (
            <label key={ev.type} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                className="size-4 accent-[var(--color-accent,currentColor)]"
                checked={events.includes(ev.type)}
                onChange={() => toggle(ev.type)}
              />
              {ev.label} <span className="font-mono text-xs text-muted-foreground">{ev.type}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {error && (
        <p role="alert" className="text-sm text-danger">
          {error}
        </p>
      )}
      <div>
        <Button type="submit" disabled={saving}>
          {saving ? <Loader2 className="animate-spin" /> : <Plus />} Add webhook
        </Button>
      </div>
    </form>
  );
}

/** The signing secret, once: the hub never shows it again. */
function SecretOnce({ url, secret, onDone }: { url: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      toast('Could not copy', { tone: 'error', description: 'Select the secret and copy it by hand.' });
    }
  };
  return (
    <div role="status" className="flex flex-col gap-2 rounded-lg border border-accent/40 bg-accent-soft p-3">
      <p className="text-sm">
        Signing secret for <span className="font-mono">{url}</span>. It is shown only now: store it where your endpoint
        verifies signatures.
      </p>
      <div className="flex gap-2">
        <Input readOnly value={secret} aria-label="Signing secret" className="font-mono" data-testid="webhook-secret" />
        <Button type="button" variant="outline" onClick={copy}>
          {copied ? <Check /> : <Copy />} {copied ? 'Copied' : 'Copy'}
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

function WebhookRow({
  clientId,
  hook,
  version,
  onChanged,
}: {
  clientId: string;
  hook: WebhookItem;
  version: number;
  onChanged: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [showLog, setShowLog] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const path = webhookPath(clientId, hook.id);
  const logId = useId();
  const product = useProductName();

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      toast(what, { tone: 'error', description: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const test = () =>
    run('Test failed', async () => {
      const d = await api<WebhookDelivery>(`${path}/test`, { method: 'POST' });
      if (d.status === 'sent') toast('Test event delivered', { tone: 'success', description: hook.url });
      else toast('Test event failed', { tone: 'error', description: lastAnswer(d) });
      setShowLog(true);
      await onChanged();
    });
  const setEnabled = (enabled: boolean) =>
    run('Could not change the webhook', async () => {
      await api(path, { method: 'PATCH', body: { enabled } });
      await onChanged();
    });
  const remove = async () => {
    await api(path, { method: 'DELETE' });
    await onChanged();
  };

  return (
    <div className="flex flex-col gap-3 rounded-lg border border-border p-3" data-testid="webhook-row">
      <div className="flex flex-wrap items-center gap-2">
        <p className="min-w-0 flex-1 truncate font-mono text-sm" title={hook.url}>
          {hook.url}
        </p>
        <Badge variant={hook.enabled ? 'success' : 'danger'}>{hook.enabled ? 'enabled' : 'disabled'}</Badge>
      </div>
      <div className="flex flex-wrap gap-1">
        {hook.events.map((e) => (
          <Badge key={e} variant="outline" className="font-mono">
            {e}
          </Badge>
        ))}
      </div>
      {hook.disabledReason && (
        <p role="alert" className="text-sm text-danger">
          Turned off by {product}: {hook.disabledReason}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <Button size="sm" variant="outline" disabled={busy || !hook.enabled} onClick={test}>
          <Send /> Send test event
        </Button>
        <Button size="sm" variant="outline" disabled={busy} onClick={() => setEnabled(!hook.enabled)}>
          <Power /> {hook.enabled ? 'Disable' : 'Enable'}
        </Button>
        <Button
          size="sm"
          variant="outline"
          aria-expanded={showLog}
          aria-controls={logId}
          onClick={() => setShowLog((s) => !s)}
        >
          {showLog ? 'Hide deliveries' : 'Show deliveries'}
        </Button>
        <Button
          size="sm"
          variant="ghost"
          disabled={busy}
          onClick={() => setConfirmDelete(true)}
          aria-label={`Delete webhook ${hook.url}`}
        >
          <Trash2 /> Delete
        </Button>
      </div>
      {showLog && (
        <div id={logId}>
          <WebhookDeliveries clientId={clientId} hook={hook} version={version} />
        </div>
      )}
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title="Delete this webhook?"
        description={`Events stop going to ${hook.url}, and its delivery log is deleted.`}
        confirmLabel="Delete"
        destructive
        onConfirm={remove}
      />
    </div>
  );
}
