'use client';
import { validateParams } from '@protocol/commands/catalog';
import { Check, ChevronLeft, ChevronRight, Loader2, Rocket } from 'lucide-react';
import { AnimatePresence, motion } from 'motion/react';
import { useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { ApiError, api } from '@/lib/api';
import { ROLLOUT_COMMANDS, type RolloutRequest, type RolloutTarget } from '@/lib/rollouts';
import type { Instance } from '@/lib/types';
import { cn } from '@/lib/utils';

const STEPS = ['Target', 'Command', 'Waves', 'Review'] as const;

/**
 * Four steps to a rollout: who (all, chosen instances or a selector), what command, how in
 * waves (size or percent, pause, abort threshold), then review and start.
 */
export function RolloutWizard({
  instances,
  onStarted,
  onUnavailable,
}: {
  instances: Instance[];
  onStarted: (id: string) => void;
  onUnavailable: () => void;
}) {
  const [step, setStep] = useState(0);
  const [targetKind, setTargetKind] = useState<'all' | 'ids' | 'selector'>('all');
  const [ids, setIds] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  const [selector, setSelector] = useState({ plan: '', label: '', openclawVersion: '' });
  const [type, setType] = useState<string>('openclaw.update');
  const [param, setParam] = useState('');
  const [waveMode, setWaveMode] = useState<'size' | 'percent'>('percent');
  const [waveValue, setWaveValue] = useState(10);
  const [pauseBetweenSec, setPause] = useState(60);
  const [maxFailurePct, setMaxFailurePct] = useState(10);
  const [minExecuted, setMinExecuted] = useState(5);
  const [busy, setBusy] = useState(false);

  const cmd = ROLLOUT_COMMANDS.find((c) => c.type === type) ?? ROLLOUT_COMMANDS[0];
  const params = useMemo(() => ('param' in cmd && cmd.param ? { [cmd.param]: param.trim() } : {}), [cmd, param]);
  const check = validateParams(type, params);
  const target: RolloutTarget =
    targetKind === 'all'
      ? { all: true }
      : targetKind === 'ids'
        ? { ids }
        : { selector: Object.fromEntries(Object.entries(selector).filter(([, v]) => v.trim())) as { plan?: string } };
  const targetCount = targetKind === 'all' ? instances.length : targetKind === 'ids' ? ids.length : null;
  const valid = [
    targetKind !== 'ids' ? targetKind !== 'selector' || Object.values(selector).some((v) => v.trim()) : ids.length > 0,
    check.ok,
    waveValue > 0 && pauseBetweenSec >= 0 && maxFailurePct >= 0 && maxFailurePct <= 100 && minExecuted >= 0,
    true,
  ];
  const shown = instances
    .filter((i) => !filter || i.hostname.toLowerCase().includes(filter.toLowerCase()))
    .slice(0, 200);

  const start = async () => {
    if (!check.ok) return;
    const body: RolloutRequest = {
      type,
      params: check.params,
      target,
      ...(waveMode === 'size' ? { waveSize: waveValue } : { wavePercent: waveValue }),
      pauseBetweenSec,
      maxFailureRate: maxFailurePct / 100,
      minExecuted,
    };
    setBusy(true);
    try {
      const r = await api<{ id: string }>('/rollouts', { body });
      toast('Rollout started', { tone: 'success', description: r.id });
      onStarted(r.id);
      setStep(0);
    } catch (e) {
      if (e instanceof ApiError && e.notFound) onUnavailable();
      else toast('Could not start the rollout', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex flex-col gap-5" data-testid="rollout-wizard">
      <ol className="flex items-center gap-2">
        {STEPS.map((s, i) => (
          <li key={s} className="flex flex-1 items-center gap-2">
            <span
              className={cn(
                'grid size-7 shrink-0 place-items-center rounded-full border text-xs font-semibold transition-colors',
                i < step
                  ? 'border-success bg-success text-white'
                  : i === step
                    ? 'border-accent text-accent'
                    : 'border-border text-muted-foreground',
              )}
            >
              {i < step ? <Check className="size-3.5" /> : i + 1}
            </span>
            <span className={cn('hidden text-xs sm:inline', i === step ? 'text-foreground' : 'text-muted-foreground')}>
              {s}
            </span>
            {i < STEPS.length - 1 && <span className="h-px flex-1 bg-border" />}
          </li>
        ))}
      </ol>
      <AnimatePresence mode="wait">
        <motion.div
          key={step}
          initial={{ opacity: 0, x: 16 }}
          animate={{ opacity: 1, x: 0 }}
          exit={{ opacity: 0, x: -16 }}
          transition={{ duration: 0.18 }}
          className="min-h-56"
        >
          {step === 0 && (
            <div className="flex flex-col gap-3">
              <SimpleSelect
                aria-label="Target"
                value={targetKind}
                onValueChange={(v) => setTargetKind(v as typeof targetKind)}
                options={[
                  { value: 'all', label: `Every instance (${instances.length})` },
                  { value: 'ids', label: 'Chosen instances' },
                  { value: 'selector', label: 'By plan, label or version' },
                ]}
              />
              {targetKind === 'ids' && (
                <>
                  <Input placeholder="Filter by hostname" value={filter} onChange={(e) => setFilter(e.target.value)} />
                  <div className="max-h-48 overflow-y-auto rounded-lg border border-border p-1">
                    {shown.map((i) => (
                      <label
                        key={i.id}
                        className="flex cursor-pointer items-center gap-2 rounded px-2 py-1 text-sm hover:bg-muted"
                      >
                        <input
                          type="checkbox"
                          checked={ids.includes(i.id)}
                          onChange={(e) =>
                            setIds((cur) => (e.target.checked ? [...cur, i.id] : cur.filter((x) => x !== i.id)))
                          }
                        />
                        <span className="truncate">{i.hostname}</span>
                        <span className="ml-auto font-mono text-[10px] text-muted-foreground">
                          {i.openclaw?.version ?? ''}
                        </span>
                      </label>
                    ))}
                  </div>
                  <p className="text-xs text-muted-foreground">{ids.length} chosen</p>
                </>
              )}
              {targetKind === 'selector' && (
                <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
                  {(['plan', 'label', 'openclawVersion'] as const).map((k) => (
                    <div key={k} className="flex flex-col gap-1.5">
                      <Label htmlFor={`sel-${k}`}>
                        {k === 'openclawVersion' ? 'OpenClaw version' : k === 'label' ? 'Label (key=value)' : 'Plan'}
                      </Label>
                      <Input
                        id={`sel-${k}`}
                        value={selector[k]}
                        onChange={(e) => setSelector((s) => ({ ...s, [k]: e.target.value }))}
                      />
                    </div>
                  ))}
                </div>
              )}
            </div>
          )}
          {step === 1 && (
            <div className="flex flex-col gap-3">
              <SimpleSelect
                aria-label="Command"
                value={type}
                onValueChange={(v) => {
                  setType(v);
                  setParam('');
                }}
                options={ROLLOUT_COMMANDS.map((c) => ({ value: c.type, label: c.label }))}
              />
              {'param' in cmd && cmd.param && (
                <div className="flex flex-col gap-1.5">
                  <Label htmlFor="rollout-param">{cmd.param}</Label>
                  <Input
                    id="rollout-param"
                    value={param}
                    placeholder={cmd.placeholder}
                    onChange={(e) => setParam(e.target.value)}
                  />
                </div>
              )}
              {!check.ok && param && <p className="text-xs text-danger">{check.message}</p>}
            </div>
          )}
          {step === 2 && (
            <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
              <div className="flex flex-col gap-1.5">
                <Label>Wave size</Label>
                <div className="flex gap-2">
                  <Input
                    type="number"
                    min={1}
                    value={waveValue}
                    onChange={(e) => setWaveValue(Number(e.target.value))}
                  />
                  <SimpleSelect
                    aria-label="Wave unit"
                    className="w-40"
                    value={waveMode}
                    onValueChange={(v) => setWaveMode(v as 'size' | 'percent')}
                    options={[
                      { value: 'percent', label: '% of target' },
                      { value: 'size', label: 'instances' },
                    ]}
                  />
                </div>
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="pause-between">Pause between waves (s)</Label>
                <Input
                  id="pause-between"
                  type="number"
                  min={0}
                  value={pauseBetweenSec}
                  onChange={(e) => setPause(Number(e.target.value))}
                />
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="max-failure">Abort when failures exceed (%)</Label>
                <Input
                  id="max-failure"
                  type="number"
                  min={0}
                  max={100}
                  value={maxFailurePct}
                  onChange={(e) => setMaxFailurePct(Number(e.target.value))}
                />
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="min-executed">…after at least this many ran</Label>
                <Input
                  id="min-executed"
                  type="number"
                  min={0}
                  value={minExecuted}
                  onChange={(e) => setMinExecuted(Number(e.target.value))}
                />
              </div>
            </div>
          )}
          {step === 3 && (
            <dl className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-2">
              <Review
                k="Target"
                v={
                  targetKind === 'all'
                    ? `every instance (${targetCount})`
                    : targetKind === 'ids'
                      ? `${ids.length} chosen instances`
                      : JSON.stringify((target as { selector: object }).selector)
                }
              />
              <Review k="Command" v={`${cmd.label}${param ? ` → ${param}` : ''}`} />
              <Review
                k="Waves"
                v={waveMode === 'size' ? `${waveValue} instances each` : `${waveValue}% of the target each`}
              />
              <Review k="Pause" v={`${pauseBetweenSec} s between waves`} />
              <Review k="Abort" v={`failure rate above ${maxFailurePct}% once ${minExecuted} have run`} />
            </dl>
          )}
        </motion.div>
      </AnimatePresence>
      <div className="flex justify-between">
        <Button variant="outline" size="sm" onClick={() => setStep((s) => s - 1)} disabled={step === 0}>
          <ChevronLeft /> Back
        </Button>
        {step < 3 ? (
          <Button size="sm" variant="accent" onClick={() => setStep((s) => s + 1)} disabled={!valid[step]}>
            Next <ChevronRight />
          </Button>
        ) : (
          <Button size="sm" variant="accent" onClick={start} disabled={busy || !check.ok} data-testid="rollout-start">
            {busy ? <Loader2 className="animate-spin" /> : <Rocket />} Start rollout
          </Button>
        )}
      </div>
    </div>
  );
}

function Review({ k, v }: { k: string; v: string }) {
  return (
    <div className="rounded-lg border border-border p-3">
      <dt className="text-xs text-muted-foreground">{k}</dt>
      <dd className="mt-0.5 font-medium break-words">{v}</dd>
    </div>
  );
}
