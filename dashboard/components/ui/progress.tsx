import { cn } from '@/lib/utils';

/** A thin bar; the colour follows how close `value` is to `max` unless `tone` is given. */
export function Progress({
  value,
  max = 100,
  className,
  tone,
}: {
  value: number;
  max?: number;
  className?: string;
  tone?: 'accent' | 'success' | 'warning' | 'danger';
}) {
  const pct = max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  const t = tone ?? (pct >= 90 ? 'danger' : pct >= 75 ? 'warning' : 'accent');
  const bar = { accent: 'bg-cyan', success: 'bg-success', warning: 'bg-warning', danger: 'bg-danger' }[t];
  return (
    <div
      className={cn('h-1.5 w-full overflow-hidden rounded-full bg-muted', className)}
      role="progressbar"
      aria-valuenow={Math.round(pct)}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <div className={cn('h-full rounded-full transition-[width] duration-500', bar)} style={{ width: `${pct}%` }} />
    </div>
  );
}
