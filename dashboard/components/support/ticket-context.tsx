'use client';
import { Pause, Play, RotateCw } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';

/** What GET /tickets/:id/context returns, as far as the pane shows it. */
export interface Context {
  client: { name: string; plan: string } | null;
  usage: { month: string; messages: number; tokens: number; cost: number };
  instance: {
    id: string;
    hostname: string;
    status: string;
    paused: boolean;
    openclaw: { up?: boolean; ready?: boolean; error?: string | null; version?: string } | null;
    recentErrors: { t: string; level: string; msg: string }[];
    recentCommands: { id: string; type: string; status: string }[];
    consoleUrl: string | null;
  } | null;
}

/** The context beside a thread: client, usage, the instance's state, quick actions, recent errors and commands. */
export function TicketContext({
  ctx,
  busy,
  act,
}: {
  ctx: Context | null;
  busy: boolean;
  act: (action: string, model?: string) => void;
}) {
  const inst = ctx?.instance;
  return (
    <Card data-testid="ticket-context">
      <CardHeader>
        <CardTitle className="text-sm">Context</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-xs">
        {ctx?.client && (
          <p>
            {ctx.client.name} · {ctx.client.plan} plan · {ctx.usage.messages} messages, ${ctx.usage.cost.toFixed(2)}{' '}
            this month
          </p>
        )}
        {inst ? (
          <>
            <p>
              <strong>{inst.hostname}</strong>: {inst.status}
              {inst.paused ? ' (paused)' : ''} · OpenClaw{' '}
              {inst.openclaw
                ? inst.openclaw.up
                  ? inst.openclaw.ready === false
                    ? 'not ready'
                    : 'up'
                  : 'down'
                : 'unknown'}
              {inst.openclaw?.error ? `: ${inst.openclaw.error}` : ''}
            </p>
            <div className="flex flex-wrap gap-1">
              <Button size="sm" variant="outline" disabled={busy} onClick={() => act('restart')}>
                <RotateCw /> Restart
              </Button>
              {inst.paused ? (
                <Button size="sm" variant="outline" disabled={busy} onClick={() => act('resume')}>
                  <Play /> Resume
                </Button>
              ) : (
                <Button size="sm" variant="outline" disabled={busy} onClick={() => act('pause')}>
                  <Pause /> Pause
                </Button>
              )}
              <Button
                size="sm"
                variant="outline"
                disabled={busy}
                onClick={() => {
                  const m = window.prompt('Model (provider/model)', 'anthropic/claude-sonnet-4-5');
                  if (m) act('change_model', m.trim());
                }}
              >
                Change model
              </Button>
              {inst.consoleUrl && (
                <a
                  className="inline-flex h-8 items-center rounded-md border border-border px-3 hover:bg-muted"
                  href={inst.consoleUrl}
                >
                  Console
                </a>
              )}
            </div>
            <div>
              <p className="font-medium">Recent errors</p>
              {inst.recentErrors.length ? (
                <ul className="font-mono">
                  {inst.recentErrors.slice(0, 8).map((l) => (
                    <li key={`${l.t}${l.msg}`} className="truncate" title={l.msg}>
                      {l.level} {l.msg}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-muted-foreground">none</p>
              )}
            </div>
            <div>
              <p className="font-medium">Recent commands</p>
              <ul>
                {inst.recentCommands.slice(0, 6).map((c) => (
                  <li key={c.id}>
                    {c.type} · {c.status}
                  </li>
                ))}
              </ul>
            </div>
          </>
        ) : (
          <p className="text-muted-foreground">No instance named on this ticket.</p>
        )}
      </CardContent>
    </Card>
  );
}
