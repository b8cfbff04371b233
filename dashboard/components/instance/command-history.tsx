'use client';
import { History } from 'lucide-react';
import { EmptyState } from '@/components/ui/empty-state';
import { commandName, describeParams, describeResult } from '@/lib/command-text';
import { fmtAgo } from '@/lib/format';
import type { Command } from '@/lib/types';
import { CommandStatus } from './command-status';

/** Commands sent to the instance, newest first, with their live state. */
export function CommandHistory({ commands, historyAvailable }: { commands: Command[]; historyAvailable: boolean }) {
  if (!commands.length)
    return (
      <EmptyState
        icon={History}
        title="No commands yet"
        description={
          historyAvailable
            ? 'Actions you take on this instance are listed here.'
            : 'This hub does not list past commands; commands sent from this page appear here.'
        }
      />
    );
  return (
    <ul className="flex flex-col divide-y divide-border" data-testid="command-history">
      {commands.slice(0, 30).map((c) => (
        <li key={c.id} className="flex items-center gap-3 py-2 text-sm" data-command-type={c.type}>
          <div className="min-w-0 flex-1">
            <p className="truncate font-medium">
              {commandName(c.type)}{' '}
              <span className="font-normal text-muted-foreground">{describeParams(c.type, c.params)}</span>
            </p>
            <p className="truncate text-xs text-muted-foreground" data-testid="command-detail">
              {c.error?.message ||
                c.progress?.message ||
                (c.status === 'succeeded' ? describeResult(c.type, c.result) : '') ||
                c.type}
            </p>
          </div>
          <span className="shrink-0 text-[11px] text-muted-foreground">
            {fmtAgo(c.updatedAt ?? c.createdAt ?? null)}
          </span>
          <CommandStatus status={c.status} />
        </li>
      ))}
    </ul>
  );
}
