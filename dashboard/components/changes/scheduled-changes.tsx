'use client';
import { CalendarClock, X } from 'lucide-react';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { COMMAND_LABEL } from '@/lib/commands';
import { fmtTime } from '@/lib/format';
import { isWaiting, type ScheduledChange, useScheduledChanges } from '@/lib/scheduled-changes';

const STATUS_VARIANT: Record<ScheduledChange['status'], 'accent' | 'success' | 'danger' | 'outline' | 'warning'> = {
  scheduled: 'accent',
  dispatching: 'accent',
  dispatched: 'success',
  failed: 'danger',
  missed: 'warning',
  canceled: 'outline',
};

/** What the change does, in a few words: the model or version it sets. */
function summary(s: ScheduledChange): string {
  const label = COMMAND_LABEL[s.type] ?? s.type;
  const what = (s.params.model ?? s.params.version) as string | undefined;
  return what ? `${label} → ${what}` : label;
}

/**
 * Changes waiting for their client's maintenance window (and the last ones that ran), with when
 * each will run and a Cancel for those still waiting. `instanceId` limits it to one instance;
 * `hideWhenEmpty` shows nothing while no change waits (the instance page).
 */
export function ScheduledChanges({
  instanceId,
  hideWhenEmpty = false,
  canCancel = true,
}: {
  instanceId?: string;
  hideWhenEmpty?: boolean;
  canCancel?: boolean;
}) {
  const { data, cancel } = useScheduledChanges(instanceId);
  const list = data ?? [];
  const waiting = list.filter(isWaiting);
  if (hideWhenEmpty && !waiting.length) return null;
  const shown = hideWhenEmpty ? waiting : list.slice(0, 20);
  return (
    <section className="flex flex-col gap-2" data-testid="scheduled-changes" aria-label="Scheduled changes">
      <h3 className="flex items-center gap-2 text-sm font-medium">
        <CalendarClock className="size-4 text-accent" /> Scheduled for the maintenance window
        <span className="text-xs text-muted-foreground">({waiting.length} waiting)</span>
      </h3>
      {!shown.length ? (
        <p className="text-sm text-muted-foreground">No change is waiting for a window.</p>
      ) : (
        <ul className="flex flex-col divide-y divide-border rounded-lg border border-border">
          {shown.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center gap-3 px-3 py-2 text-sm" data-status={s.status}>
              <span className="flex-1 font-medium">
                {summary(s)}
                {!instanceId && (
                  <>
                    {' · '}
                    <Link
                      className="text-accent hover:underline"
                      href={`/instance/?id=${encodeURIComponent(s.instanceId)}`}
                    >
                      {s.hostname ?? s.instanceId}
                    </Link>
                  </>
                )}
              </span>
              <span className="text-xs text-muted-foreground">
                {isWaiting(s)
                  ? s.nextRunAt
                    ? `runs ${fmtTime(s.nextRunAt, true)}`
                    : 'no window ahead'
                  : `${s.status} ${fmtTime(s.updatedAt, true)}${s.error ? `: ${s.error}` : ''}`}
                {' · by '}
                {s.createdBy}
              </span>
              <Badge variant={STATUS_VARIANT[s.status]}>{s.status}</Badge>
              {canCancel && s.status === 'scheduled' && (
                <Button size="sm" variant="outline" onClick={() => void cancel(s.id)} data-testid="cancel-scheduled">
                  <X /> Cancel
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
