import { Radio } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { fmtDuration } from '@/lib/format';
import type { Instance } from '@/lib/types';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex items-center justify-between gap-3 py-1.5 text-sm">
      <span className="text-muted-foreground">{label}</span>
      <span className="min-w-0 truncate text-right font-medium">{children}</span>
    </div>
  );
}

/** OpenClaw's health, model, version, uptime and channels as the sidecar last reported them. */
export function OpenclawPanel({ instance }: { instance: Instance }) {
  const oc = instance.openclaw;
  const health = !oc ? (
    <Badge variant="outline">not reported yet</Badge>
  ) : oc.present === false ? (
    <Badge variant="warning">not installed</Badge>
  ) : oc.up === false && oc.restarting ? (
    <Badge variant="warning">restarting</Badge>
  ) : oc.up === false ? (
    <Badge variant="danger">down</Badge>
  ) : oc.ready === false ? (
    <Badge variant="warning">starting</Badge>
  ) : (
    <Badge variant="success">healthy</Badge>
  );
  return (
    <div className="flex flex-col" data-testid="openclaw-panel">
      <Row label="Health">{health}</Row>
      <Row label="Model">
        <span className="font-mono text-xs">{oc?.model ?? '—'}</span>
      </Row>
      <Row label="Version">
        <span className="font-mono text-xs">{oc?.version ?? '—'}</span>
      </Row>
      <Row label="OpenClaw uptime">
        {oc?.up && oc.uptimeMs !== undefined ? fmtDuration(oc.uptimeMs / 1000) : oc?.up === false ? 'not running' : '—'}
      </Row>
      <Row label="Machine uptime">{fmtDuration(instance.metrics?.uptime)}</Row>
      <Row label="Paused">{oc?.paused ? <Badge variant="warning">paused</Badge> : 'no'}</Row>
      {oc?.error && oc.present !== false && (
        <p className="mt-1 rounded-md bg-danger/10 px-2 py-1 text-xs text-danger">{oc.error}</p>
      )}
      <div className="mt-3 border-t border-border pt-3">
        <p className="mb-2 text-xs text-muted-foreground">Channels</p>
        {oc?.channels?.length ? (
          <div className="flex flex-wrap gap-1.5">
            {oc.channels.map((c) => (
              <Badge
                key={c.id}
                variant={c.error ? 'danger' : c.connected ? 'success' : c.enabled === false ? 'outline' : 'warning'}
                title={c.error ?? undefined}
              >
                <Radio className="size-3" /> {c.id}
              </Badge>
            ))}
          </div>
        ) : (
          <p className="text-xs text-muted-foreground">No channels reported</p>
        )}
      </div>
    </div>
  );
}
