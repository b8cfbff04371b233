'use client';
/**
 * Conversation messages of an instance: history from GET /instances/:id/conversations plus the
 * live `conversations` events, grouped into threads by session key.
 */
import { useEffect, useState } from 'react';
import { api, asList } from './api';
import { useLiveBatch } from './live';
import { toMs } from './time';
import type { Conversation } from './types';

/** One conversation (session): its messages oldest first and summary figures. */
export interface Thread {
  sessionKey: string;
  channel: string;
  messages: Conversation[];
  last: number;
  /** Mean sentiment of the user's messages, or null when none is scored. */
  sentiment: number | null;
  tokens: number;
  cost: number;
}

const keyOf = (m: Conversation) => `${m.instanceId ?? ''}|${m.messageId}`;

/** The hub returns at most this many messages per call (newest first). */
export const CONVERSATION_PAGE = 2000;

export function fetchConversations(instanceId: string, from: Date, to?: Date, limit = CONVERSATION_PAGE) {
  return api<unknown>(`/instances/${encodeURIComponent(instanceId)}/conversations`, {
    query: { from: from.toISOString(), to: to?.toISOString(), limit },
  }).then((r) => asList<Conversation>(r));
}

/** Messages since `from`, kept live; `error` is readable, `loading` only for the first fetch. */
export function useConversations(instanceId: string | null, from: Date) {
  const [messages, setMessages] = useState<Conversation[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [truncated, setTruncated] = useState(false);
  const fromMs = from.getTime();

  useEffect(() => {
    if (!instanceId) return;
    let cancelled = false;
    setLoading(true);
    fetchConversations(instanceId, new Date(fromMs))
      .then((list) => {
        if (cancelled) return;
        setTruncated(list.length >= CONVERSATION_PAGE);
        setMessages((cur) => dedupe([...list, ...cur]));
        setError(null);
      })
      .catch((e) => !cancelled && setError((e as Error).message))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [instanceId, fromMs]);

  useLiveBatch(
    'conversations',
    (batch) => {
      const add = batch
        .filter((b) => b.instanceId === instanceId)
        .flatMap((b) => b.messages.map((m) => ({ ...m, instanceId: b.instanceId })));
      if (add.length) setMessages((cur) => dedupe([...cur, ...add]));
    },
    !!instanceId,
  );

  /** `truncated`: the hub's page limit was reached, so older messages in the range are missing. */
  return { messages, loading, error, truncated };
}

function dedupe(list: Conversation[]) {
  const seen = new Map<string, Conversation>();
  for (const m of list) seen.set(keyOf(m), { ...seen.get(keyOf(m)), ...m });
  return [...seen.values()].sort((a, b) => toMs(a.t) - toMs(b.t));
}

/** Groups messages into threads, most recent first. */
export function toThreads(messages: Conversation[]): Thread[] {
  const by = new Map<string, Conversation[]>();
  for (const m of messages) {
    const k = m.sessionKey || 'unknown';
    const arr = by.get(k);
    if (arr) arr.push(m);
    else by.set(k, [m]);
  }
  return [...by.entries()]
    .map(([sessionKey, msgs]) => {
      const scored = msgs.filter((m) => m.role === 'user' && typeof m.sentiment === 'number') as (Conversation & {
        sentiment: number;
      })[];
      return {
        sessionKey,
        channel: msgs.find((m) => m.channel && m.channel !== 'unknown')?.channel ?? msgs[0].channel ?? 'unknown',
        messages: msgs,
        last: toMs(msgs[msgs.length - 1].t),
        sentiment: scored.length ? scored.reduce((s, m) => s + m.sentiment, 0) / scored.length : null,
        tokens: msgs.reduce((s, m) => s + (m.tokensIn ?? 0) + (m.tokensOut ?? 0), 0),
        cost: msgs.reduce((s, m) => s + (m.cost ?? 0), 0),
      };
    })
    .sort((a, b) => b.last - a.last);
}

/** Positive, neutral or negative, from a score in -1 … 1. */
export function sentimentClass(s: number | null | undefined): 'positive' | 'neutral' | 'negative' | 'unknown' {
  if (s === null || s === undefined || !Number.isFinite(s)) return 'unknown';
  if (s > 0.05) return 'positive';
  if (s < -0.05) return 'negative';
  return 'neutral';
}

/** Satisfaction as a percentage: the mean score mapped from -1 … 1 to 0 … 100. */
export function satisfactionPct(messages: Conversation[]): number | null {
  const scored = messages.filter((m) => m.role === 'user' && typeof m.sentiment === 'number');
  if (!scored.length) return null;
  const mean = scored.reduce((s, m) => s + (m.sentiment as number), 0) / scored.length;
  return Math.round(((Math.max(-1, Math.min(1, mean)) + 1) / 2) * 100);
}
