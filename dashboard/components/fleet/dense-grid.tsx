'use client';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { fmtAgo } from '@/lib/format';
import { HEALTH_LABEL, type Health, healthOf } from '@/lib/health';
import type { Instance } from '@/lib/types';
import { cn } from '@/lib/utils';

/** How the dense view groups its cells. */
export type DenseGroupBy = 'client' | 'health';

const CELL = 18;
const GAP = 4;
const HEADER = 32;
const HEALTH_ORDER: Health[] = ['red', 'yellow', 'green'];
const CELL_TONE: Record<Health, string> = {
  red: 'bg-danger',
  yellow: 'bg-warning',
  green: 'bg-success/80',
};

type Row =
  | { kind: 'header'; key: string; label: string; count: number; health: Record<Health, number> }
  | { kind: 'cells'; key: string; items: Instance[] };

/**
 * One status cell per instance, grouped by client or health, for fleets of hundreds or
 * thousands. Rows are virtualised against the window's scroll (only what is on screen is in the
 * DOM); cells are memoised on the instance object, which the fleet store replaces only when
 * that instance changed. Hover or focus shows the figures in one shared card.
 */
export function DenseFleetGrid({
  instances,
  names,
  groupBy,
}: {
  instances: Instance[];
  names: Map<string, string>;
  groupBy: DenseGroupBy;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [offset, setOffset] = useState(0);
  const [hover, setHover] = useState<{ i: Instance; x: number; y: number } | null>(null);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => {
      setWidth(el.clientWidth);
      setOffset(el.getBoundingClientRect().top + window.scrollY);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Stable handlers, so memoised cells skip rendering when only other instances changed.
  const show = useCallback((i: Instance, el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    setHover({ i, x: r.left + r.width / 2, y: r.top });
  }, []);
  const hide = useCallback(() => setHover(null), []);

  const perRow = Math.max(1, Math.floor((width + GAP) / (CELL + GAP)));
  const rows = useMemo(() => toRows(instances, names, groupBy, perRow), [instances, names, groupBy, perRow]);

  const v = useWindowVirtualizer({
    count: rows.length,
    estimateSize: (k) => (rows[k].kind === 'header' ? HEADER : CELL + GAP),
    overscan: 8,
    scrollMargin: offset,
    getItemKey: (k) => rows[k].key,
  });
  // Row heights depend on the kind only: re-measure when grouping or width changes the layout.
  // biome-ignore lint/correctness/useExhaustiveDependencies: rows is what changed
  useEffect(() => v.measure(), [rows.length, perRow, groupBy]);

  return (
    <div ref={box} className="relative w-full" data-testid="fleet-dense" data-count={instances.length}>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((item) => {
          const row = rows[item.index];
          return (
            <div
              key={item.key}
              className="absolute inset-x-0"
              style={{ top: item.start - v.options.scrollMargin, height: item.size }}
            >
              {row.kind === 'header' ? (
                <GroupHeader row={row} />
              ) : (
                <div className="flex" style={{ gap: GAP }}>
                  {row.items.map((i) => (
                    <Cell key={i.id} instance={i} onShow={show} onHide={hide} />
                  ))}
                </div>
              )}
            </div>
          );
        })}
      </div>
      {hover && <HoverCard instance={instances.find((x) => x.id === hover.i.id) ?? hover.i} names={names} at={hover} />}
    </div>
  );
}

function toRows(instances: Instance[], names: Map<string, string>, groupBy: DenseGroupBy, perRow: number): Row[] {
  const groups = new Map<string, { label: string; items: Instance[] }>();
  for (const i of instances) {
    const h = healthOf(i).health;
    const key = groupBy === 'health' ? h : i.clientId;
    let g = groups.get(key);
    if (!g) {
      g = { label: groupBy === 'health' ? HEALTH_LABEL[h] : (names.get(i.clientId) ?? i.clientId), items: [] };
      groups.set(key, g);
    }
    g.items.push(i);
  }
  const ordered =
    groupBy === 'health'
      ? HEALTH_ORDER.filter((h) => groups.has(h)).map((h) => [h, groups.get(h)!] as const)
      : [...groups.entries()].sort((a, b) => a[1].label.localeCompare(b[1].label));
  const rows: Row[] = [];
  for (const [key, g] of ordered) {
    const health: Record<Health, number> = { red: 0, yellow: 0, green: 0 };
    for (const i of g.items) health[healthOf(i).health]++;
    rows.push({ kind: 'header', key: `h:${key}`, label: g.label, count: g.items.length, health });
    for (let k = 0; k < g.items.length; k += perRow)
      rows.push({ kind: 'cells', key: `c:${key}:${k / perRow}`, items: g.items.slice(k, k + perRow) });
  }
  return rows;
}

function GroupHeader({ row }: { row: Extract<Row, { kind: 'header' }> }) {
  return (
    <div className="flex h-full items-end gap-3 pb-1.5 text-xs" data-testid="fleet-group">
      <span className="truncate font-semibold">{row.label}</span>
      <span className="shrink-0 tabular-nums text-muted-foreground">{row.count}</span>
      <span className="ml-auto flex shrink-0 gap-2 tabular-nums text-muted-foreground">
        {HEALTH_ORDER.filter((h) => row.health[h] > 0).map((h) => (
          <span key={h} className="inline-flex items-center gap-1" title={HEALTH_LABEL[h]}>
            <span className={cn('size-2 rounded-sm', CELL_TONE[h])} aria-hidden="true" />
            {row.health[h]}
            <span className="sr-only">{HEALTH_LABEL[h]}</span>
          </span>
        ))}
      </span>
    </div>
  );
}

const Cell = memo(function Cell({
  instance: i,
  onShow,
  onHide,
}: {
  instance: Instance;
  onShow: (i: Instance, el: HTMLElement) => void;
  onHide: () => void;
}) {
  const { health } = healthOf(i);
  return (
    <a
      href={`/instance/?id=${encodeURIComponent(i.id)}`}
      data-testid="fleet-cell"
      data-instance-id={i.id}
      data-health={health}
      onMouseEnter={(e) => onShow(i, e.currentTarget)}
      onFocus={(e) => onShow(i, e.currentTarget)}
      onMouseLeave={onHide}
      onBlur={onHide}
      className={cn(
        'block shrink-0 rounded-[3px] outline-none transition-colors hover:ring-2 hover:ring-foreground/60 focus-visible:ring-2 focus-visible:ring-ring',
        CELL_TONE[health],
      )}
      style={{ width: CELL, height: CELL }}
    >
      <span className="sr-only">
        {i.hostname}: {HEALTH_LABEL[health].toLowerCase()}, {i.status}
      </span>
    </a>
  );
});

function HoverCard({
  instance: i,
  names,
  at,
}: {
  instance: Instance;
  names: Map<string, string>;
  at: { x: number; y: number };
}) {
  const { health, reasons } = healthOf(i);
  const m = i.metrics ?? {};
  const pct = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${v.toFixed(0)}%` : '—');
  // Fixed to the viewport above the cell, kept inside the screen on narrow displays.
  const left = Math.min(Math.max(8, at.x - 120), (typeof window === 'undefined' ? 1200 : window.innerWidth) - 248);
  return (
    <div
      role="tooltip"
      data-testid="fleet-hover"
      className="pointer-events-none fixed z-50 w-60 -translate-y-full rounded-lg border border-border bg-popover p-3 text-xs shadow-xl"
      style={{ left, top: at.y - 8 }}
    >
      <p className="truncate font-semibold">{i.hostname}</p>
      <p className="truncate text-muted-foreground">{names.get(i.clientId) ?? i.clientId}</p>
      <dl className="mt-2 grid grid-cols-3 gap-1 tabular-nums">
        <div>
          <dt className="text-muted-foreground">CPU</dt>
          <dd className="font-mono">{pct(m.cpu)}</dd>
        </div>
        <div>
          <dt className="text-muted-foreground">MEM</dt>
          <dd className="font-mono">{pct(m.memory)}</dd>
        </div>
        <div>
          <dt className="text-muted-foreground">DISK</dt>
          <dd className="font-mono">{pct(m.disk)}</dd>
        </div>
      </dl>
      <p className="mt-2 flex justify-between gap-2">
        <span>{i.status}</span>
        <span className="text-muted-foreground">{fmtAgo(i.lastSeen)}</span>
      </p>
      <p className={cn('mt-1 truncate', health === 'red' ? 'text-danger' : health === 'yellow' ? 'text-warning' : '')}>
        {reasons[0] ?? 'All checks passing'}
      </p>
    </div>
  );
}
