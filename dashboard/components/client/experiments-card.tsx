'use client';
import { FlaskConical } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { asList } from '@/lib/api';
import { fmtMoney, fmtNumber, fmtPct } from '@/lib/format';
import { useApi } from '@/lib/use-api';

interface VariantMetrics {
  sessions: number;
  resolutionRate: number;
  sentimentMean: number | null;
  replyLengthMean: number;
  costMean: number;
}

/** An experiment as GET /experiments returns it (the fields shown here). */
export interface ExperimentRow {
  id: string;
  name: string;
  status: 'running' | 'decided' | 'stopped';
  variantA: { label: string };
  variantB: { label: string };
  winner: 'A' | 'B' | null;
  stopReason: string | null;
  evaluation: {
    a: VariantMetrics;
    b: VariantMetrics;
    look: number;
    looks: number;
    alphaPerLook: number;
    resolution: { p: number } | null;
    reason: string;
  } | null;
}

const STATUS = {
  running: { label: 'Running', variant: 'accent' },
  decided: { label: 'Winner found', variant: 'success' },
  stopped: { label: 'No winner', variant: 'outline' },
} as const;

/** A/B experiments of the agent's persona with per-variant results and a resolution-rate bar chart. */
export function ExperimentsCard({ instanceId }: { instanceId: string }) {
  const { data, error } = useApi<ExperimentRow[]>('/experiments', {
    query: { instanceId },
    map: (r) => asList<ExperimentRow>(r),
  });
  return (
    <Card data-testid="experiments-card">
      <CardHeader>
        <CardTitle>Persona experiments</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        {error && <p className="text-sm text-danger">Could not load experiments: {error}</p>}
        {data && data.length === 0 && (
          <EmptyState
            icon={FlaskConical}
            title="No experiments yet"
            description="An A/B test serves two versions of your agent's instructions to different people and keeps the one that resolves more questions."
          />
        )}
        {data?.map((e) => (
          <Experiment key={e.id} e={e} />
        ))}
      </CardContent>
    </Card>
  );
}

function Experiment({ e }: { e: ExperimentRow }) {
  const s = STATUS[e.status];
  const ev = e.evaluation;
  const rows = [
    { key: 'A', label: e.variantA.label, m: ev?.a },
    { key: 'B', label: e.variantB.label, m: ev?.b },
  ];
  return (
    <section className="flex flex-col gap-3" data-testid="experiment" data-status={e.status} aria-label={e.name}>
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="text-sm font-semibold">{e.name}</h3>
        <Badge variant={s.variant}>{s.label}</Badge>
        {e.winner && <Badge variant="success">Winner: {e.winner}</Badge>}
      </div>
      <div className="flex flex-col gap-2" role="img" aria-label="Resolution rate per variant">
        {rows.map((r) => (
          <div key={r.key} className="grid grid-cols-[9rem_1fr_3.5rem] items-center gap-2 text-xs">
            <span className="truncate text-muted-foreground" title={r.label}>
              {r.key}: {r.label}
            </span>
            <div className="h-3 overflow-hidden rounded-full bg-muted">
              <div
                className={
                  r.key === 'B' ? 'h-full rounded-full bg-accent' : 'h-full rounded-full bg-muted-foreground/60'
                }
                style={{ width: `${Math.round((r.m?.resolutionRate ?? 0) * 100)}%` }}
                data-testid={`bar-${r.key}`}
              />
            </div>
            <span className="text-right tabular-nums">{fmtPct((r.m?.resolutionRate ?? 0) * 100)}</span>
          </div>
        ))}
      </div>
      <table className="w-full text-left text-xs">
        <thead className="text-muted-foreground">
          <tr>
            <th className="py-1 font-medium">Variant</th>
            <th className="py-1 font-medium">People</th>
            <th className="py-1 font-medium">Resolved</th>
            <th className="py-1 font-medium">Sentiment</th>
            <th className="py-1 font-medium">Reply length</th>
            <th className="py-1 font-medium">Cost / conversation</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className="border-t border-border">
              <td className="py-1">{r.key}</td>
              <td className="py-1 tabular-nums">{fmtNumber(r.m?.sessions ?? 0)}</td>
              <td className="py-1 tabular-nums">{fmtPct((r.m?.resolutionRate ?? 0) * 100, 1)}</td>
              <td className="py-1 tabular-nums">{r.m?.sentimentMean == null ? '—' : r.m.sentimentMean.toFixed(2)}</td>
              <td className="py-1 tabular-nums">{fmtNumber(r.m?.replyLengthMean ?? 0)} chars</td>
              <td className="py-1 tabular-nums">{fmtMoney(r.m?.costMean ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-xs text-muted-foreground" data-testid="experiment-reason">
        {e.stopReason ?? ev?.reason ?? 'Waiting for the first conversations.'}
        {ev?.resolution &&
          ` · p = ${ev.resolution.p.toPrecision(2)}, needs < ${ev.alphaPerLook.toPrecision(2)} (look ${ev.look}/${ev.looks})`}
      </p>
    </section>
  );
}
