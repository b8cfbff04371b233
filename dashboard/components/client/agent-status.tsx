import { Bot } from 'lucide-react';
import { HealthDot } from '@/components/status/health';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { fmtAgo, fmtDuration } from '@/lib/format';
import { healthOf } from '@/lib/health';
import type { Instance } from '@/lib/types';

/** Live status of the client's agent: state, model, uptime, channels. */
export function AgentStatus({ instance, paused: pausedProp }: { instance: Instance; paused?: boolean }) {
  const oc = instance.openclaw;
  const { health } = healthOf(instance);
  const paused = pausedProp ?? (instance.status === 'paused' || !!oc?.paused);
  const state =
    instance.status === 'offline'
      ? { text: 'Offline', variant: 'danger' as const }
      : paused
        ? { text: 'Paused', variant: 'warning' as const }
        : oc?.up === false
          ? { text: 'Down', variant: 'danger' as const }
          : oc?.present === false
            ? { text: 'Not installed', variant: 'warning' as const }
            : { text: 'Live', variant: 'success' as const };
  const uptimeSec = oc?.uptimeMs !== undefined ? oc.uptimeMs / 1000 : instance.metrics?.uptime;
  return (
    <Card className="relative overflow-hidden p-5" data-testid="agent-status" data-state={state.text.toLowerCase()}>
      <div className="pointer-events-none absolute -top-16 -right-16 size-48 rounded-full bg-cyan/10 blur-2xl" />
      <div className="flex items-center gap-3">
        <span className="grid size-11 place-items-center rounded-xl bg-gradient-to-br from-brand to-cyan/60 text-white shadow-lg">
          <Bot className="size-5" />
        </span>
        <div className="min-w-0 flex-1">
          <p className="text-xs text-muted-foreground">Your agent</p>
          <p className="truncate font-semibold">{instance.hostname}</p>
        </div>
        <Badge variant={state.variant} className="text-xs" data-testid="agent-state">
          <HealthDot
            health={state.variant === 'success' ? health : state.variant === 'warning' ? 'yellow' : 'red'}
            className="size-2"
          />
          {state.text}
        </Badge>
      </div>
      <dl className="mt-4 grid grid-cols-3 gap-3 text-sm">
        <div className="min-w-0">
          <dt className="text-xs text-muted-foreground">Model</dt>
          <dd className="truncate font-mono text-xs" data-testid="agent-model">
            {oc?.model ?? '—'}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Uptime</dt>
          <dd className="font-medium">{fmtDuration(uptimeSec)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Last seen</dt>
          <dd className="font-medium">{fmtAgo(instance.lastSeen)}</dd>
        </div>
      </dl>
      {!!oc?.channels?.length && (
        <div className="mt-3 flex flex-wrap gap-1.5">
          {oc.channels.map((c) => (
            <Badge key={c.id} variant={c.connected ? 'success' : 'outline'}>
              {c.id}
            </Badge>
          ))}
        </div>
      )}
    </Card>
  );
}
