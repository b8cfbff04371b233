import { Frown, Meh, Smile } from 'lucide-react';
import { Tip } from '@/components/ui/tooltip';
import { sentimentClass } from '@/lib/conversations';
import { cn } from '@/lib/utils';

const MAP = {
  positive: { icon: Smile, cls: 'text-success bg-success/10', label: 'Positive' },
  neutral: { icon: Meh, cls: 'text-muted-foreground bg-muted', label: 'Neutral' },
  negative: { icon: Frown, cls: 'text-danger bg-danger/10', label: 'Negative' },
  unknown: { icon: Meh, cls: 'text-muted-foreground/50 bg-muted/50', label: 'Not scored' },
};

/** A face for a sentiment score, with the score in a tooltip. */
export function SentimentIndicator({ score, className }: { score: number | null | undefined; className?: string }) {
  const k = sentimentClass(score);
  const { icon: Icon, cls, label } = MAP[k];
  return (
    <Tip content={`${label}${typeof score === 'number' ? ` (${score.toFixed(2)})` : ''}`}>
      <span
        className={cn('inline-grid size-7 shrink-0 place-items-center rounded-full', cls, className)}
        data-testid="sentiment"
        data-sentiment={k}
      >
        <Icon className="size-4" />
      </span>
    </Tip>
  );
}
