'use client';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { fmtMoney, fmtNumber, fmtPct } from '@/lib/format';
import { useApi } from '@/lib/use-api';

/** GET /clients/:id/weekly-report (the fields shown). */
interface WeeklyReport {
  week: string;
  volume: { conversations: number; userMessages: number; costUsd: number };
  previous: { conversations: number; resolutionRate: number | null };
  satisfaction: { sentimentMean: number | null; negativeShare: number | null; resolutionRate: number | null };
  topTopics: { topic: string; count: number; example: string }[];
  changes: { t: string; what: string }[];
  recommendations: { id: string; title: string; status: string }[];
}

const pct = (v: number | null) => (v === null ? '—' : fmtPct(v * 100));

/** This week's report for the client: the same one the owner gets by mail each Monday. */
export function WeeklyReportCard({ clientId }: { clientId: string }) {
  const { data, error, loading } = useApi<WeeklyReport>(`/clients/${encodeURIComponent(clientId)}/weekly-report`);
  return (
    <Card data-testid="weekly-report">
      <CardHeader>
        <CardTitle>This week{data ? ` (${data.week})` : ''}</CardTitle>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-5 text-sm md:grid-cols-2">
        {loading && !data && <Skeleton className="h-24 md:col-span-2" />}
        {error && <p className="text-danger md:col-span-2">Could not load the weekly report: {error}</p>}
        {data && (
          <>
            <dl className="grid grid-cols-2 gap-2">
              <dt className="text-muted-foreground">Conversations</dt>
              <dd className="tabular-nums" data-testid="weekly-conversations">
                {fmtNumber(data.volume.conversations)}{' '}
                <span className="text-xs text-muted-foreground">
                  (before: {fmtNumber(data.previous.conversations)})
                </span>
              </dd>
              <dt className="text-muted-foreground">Resolved without a person</dt>
              <dd className="tabular-nums">{pct(data.satisfaction.resolutionRate)}</dd>
              <dt className="text-muted-foreground">Negative messages</dt>
              <dd className="tabular-nums">{pct(data.satisfaction.negativeShare)}</dd>
              <dt className="text-muted-foreground">Cost</dt>
              <dd className="tabular-nums">{fmtMoney(data.volume.costUsd)}</dd>
            </dl>
            <div>
              <p className="mb-1 font-medium">Top topics</p>
              <ul className="flex flex-col gap-1 text-xs" data-testid="weekly-topics">
                {data.topTopics.length === 0 && <li className="text-muted-foreground">None yet.</li>}
                {data.topTopics.map((t) => (
                  <li key={t.topic}>
                    <span className="tabular-nums text-muted-foreground">{t.count}×</span> {t.example}
                  </li>
                ))}
              </ul>
            </div>
            <div>
              <p className="mb-1 font-medium">What changed</p>
              <ul className="flex flex-col gap-1 text-xs">
                {data.changes.length === 0 && <li className="text-muted-foreground">Nothing this week.</li>}
                {data.changes.map((c) => (
                  <li key={`${c.t}-${c.what}`}>
                    <span className="text-muted-foreground">{c.t.slice(0, 10)}</span> {c.what}
                  </li>
                ))}
              </ul>
            </div>
            <div>
              <p className="mb-1 font-medium">Recommendations</p>
              <ul className="flex flex-col gap-1 text-xs">
                {data.recommendations.length === 0 && <li className="text-muted-foreground">None this week.</li>}
                {data.recommendations.map((r) => (
                  <li key={r.id}>
                    {r.title} <span className="text-muted-foreground">({r.status})</span>
                  </li>
                ))}
              </ul>
            </div>
          </>
        )}
      </CardContent>
    </Card>
  );
}
