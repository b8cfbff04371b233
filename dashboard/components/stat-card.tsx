'use client';
import type { LucideIcon } from 'lucide-react';
import { motion } from 'motion/react';
import type * as React from 'react';
import { cn } from '@/lib/utils';

/** A headline number in a glass card, with an icon and an optional hint line. */
export function StatCard({
  label,
  value,
  hint,
  icon: Icon,
  tone = 'accent',
  className,
  testId,
}: {
  label: string;
  value: React.ReactNode;
  hint?: React.ReactNode;
  icon?: LucideIcon;
  tone?: 'accent' | 'success' | 'warning' | 'danger';
  className?: string;
  testId?: string;
}) {
  const toneCls = {
    accent: 'text-accent bg-accent-soft',
    success: 'text-success bg-success/10',
    warning: 'text-warning bg-warning/10',
    danger: 'text-danger bg-danger/10',
  }[tone];
  return (
    <motion.div
      initial={{ opacity: 0, y: 8 }}
      animate={{ opacity: 1, y: 0 }}
      transition={{ duration: 0.3 }}
      className={cn('glass flex items-start gap-3 rounded-2xl p-4', className)}
      data-testid={testId}
    >
      {Icon && (
        <span className={cn('rounded-xl p-2', toneCls)}>
          <Icon className="size-4" />
        </span>
      )}
      <div className="min-w-0">
        <p className="text-xs text-muted-foreground">{label}</p>
        <p
          className="mt-0.5 truncate text-2xl font-bold tabular-nums"
          data-testid={testId ? `${testId}-value` : undefined}
        >
          {value}
        </p>
        {hint && <p className="mt-0.5 truncate text-xs text-muted-foreground">{hint}</p>}
      </div>
    </motion.div>
  );
}
