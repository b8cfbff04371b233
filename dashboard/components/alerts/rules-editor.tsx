'use client';
import { Loader2, Save } from 'lucide-react';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import type { AlertRuleItem } from '@/lib/alerts';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';

/** The rules, each editable in place: on/off, threshold, pending time, keep-firing time. */
export function RulesEditor({ editable }: { editable: boolean }) {
  const rules = useApi<AlertRuleItem[]>('/alert-rules');
  if (rules.loading && !rules.data) return <Skeleton className="h-60" />;
  if (rules.error) return <p className="text-sm text-danger">Could not load rules: {rules.error}</p>;
  return (
    <Card className="overflow-x-auto p-0">
      <table className="w-full text-sm" data-testid="rules-table">
        <thead className="text-left text-xs text-muted-foreground">
          <tr className="border-b border-border">
            <th className="p-3">Rule</th>
            <th className="p-3">On</th>
            <th className="p-3">Threshold</th>
            <th className="p-3">Pending (s)</th>
            <th className="p-3">Keep firing (s)</th>
            <th className="p-3" />
          </tr>
        </thead>
        <tbody>
          {(rules.data ?? []).map((r) => (
            <RuleRow
              key={r.id}
              rule={r}
              editable={editable}
              onSaved={(n) => rules.setData((l) => (l ?? []).map((x) => (x.id === n.id ? n : x)))}
            />
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function RuleRow({
  rule,
  editable,
  onSaved,
}: {
  rule: AlertRuleItem;
  editable: boolean;
  onSaved: (r: AlertRuleItem) => void;
}) {
  const [enabled, setEnabled] = useState(rule.enabled);
  const [threshold, setThreshold] = useState(rule.threshold === null ? '' : String(rule.threshold));
  const [forSec, setForSec] = useState(String(rule.forSec));
  const [keep, setKeep] = useState(String(rule.keepFiringSec));
  const [saving, setSaving] = useState(false);
  const dirty =
    enabled !== rule.enabled ||
    forSec !== String(rule.forSec) ||
    keep !== String(rule.keepFiringSec) ||
    threshold !== (rule.threshold === null ? '' : String(rule.threshold));
  const save = async () => {
    setSaving(true);
    try {
      const body: Record<string, unknown> = { enabled, forSec: Number(forSec), keepFiringSec: Number(keep) };
      if (rule.threshold !== null) body.threshold = Number(threshold);
      const next = await api<AlertRuleItem>(`/alert-rules/${encodeURIComponent(rule.id)}`, { method: 'PATCH', body });
      onSaved(next);
      toast('Rule saved', { tone: 'success', description: rule.name });
    } catch (e) {
      toast('Could not save the rule', { tone: 'error', description: (e as Error).message });
    } finally {
      setSaving(false);
    }
  };
  const num = 'h-8 w-24';
  return (
    <tr className="border-b border-border last:border-0" data-testid="rule-row" data-rule={rule.id}>
      <td className="p-3">
        <p className="font-medium">{rule.name}</p>
        <p className="text-xs text-muted-foreground">
          {rule.id} <Badge variant="outline">{rule.severity}</Badge>
        </p>
      </td>
      <td className="p-3">
        <input
          type="checkbox"
          aria-label={`${rule.name} enabled`}
          checked={enabled}
          disabled={!editable}
          onChange={(e) => setEnabled(e.target.checked)}
        />
      </td>
      <td className="p-3">
        {rule.threshold === null ? (
          <span className="text-muted-foreground">—</span>
        ) : (
          <span className="flex items-center gap-2">
            <Input
              className={num}
              inputMode="decimal"
              aria-label={`${rule.name} threshold`}
              value={threshold}
              disabled={!editable}
              onChange={(e) => setThreshold(e.target.value)}
            />
            <span className="text-xs text-muted-foreground">{rule.thresholdUnit}</span>
          </span>
        )}
      </td>
      <td className="p-3">
        <Input
          className={num}
          inputMode="numeric"
          aria-label={`${rule.name} pending seconds`}
          value={forSec}
          disabled={!editable}
          onChange={(e) => setForSec(e.target.value)}
        />
      </td>
      <td className="p-3">
        <Input
          className={num}
          inputMode="numeric"
          aria-label={`${rule.name} keep firing seconds`}
          value={keep}
          disabled={!editable}
          onChange={(e) => setKeep(e.target.value)}
        />
      </td>
      <td className="p-3 text-right">
        {editable && (
          <Button size="sm" variant="outline" disabled={!dirty || saving} onClick={save}>
            {saving ? <Loader2 className="animate-spin" /> : <Save />} Save
          </Button>
        )}
      </td>
    </tr>
  );
}
