import { Badge } from '@/components/ui/badge';
import type { Health } from '@/lib/health';
import type { InstanceStatus } from '@/lib/types';
import { cn } from '@/lib/utils';

const DOT: Record<Health, string> = {
  green: 'bg-success text-success',
  yellow: 'bg-warning text-warning',
  red: 'bg-danger text-danger',
};

/** A coloured dot for a traffic-light health; it pulses while green (alive). */
export function HealthDot({ health, className }: { health: Health; className?: string }) {
  return (
    <span
      className={cn(
        'inline-block size-2.5 shrink-0 rounded-full',
        DOT[health],
        health === 'green' && 'pulse-dot',
        className,
      )}
      aria-hidden
    />
  );
}

const STATUS_VARIANT: Record<InstanceStatus, 'success' | 'danger' | 'warning' | 'outline' | 'accent'> = {
  online: 'success',
  offline: 'danger',
  error: 'danger',
  paused: 'warning',
  provisioning: 'accent',
};

export function StatusBadge({ status }: { status: InstanceStatus }) {
  return (
    <Badge variant={STATUS_VARIANT[status] ?? 'outline'} data-testid="status-badge">
      {status}
    </Badge>
  );
}
