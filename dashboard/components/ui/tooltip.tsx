'use client';
import { Tooltip as T } from 'radix-ui';
import type * as React from 'react';

export const TooltipProvider = T.Provider;

/** A small hint on hover or focus. */
export function Tip({ content, children }: { content: React.ReactNode; children: React.ReactNode }) {
  return (
    <T.Root delayDuration={250}>
      <T.Trigger asChild>{children}</T.Trigger>
      <T.Portal>
        <T.Content
          sideOffset={6}
          className="z-50 rounded-md border border-border bg-popover px-2 py-1 text-xs text-foreground shadow-lg"
        >
          {content}
        </T.Content>
      </T.Portal>
    </T.Root>
  );
}
