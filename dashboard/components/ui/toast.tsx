'use client';
import { CheckCircle2, Info, TriangleAlert, X, XCircle } from 'lucide-react';
import { AnimatePresence, motion } from 'motion/react';
import { useSyncExternalStore } from 'react';
import { cn } from '@/lib/utils';

/** One notification shown in the corner. */
export interface ToastItem {
  id: number;
  title: string;
  description?: string;
  tone: 'info' | 'success' | 'warning' | 'error';
}

let items: ToastItem[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const l of listeners) l();
};

function dismiss(id: number) {
  items = items.filter((t) => t.id !== id);
  emit();
}

/** Shows a toast for a few seconds (errors stay longer). */
export function toast(title: string, opts: { description?: string; tone?: ToastItem['tone'] } = {}) {
  const t: ToastItem = { id: nextId++, title, description: opts.description, tone: opts.tone ?? 'info' };
  items = [...items.slice(-4), t];
  emit();
  setTimeout(() => dismiss(t.id), t.tone === 'error' ? 8000 : 4500);
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

const ICONS = { info: Info, success: CheckCircle2, warning: TriangleAlert, error: XCircle };
const TONES = { info: 'text-accent', success: 'text-success', warning: 'text-warning', error: 'text-danger' };

export function Toaster() {
  const list = useSyncExternalStore(
    subscribe,
    () => items,
    () => items,
  );
  return (
    <div className="pointer-events-none fixed right-4 bottom-4 z-[100] flex w-[min(24rem,calc(100%-2rem))] flex-col gap-2">
      <AnimatePresence initial={false}>
        {list.map((t) => {
          const Icon = ICONS[t.tone];
          return (
            <motion.div
              key={t.id}
              layout
              initial={{ opacity: 0, y: 16, scale: 0.96 }}
              animate={{ opacity: 1, y: 0, scale: 1 }}
              exit={{ opacity: 0, x: 40 }}
              role={t.tone === 'error' ? 'alert' : 'status'}
              className="pointer-events-auto flex items-start gap-3 rounded-xl border border-border bg-popover p-3 shadow-2xl"
            >
              <Icon className={cn('mt-0.5 size-4 shrink-0', TONES[t.tone])} />
              <div className="min-w-0 flex-1">
                <p className="text-sm font-medium">{t.title}</p>
                {t.description && <p className="mt-0.5 break-words text-xs text-muted-foreground">{t.description}</p>}
              </div>
              <button
                type="button"
                onClick={() => dismiss(t.id)}
                className="opacity-60 hover:opacity-100"
                aria-label="Dismiss"
              >
                <X className="size-4" />
              </button>
            </motion.div>
          );
        })}
      </AnimatePresence>
    </div>
  );
}
