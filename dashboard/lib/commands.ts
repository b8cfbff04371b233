'use client';
import { mayIssue, validateParams } from '@protocol/commands/catalog';
/**
 * Issuing commands and following their state: POST /instances/:id/commands, then `command`
 * live events (with a GET /commands/:id poll as a fallback if no event arrives).
 */
import { TERMINAL_STATES } from '@protocol/commands/lifecycle';
import { useCallback, useEffect, useRef, useState } from 'react';
import { toast } from '@/components/ui/toast';
import { ApiError, api, asList, sendCommand } from './api';
import { useLiveEvent } from './live';
import type { Command, CommandState, Role } from './types';

/** Quick actions a role may use, by the protocol's command roles. [SPEC 6.5] */
export function allowedActions(role: Role | undefined): ('restart' | 'pause' | 'model' | 'update' | 'rollback')[] {
  if (!role) return [];
  const out: ('restart' | 'pause' | 'model' | 'update' | 'rollback')[] = [];
  if (mayIssue(role, 'openclaw.restart')) out.push('restart');
  if (mayIssue(role, 'agent.pause') && mayIssue(role, 'agent.resume')) out.push('pause');
  if (mayIssue(role, 'model.set')) out.push('model');
  if (mayIssue(role, 'openclaw.update')) out.push('update');
  if (mayIssue(role, 'change.rollback')) out.push('rollback');
  return out;
}

export const isTerminal = (s: CommandState) => TERMINAL_STATES.has(s);

export const COMMAND_LABEL: Record<string, string> = {
  'openclaw.restart': 'Restart OpenClaw',
  'agent.pause': 'Pause agent',
  'agent.resume': 'Resume agent',
  'model.set': 'Change model',
  'openclaw.update': 'Update OpenClaw',
  'change.rollback': 'Roll back',
  ping: 'Ping',
};

/**
 * Commands of one instance: history (when the hub lists it) plus those issued here, updated
 * live. `issue` validates params with the protocol's schema before sending. [SPEC 6.2]
 */
export function useInstanceCommands(instanceId: string | null) {
  const [commands, setCommands] = useState<Command[]>([]);
  const [historyAvailable, setHistoryAvailable] = useState(true);

  useEffect(() => {
    if (!instanceId) return;
    api<unknown>(`/instances/${encodeURIComponent(instanceId)}/commands`, { query: { limit: 50 } })
      .then((r) => {
        const list = asList<Command>(r);
        setCommands((cur) => {
          const known = new Set(list.map((c) => c.id));
          return [...cur.filter((c) => !known.has(c.id)), ...list].sort(byNewest);
        });
      })
      .catch((e) => {
        if (e instanceof ApiError && (e.status === 404 || e.status === 405)) setHistoryAvailable(false);
      });
  }, [instanceId]);

  /** Latest known state per id, so a late or repeated report never moves a command backwards. */
  const latest = useRef(new Map<string, Partial<Command> & { id: string }>());
  /** Commands issued from this page, by id, with their label: they get a toast when they settle. */
  const watched = useRef(new Map<string, string>());

  const upsert = useCallback((c: Partial<Command> & { id: string }) => {
    const prev = latest.current.get(c.id);
    const merged =
      prev && c.status && prev.status && !movesForward(prev.status, c.status) ? { ...c, ...prev } : { ...prev, ...c };
    latest.current.set(c.id, merged);
    setCommands((cur) => {
      const i = cur.findIndex((x) => x.id === c.id);
      if (i < 0) return [merged as Command, ...cur].slice(0, 100);
      const next = [...cur];
      next[i] = { ...next[i], ...merged };
      return next;
    });
    const label = watched.current.get(c.id);
    if (label && merged.status && isTerminal(merged.status)) {
      watched.current.delete(c.id);
      if (merged.status === 'succeeded') toast(`${label}: done`, { tone: 'success' });
      else toast(`${label}: ${merged.status.replace('_', ' ')}`, { tone: 'error', description: merged.error?.message });
    }
  }, []);

  useLiveEvent('command', (e) => {
    if (e.instanceId === instanceId) upsert({ ...e, updatedAt: new Date().toISOString() });
  });

  const issue = useCallback(
    async (type: string, params: Record<string, unknown> = {}) => {
      if (!instanceId) throw new Error('no instance');
      const check = validateParams(type, params);
      if (!check.ok) {
        toast('Invalid parameters', { tone: 'error', description: check.message });
        throw new Error(check.message);
      }
      try {
        const r = await sendCommand(instanceId, type, check.params);
        const label = COMMAND_LABEL[type] ?? type;
        toast(`${label}: sent`, { description: 'Waiting for the instance to confirm…' });
        // The live event can beat the HTTP answer: upsert keeps whichever state is further along.
        watched.current.set(r.id, label);
        upsert({
          id: r.id,
          instanceId,
          type,
          status: r.status ?? 'queued',
          params: check.params,
          createdAt: new Date().toISOString(),
        });
        pollUntilDone(r.id, upsert);
        return r;
      } catch (e) {
        toast(`${COMMAND_LABEL[type] ?? type} failed`, { tone: 'error', description: (e as Error).message });
        throw e;
      }
    },
    [instanceId, upsert],
  );

  return { commands, issue, historyAvailable };
}

/**
 * Whether the agent is paused: the latest pause/resume command that succeeded wins (it is newer
 * than any state report that preceded it), else what the instance last reported.
 */
export function pausedFrom(commands: Command[], reported: boolean): boolean {
  const last = commands.find(
    (c) => (c.type === 'agent.pause' || c.type === 'agent.resume') && c.status === 'succeeded',
  );
  return last ? last.type === 'agent.pause' : reported;
}

const ORDER: Record<CommandState, number> = {
  queued: 0,
  delivered: 1,
  running: 2,
  succeeded: 3,
  failed: 3,
  timed_out: 3,
  rejected: 3,
  canceled: 3,
};
const movesForward = (from: CommandState, to: CommandState) => !isTerminal(from) && ORDER[to] >= ORDER[from];

const byNewest = (a: Command, b: Command) =>
  (Date.parse(b.createdAt ?? '') || 0) - (Date.parse(a.createdAt ?? '') || 0);

/** Fallback when live events are missed: poll a few times with growing gaps. */
function pollUntilDone(id: string, upsert: (c: Partial<Command> & { id: string }) => void) {
  let delay = 3000;
  const tick = async () => {
    try {
      const c = await api<Command>(`/commands/${encodeURIComponent(id)}`);
      upsert(c);
      if (isTerminal(c.status)) return;
    } catch {
      // keep polling a little; the live event may still come
    }
    delay = Math.min(delay * 2, 30_000);
    if (delay < 30_000) setTimeout(tick, delay);
  };
  setTimeout(tick, delay);
}
