'use client';
import type * as React from 'react';
import { useSyncExternalStore } from 'react';

/** Light or dark; dark is the default. */
export type Theme = 'dark' | 'light';
const KEY = 'ds.theme';

/** Runs before first paint (inlined in <head>) so the page never flashes the wrong theme. */
export const THEME_SCRIPT = `try{var t=localStorage.getItem('${KEY}');document.documentElement.classList.toggle('dark',t!=='light')}catch(e){document.documentElement.classList.add('dark')}`;

// The <html> class is the source of truth; components subscribe to it like to any store, so
// reading it never changes state during hydration (see lib/auth.tsx).
const listeners = new Set<() => void>();
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const read = (): Theme => (document.documentElement.classList.contains('dark') ? 'dark' : 'light');

function toggle() {
  const next: Theme = read() === 'dark' ? 'light' : 'dark';
  document.documentElement.classList.toggle('dark', next === 'dark');
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // private mode: the choice just is not remembered
  }
  for (const l of listeners) l();
}

/** Kept for the provider tree's shape; the theme needs no provider. */
export function ThemeProvider({ children }: { children: React.ReactNode }) {
  return <>{children}</>;
}

export function useTheme() {
  const theme = useSyncExternalStore(subscribe, read, () => 'dark' as Theme);
  return { theme, toggle };
}
