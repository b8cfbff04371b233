'use client';
import { Pencil } from 'lucide-react';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import { fmtCents, HARD_LIMIT_OPTIONS, type Plan } from '@/lib/billing';
import { fmtCompact } from '@/lib/format';
import type { ApiState } from '@/lib/use-api';
import { PlanForm } from './plan-form';

const hardLimitLabel = (p: Plan) => HARD_LIMIT_OPTIONS.find((o) => o.value === p.hardLimit)?.label ?? p.hardLimit;

/** The plans the hub sells, each editable by an admin (price, allowances, models, hard-limit policy). */
export function PlansCard({ plans, canEdit }: { plans: ApiState<Plan[]>; canEdit: boolean }) {
  const [editing, setEditing] = useState<Plan | null>(null);
  if (plans.loading && !plans.data) return <Skeleton className="h-40" />;
  return (
    <Card data-testid="plans">
      <CardHeader>
        <CardTitle>Plans</CardTitle>
        <CardDescription>
          What each client pays and may use. Changes apply to this month&apos;s usage and the next invoice.
        </CardDescription>
      </CardHeader>
      <CardContent className="overflow-x-auto">
        {plans.error ? (
          <p className="text-sm text-danger">Could not load plans: {plans.error}</p>
        ) : (
          <table className="w-full min-w-[760px] text-sm">
            <thead>
              <tr className="border-b border-border text-left text-xs text-muted-foreground">
                <th className="py-2 font-medium">Plan</th>
                <th className="py-2 font-medium">Price</th>
                <th className="py-2 font-medium">Included</th>
                <th className="py-2 font-medium">Overage / 1,000 messages</th>
                <th className="py-2 font-medium">Models</th>
                <th className="py-2 font-medium">At the hard budget</th>
                <th className="py-2" />
              </tr>
            </thead>
            <tbody>
              {(plans.data ?? []).map((p) => (
                <tr key={p.id} className="border-b border-border last:border-0" data-testid="plan-row">
                  <td className="py-2">
                    <p className="font-medium">{p.name}</p>
                    <p className="font-mono text-[11px] text-muted-foreground">{p.id}</p>
                  </td>
                  <td className="py-2 tabular-nums">{fmtCents(p.priceCents, p.currency)}</td>
                  <td className="py-2 text-xs tabular-nums">
                    {fmtCompact(p.includedMessages)} messages · {fmtCompact(p.includedTokens)} tokens
                  </td>
                  <td className="py-2 tabular-nums">{fmtCents(p.overagePer1kMessagesCents, p.currency)}</td>
                  <td className="py-2">
                    {p.models.length ? (
                      <div className="flex flex-wrap gap-1">
                        {p.models.map((m) => (
                          <Badge key={m} variant="outline" className="font-mono text-[10px]">
                            {m}
                          </Badge>
                        ))}
                      </div>
                    ) : (
                      <span className="text-xs text-muted-foreground">any</span>
                    )}
                  </td>
                  <td className="py-2 text-xs">
                    {hardLimitLabel(p)}
                    {p.hardLimit === 'model' && p.fallbackModel ? (
                      <span className="block font-mono text-[10px] text-muted-foreground">{p.fallbackModel}</span>
                    ) : null}
                  </td>
                  <td className="py-2 text-right">
                    {canEdit && (
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={`Edit the ${p.name} plan`}
                        onClick={() => setEditing(p)}
                      >
                        <Pencil /> Edit
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </CardContent>
      <Dialog open={!!editing} onOpenChange={(o) => !o && setEditing(null)}>
        <DialogContent className="max-w-2xl">
          <DialogHeader>
            <DialogTitle>Edit the {editing?.name} plan</DialogTitle>
            <DialogDescription>Amounts in the plan&apos;s currency; the hub stores whole cents.</DialogDescription>
          </DialogHeader>
          {editing && (
            <PlanForm
              key={editing.id}
              plan={editing}
              onSaved={(p) => {
                toast('Plan saved', { tone: 'success', description: p.name });
                setEditing(null);
                plans.reload();
              }}
            />
          )}
        </DialogContent>
      </Dialog>
    </Card>
  );
}
