'use client';
import { useEffect } from 'react';
import { Tip } from '@/components/ui/tooltip';
import { getSocket, useLiveState } from '@/lib/live';
import { cn } from '@/lib/utils';

/**
 * Dot + word showing whether the live stream is connected. It opens the tab's one shared socket
 * itself, so the word tells the socket's state on every page, also on those that listen to
 * nothing (a page that never subscribed would otherwise read "Connecting" forever).
 */
export function LiveIndicator() {
  const s = useLiveState();
  useEffect(() => {
    // Token or session cookie (SSO): the socket authenticates as the page does.
    getSocket();
  }, []);
  const label = s.status === 'connected' ? 'Live' : s.status === 'connecting' ? 'Connecting' : 'Offline';
  const color =
    s.status === 'connected'
      ? 'bg-success text-success'
      : s.status === 'connecting'
        ? 'bg-warning text-warning'
        : 'bg-danger text-danger';
  return (
    <Tip content={s.error ? `Live stream: ${s.error}` : `Live stream ${s.status}`}>
      <span
        className="inline-flex items-center gap-2 rounded-full border border-border px-2.5 py-1 text-xs"
        data-testid="live-indicator"
        data-status={s.status}
      >
        <span className={cn('size-2 rounded-full', color, s.status === 'connected' && 'pulse-dot')} />
        {label}
      </span>
    </Tip>
  );
}
