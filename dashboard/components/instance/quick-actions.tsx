'use client';
import { ArrowUpCircle, Bot, Pause, Play, RotateCw, Undo2 } from 'lucide-react';
import type * as React from 'react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Input, Label } from '@/components/ui/input';
import { SCHEDULABLE } from '@/lib/scheduled-changes';

type Action = 'restart' | 'pause' | 'resume' | 'model' | 'update' | 'rollback' | null;

/** Actions that issue a command without parameters once confirmed. */
const CONFIRMED_COMMANDS: {
  action: Action;
  command: string;
  title: string;
  description: string;
  confirmLabel: string;
  destructive?: boolean;
}[] = [
  {
    action: 'restart',
    command: 'openclaw.restart',
    title: 'Restart OpenClaw?',
    description:
      'Waits until no conversation turn is in flight (up to two minutes), then the gateway restarts in place; conversations pause for about ten seconds.',
    confirmLabel: 'Restart',
  },
  {
    action: 'pause',
    command: 'agent.pause',
    title: 'Pause the agent?',
    description: 'Its channels stop, so it answers no one until resumed. This survives restarts.',
    confirmLabel: 'Pause agent',
    destructive: true,
  },
  {
    action: 'resume',
    command: 'agent.resume',
    title: 'Resume the agent?',
    description: 'Its channels start again and it answers messages.',
    confirmLabel: 'Resume agent',
  },
  {
    action: 'rollback',
    command: 'change.rollback',
    title: 'Roll back to the last good snapshot?',
    description:
      'Restores the OpenClaw version, configuration and persona files as they were before the last change that went through, restarts the gateway and checks that the agent answers.',
    confirmLabel: 'Roll back',
    destructive: true,
  },
];

/** A quick-action button that opens its action's dialog. */
function ActionButton({
  action,
  icon,
  label,
  onOpen,
}: {
  action: Exclude<Action, null>;
  icon: React.ReactNode;
  label: string;
  onOpen: (a: Action) => void;
}) {
  return (
    <Button variant="outline" size="sm" onClick={() => onOpen(action)} data-testid={`action-${action}`}>
      {icon} {label}
    </Button>
  );
}

/** "Wait for the maintenance window" in a change's dialog. */
function InWindowToggle({ checked, onChange }: { checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="flex items-center gap-2 text-sm">
      <input
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        data-testid="schedule-in-window"
      />
      Wait for the client's maintenance window
    </label>
  );
}

/**
 * Restart, pause/resume, change model and update, each behind a confirmation dialog.
 * `which` limits the buttons (client owners get pause/resume and model only). With `schedule`,
 * restart, model and update dialogs may hold the change for the client's maintenance window.
 */
export function QuickActions({
  issue,
  schedule,
  paused,
  currentModel,
  which = ['restart', 'pause', 'model', 'update'],
}: {
  issue: (type: string, params?: Record<string, unknown>) => Promise<unknown>;
  schedule?: (type: string, params?: Record<string, unknown>) => Promise<unknown>;
  paused: boolean;
  currentModel?: string | null;
  which?: ('restart' | 'pause' | 'model' | 'update' | 'rollback')[];
}) {
  const [open, setOpenState] = useState<Action>(null);
  const [model, setModel] = useState(currentModel ?? '');
  const [version, setVersion] = useState('');
  const [inWindow, setInWindow] = useState(false);
  const setOpen = (a: Action) => {
    setInWindow(false);
    setOpenState(a);
  };
  const close = (o: boolean) => !o && setOpen(null);
  const modelOk = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._:/@-]+$/.test(model.trim());
  /** Issues the change now, or holds it for the window when asked. */
  const run = (type: string, params: Record<string, unknown> = {}) =>
    schedule && inWindow && SCHEDULABLE.has(type) ? schedule(type, params) : issue(type, params);
  const toggle = (type: string) =>
    schedule && SCHEDULABLE.has(type) ? <InWindowToggle checked={inWindow} onChange={setInWindow} /> : null;
  return (
    <div className="flex flex-wrap gap-2">
      {which.includes('restart') && (
        <ActionButton action="restart" icon={<RotateCw />} label="Restart" onOpen={setOpen} />
      )}
      {which.includes('pause') &&
        (paused ? (
          <ActionButton action="resume" icon={<Play />} label="Resume" onOpen={setOpen} />
        ) : (
          <ActionButton action="pause" icon={<Pause />} label="Pause" onOpen={setOpen} />
        ))}
      {which.includes('model') && (
        <ActionButton
          action="model"
          icon={<Bot />}
          label="Change model"
          onOpen={(a) => {
            setModel(currentModel ?? '');
            setOpen(a);
          }}
        />
      )}
      {which.includes('update') && (
        <ActionButton action="update" icon={<ArrowUpCircle />} label="Update" onOpen={setOpen} />
      )}
      {which.includes('rollback') && (
        <ActionButton action="rollback" icon={<Undo2 />} label="Roll back" onOpen={setOpen} />
      )}

      {CONFIRMED_COMMANDS.map(({ action, command, ...text }) => (
        <ConfirmDialog
          key={action}
          open={open === action}
          onOpenChange={close}
          {...text}
          onConfirm={() => run(command)}
        >
          {toggle(command)}
        </ConfirmDialog>
      ))}
      <ConfirmDialog
        open={open === 'model'}
        onOpenChange={close}
        title="Change model"
        description="Applied live, without a restart. Use provider/model, e.g. anthropic/claude-sonnet-4-5."
        confirmLabel="Change model"
        disabled={!modelOk}
        onConfirm={() => run('model.set', { model: model.trim() })}
      >
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="model-input">Model</Label>
          <Input
            id="model-input"
            value={model}
            onChange={(e) => setModel(e.target.value)}
            placeholder="provider/model"
            data-testid="model-input"
          />
          {model && !modelOk && <p className="text-xs text-danger">Must look like provider/model</p>}
          {toggle('model.set')}
        </div>
      </ConfirmDialog>
      <ConfirmDialog
        open={open === 'update'}
        onOpenChange={close}
        title="Update OpenClaw"
        description="Snapshots the current version and configuration, installs the given version and restarts the gateway once no conversation is in flight; if the agent does not answer afterwards, it rolls back on its own. This can take a few minutes."
        confirmLabel="Update"
        disabled={!version.trim()}
        onConfirm={() => run('openclaw.update', { version: version.trim() })}
      >
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="version-input">Version</Label>
          <Input
            id="version-input"
            value={version}
            onChange={(e) => setVersion(e.target.value)}
            placeholder="e.g. 2026.9.6 or latest"
          />
          {toggle('openclaw.update')}
        </div>
      </ConfirmDialog>
    </div>
  );
}
