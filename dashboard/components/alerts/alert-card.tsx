'use client';
import { BellOff, CheckCheck, Loader2, Undo2 } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { Label, Textarea } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { type AlertItem, alertsChanged, isMuted } from '@/lib/alerts';
import { api } from '@/lib/api';
import { isOperator, useAuth } from '@/lib/auth';

const SEVERITY_VARIANT = { critical: 'danger', error: 'danger', warning: 'warning', info: 'accent' } as const;
const STATE_VARIANT = { firing: 'danger', pending: 'warning', resolved: 'success', nodata: 'outline' } as const;

const DURATIONS = [
  { value: '3600', label: '1 hour' },
  { value: '14400', label: '4 hours' },
  { value: '86400', label: '1 day' },
  { value: '604800', label: '1 week' },
];

function since(iso: string | null): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** One alert: what, where, since when, why it is muted; silence and acknowledge from here. */
export function AlertCard({ alert, onChange, canAct }: { alert: AlertItem; onChange: () => void; canAct: boolean }) {
  const [silencing, setSilencing] = useState(false);
  const [busy, setBusy] = useState(false);
  const muted = isMuted(alert);
  const { user } = useAuth();
  // A ticket's alert leads to the ticket: the inbox for operators, the help page for the client.
  const ticketHref = alert.labels.ticket
    ? `${isOperator(user) ? '/support/' : '/client/help/'}?ticket=${encodeURIComponent(alert.labels.ticket)}`
    : null;
  // Acknowledging stops the repeats of the alert's notifications (PagerDuty marks the incident acknowledged).
  const setAck = async (on: boolean) => {
    setBusy(true);
    try {
      await api(`/alerts/${encodeURIComponent(alert.id)}/ack`, { method: on ? 'POST' : 'DELETE' });
      toast(on ? 'Acknowledged' : 'Acknowledgement taken back', {
        tone: 'success',
        description: alert.annotations.summary,
      });
      onChange();
      alertsChanged();
    } catch (e) {
      toast(on ? 'Could not acknowledge' : 'Could not take the acknowledgement back', {
        tone: 'error',
        description: (e as Error).message,
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card className="flex flex-col gap-2 p-4" data-testid="alert-card" data-alert={alert.id} data-rule={alert.ruleId}>
      <div className="flex flex-wrap items-center gap-2">
        <Badge variant={SEVERITY_VARIANT[alert.severity]}>{alert.severity}</Badge>
        <p className="min-w-0 flex-1 font-medium">{alert.annotations.summary ?? alert.ruleId}</p>
        <Badge variant={STATE_VARIANT[alert.state]}>{alert.state}</Badge>
        {muted && (
          <Badge variant="outline" data-testid="alert-muted">
            <BellOff className="size-3" />
            {alert.silencedBy.length ? 'silenced' : alert.inhibitedBy ? 'inhibited' : 'maintenance'}
          </Badge>
        )}
        {alert.ackedBy && (
          <Badge variant="success" data-testid="alert-acked" title={alert.ackedAt ?? undefined}>
            <CheckCheck className="size-3" />
            acknowledged by {alert.ackedBy}
            {alert.ackedAt && ` ${since(alert.ackedAt)} ago`}
          </Badge>
        )}
      </div>
      {alert.annotations.description && (
        <p className="text-sm text-muted-foreground">{alert.annotations.description}</p>
      )}
      <p className="text-xs text-muted-foreground">
        {alert.ruleId}
        {alert.instanceId && (
          <>
            {' · '}
            <Link
              className="text-accent hover:underline"
              href={`/instance/?id=${encodeURIComponent(alert.instanceId)}`}
            >
              {alert.labels.hostname ?? alert.instanceId}
            </Link>
          </>
        )}
        {ticketHref && (
          <>
            {' · '}
            <Link className="text-accent hover:underline" href={ticketHref} data-testid="alert-ticket">
              the ticket
            </Link>
          </>
        )}
        {alert.state === 'firing' && alert.firedAt && ` · firing for ${since(alert.firedAt)}`}
        {alert.state === 'pending' && alert.activeAt && ` · pending for ${since(alert.activeAt)}`}
        {alert.state === 'resolved' && alert.resolvedAt && ` · resolved ${since(alert.resolvedAt)} ago`}
        {alert.value !== null && ` · value ${alert.value}`}
      </p>
      {canAct && (alert.state === 'firing' || alert.state === 'pending') && (
        <div className="flex flex-wrap justify-end gap-2">
          <Button size="sm" variant="outline" onClick={() => setSilencing(true)} data-testid="silence-alert">
            <BellOff /> Silence
          </Button>
          {alert.state === 'firing' &&
            (alert.ackedBy ? (
              <Button size="sm" variant="ghost" disabled={busy} onClick={() => setAck(false)} data-testid="unack-alert">
                {busy ? <Loader2 className="animate-spin" /> : <Undo2 />} Unacknowledge
              </Button>
            ) : (
              <Button size="sm" variant="outline" disabled={busy} onClick={() => setAck(true)} data-testid="ack-alert">
                {busy ? <Loader2 className="animate-spin" /> : <CheckCheck />} Acknowledge
              </Button>
            ))}
        </div>
      )}
      <SilenceDialog alert={alert} open={silencing} onOpenChange={setSilencing} onDone={onChange} />
    </Card>
  );
}

/** Silences this alert's rule on its instance (or client) for a chosen time, with a reason. */
function SilenceDialog({
  alert,
  open,
  onOpenChange,
  onDone,
}: {
  alert: AlertItem;
  open: boolean;
  onOpenChange: (v: boolean) => void;
  onDone: () => void;
}) {
  const [duration, setDuration] = useState('3600');
  const [comment, setComment] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const scope = alert.instanceId ? 'instance' : alert.clientId ? 'client' : null;
  const matchers = [
    { name: 'alertname', value: alert.ruleId },
    ...(scope ? [{ name: scope, value: alert.labels[scope] ?? '' }] : []),
  ];
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await api('/silences', {
        body: { matchers, endsAt: new Date(Date.now() + Number(duration) * 1000).toISOString(), comment },
      });
      toast('Silenced', {
        tone: 'success',
        description: `${alert.ruleId} for ${DURATIONS.find((d) => d.value === duration)?.label}`,
      });
      onOpenChange(false);
      setComment('');
      onDone();
      alertsChanged();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <form onSubmit={submit} className="flex flex-col gap-4" data-testid="silence-form">
          <DialogHeader>
            <DialogTitle>Silence this alert</DialogTitle>
            <DialogDescription>
              Matches {matchers.map((m) => `${m.name}="${m.value}"`).join(', ')}. It still shows here, marked silenced;
              nobody is paged until the silence ends.
            </DialogDescription>
          </DialogHeader>
          <div className="flex flex-col gap-1.5">
            <Label>For</Label>
            <SimpleSelect
              value={duration}
              onValueChange={setDuration}
              options={DURATIONS}
              aria-label="Silence duration"
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="silence-comment">Why</Label>
            <Textarea
              id="silence-comment"
              required
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder="Planned reboot, provider incident…"
            />
          </div>
          {error && (
            <p role="alert" className="text-sm text-danger">
              {error}
            </p>
          )}
          <DialogFooter>
            <Button type="submit" disabled={saving || !comment.trim()} data-testid="silence-submit">
              {saving ? <Loader2 className="animate-spin" /> : <BellOff />} Silence
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
