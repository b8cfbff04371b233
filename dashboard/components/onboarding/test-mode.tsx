import { FlaskConical } from 'lucide-react';
import { cn } from '@/lib/utils';

/** The mark of a client set up in test mode: no real provider key, so the agent is not live. */
export function TestModeBadge({ className }: { className?: string }) {
  return (
    <span
      data-testid="test-mode-badge"
      className={cn(
        'inline-flex shrink-0 items-center gap-1 rounded-full border border-amber-500/50 bg-amber-400/15 px-2 py-0.5 text-xs font-medium text-amber-800 dark:text-amber-200',
        className,
      )}
    >
      <FlaskConical className="size-3.5" aria-hidden="true" />
      Test mode · not live
    </span>
  );
}
