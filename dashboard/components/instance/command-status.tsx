import { Loader2 } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import type { CommandState } from '@/lib/types';

const VARIANT: Record<CommandState, 'success' | 'danger' | 'warning' | 'outline' | 'accent'> = {
  queued: 'outline',
  delivered: 'accent',
  running: 'accent',
  succeeded: 'success',
  failed: 'danger',
  timed_out: 'danger',
  rejected: 'danger',
  canceled: 'warning',
};

export function CommandStatus({ status }: { status: CommandState }) {
  const busy = status === 'queued' || status === 'delivered' || status === 'running';
  return (
    <Badge variant={VARIANT[status] ?? 'outline'} data-testid="command-status" data-status={status}>
      {busy && <Loader2 className="size-3 animate-spin" />}
      {status.replace('_', ' ')}
    </Badge>
  );
}
