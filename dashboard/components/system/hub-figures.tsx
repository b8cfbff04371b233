'use client';
import { Gauge } from 'lucide-react';
import { useEffect, useState } from 'react';
import { EmptyState } from '@/components/ui/empty-state';
import { fmtNumber } from '@/lib/format';
import { type PromSample, parsePrometheus, parsePrometheusHelp, promLabel } from '@/lib/prometheus';

/**
 * The hub's own figures from GET /metrics (per-instance series left out), refreshed every 5 s,
 * each named by its description (the exposition's HELP line), the raw name on hover.
 */
export function HubFigures() {
  const [samples, setSamples] = useState<PromSample[] | null>(null);
  const [help, setHelp] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const res = await fetch(`${process.env.NEXT_PUBLIC_HUB_URL ?? ''}/metrics`, { credentials: 'include' });
        if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
        if (!stop) {
          const text = await res.text();
          setHelp(parsePrometheusHelp(text));
          setSamples(parsePrometheus(text).filter((s) => !('instance' in s.labels) && !('instance_id' in s.labels)));
          setError(null);
        }
      } catch (e) {
        if (!stop) setError((e as Error).message);
      }
    };
    load();
    const t = setInterval(load, 5000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, []);
  if (error && !samples) return <p className="text-xs text-danger">{error}</p>;
  if (!samples?.length) return <EmptyState icon={Gauge} title="No hub figures yet" />;
  const shown = samples
    .filter((s) => !s.name.endsWith('_bucket') && !s.name.startsWith('process_') && !s.name.startsWith('nodejs_'))
    .slice(0, 40);
  return (
    <div className="grid grid-cols-1 gap-x-6 sm:grid-cols-2" data-testid="hub-figures">
      {shown.map((s) => {
        const lbl = Object.entries(s.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        const words = Object.values(s.labels).join(' · ');
        return (
          <div
            key={`${s.name}{${lbl}}`}
            className="flex items-start justify-between gap-3 border-b border-border py-1.5 text-xs"
          >
            <span className="min-w-0 text-muted-foreground" title={`${s.name} ${lbl}`} data-testid="hub-figure-label">
              {promLabel(s.name, help)}
              {words && <span className="text-foreground/70"> · {words}</span>}
            </span>
            <span className="shrink-0 font-mono tabular-nums">{fmtNumber(s.value, 2)}</span>
          </div>
        );
      })}
    </div>
  );
}
