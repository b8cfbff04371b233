'use client';
import Link from 'next/link';
import { memo } from 'react';
import { ConsoleButton } from '@/components/instance/console-dialog';
import { HealthDot, StatusBadge } from '@/components/status/health';
import { fmtAgo } from '@/lib/format';
import { healthOf } from '@/lib/health';
import type { Instance } from '@/lib/types';
import { cn } from '@/lib/utils';

function Meter({ label, value }: { label: string; value: number | undefined }) {
  const v = value !== undefined && Number.isFinite(value) ? value : null;
  const tone = v === null ? 'bg-muted' : v >= 90 ? 'bg-danger' : v >= 75 ? 'bg-warning' : 'bg-cyan';
  return (
    <div className="min-w-0">
      <div className="flex justify-between text-[10px] text-muted-foreground">
        <span>{label}</span>
        <span className="font-mono tabular-nums text-foreground/80">{v === null ? '—' : `${v.toFixed(0)}%`}</span>
      </div>
      <div className="mt-1 h-1 overflow-hidden rounded-full bg-muted">
        <div
          className={cn('h-full rounded-full transition-[width] duration-700', tone)}
          style={{ width: `${v ?? 0}%` }}
        />
      </div>
    </div>
  );
}

/**
 * One instance in the fleet grid. Memoised on the instance object: the fleet store replaces
 * only the objects of instances that changed, so the rest of the grid skips rendering. The whole
 * tile opens the instance (a stretched link on the hostname); the console button (for those who
 * may open one) sits above that link.
 */
export const InstanceTile = memo(function InstanceTile({
  instance: i,
  clientName,
  firing,
  withConsole,
}: {
  instance: Instance;
  clientName?: string;
  /** Summaries of the instance's firing alerts. */
  firing?: string[];
  withConsole?: boolean;
}) {
  const { health, reasons } = healthOf(i);
  const m = i.metrics ?? {};
  const oc = i.openclaw;
  return (
    <div
      data-testid="instance-tile"
      data-instance-id={i.id}
      data-status={i.status}
      data-health={health}
      className={cn(
        'glass group relative flex flex-col gap-3 rounded-xl p-4 transition-all duration-200 focus-within:border-accent/60 hover:-translate-y-0.5 hover:border-accent/40 hover:shadow-cyan/10',
        health === 'red' && 'border-danger/40',
        health === 'yellow' && 'border-warning/30',
      )}
    >
      <div className="flex items-start gap-2">
        <HealthDot health={health} className="mt-1.5" />
        <div className="min-w-0 flex-1">
          <Link
            href={`/instance/?id=${encodeURIComponent(i.id)}`}
            className="block truncate text-sm font-semibold outline-none after:absolute after:inset-0 after:rounded-xl group-hover:text-accent"
          >
            {i.hostname}
          </Link>
          <p className="truncate text-xs text-muted-foreground">{clientName ?? i.clientId}</p>
        </div>
        <StatusBadge status={i.status} />
      </div>
      {firing && firing.length > 0 && (
        <p
          className="truncate rounded-md bg-danger/10 px-2 py-1 text-[11px] text-danger"
          data-testid="tile-alerts"
          title={firing.join('\n')}
        >
          {firing.length} firing · {firing[0]}
        </p>
      )}
      <div className="grid grid-cols-3 gap-3">
        <Meter label="CPU" value={m.cpu} />
        <Meter label="MEM" value={m.memory} />
        <Meter label="DISK" value={m.disk} />
      </div>
      <div className="flex items-center justify-between gap-2 text-[11px] text-muted-foreground">
        <span className="truncate">
          {oc?.present === false
            ? 'OpenClaw absent'
            : oc?.up === false && oc.restarting
              ? 'OpenClaw restarting'
              : oc?.up === false
                ? 'OpenClaw down'
                : (oc?.model ?? 'model unknown')}
        </span>
        <span className="shrink-0 font-mono">{oc?.version ? `v${oc.version}` : ''}</span>
      </div>
      <div className="flex items-center justify-between gap-2 border-t border-border pt-2 text-[11px]">
        <span
          className={cn(
            'truncate',
            health === 'green' ? 'text-muted-foreground' : health === 'red' ? 'text-danger' : 'text-warning',
          )}
        >
          {reasons[0] ?? 'All checks passing'}
        </span>
        <span className="flex shrink-0 items-center gap-2 text-muted-foreground">
          {fmtAgo(i.lastSeen)}
          {withConsole && (
            <span className="relative z-10">
              <ConsoleButton compact instanceId={i.id} hostname={i.hostname} />
            </span>
          )}
        </span>
      </div>
    </div>
  );
});
