'use client';
import { mayIssue } from '@protocol/commands/catalog';
import {
  AlertTriangle,
  CheckCircle2,
  ChevronLeft,
  ChevronRight,
  Cpu,
  Search,
  Server,
  ServerOff,
  XCircle,
} from 'lucide-react';
import { useDeferredValue, useMemo, useState } from 'react';
import { DenseFleetGrid, type DenseGroupBy } from '@/components/fleet/dense-grid';
import { InstanceTile } from '@/components/fleet/instance-tile';
import { AppShell } from '@/components/shell/app-shell';
import { StatCard } from '@/components/stat-card';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { Input } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { useFiringByInstance } from '@/lib/alerts';
import { isPartner, MISSION_CONTROL_ROLES, useAuth } from '@/lib/auth';
import { applyFleetQuery, DEFAULT_QUERY, type FleetQuery, fleetSummary } from '@/lib/fleet-filter';
import { useFleet } from '@/lib/fleet-store';
import { fmtPct } from '@/lib/format';
import { useClients } from '@/lib/use-clients';

const PAGE = 60;
/** Above this many instances the fleet opens in the dense view (one cell per instance). */
const DENSE_FROM = 60;
type ViewMode = 'auto' | 'tiles' | 'dense';

export default function FleetPage() {
  const { user } = useAuth();
  return (
    <AppShell roles={MISSION_CONTROL_ROLES} title={isPartner(user) ? 'Your clients' : 'Fleet overview'}>
      <Fleet />
    </AppShell>
  );
}

function Fleet() {
  const { instances, loading, error } = useFleet();
  const { clients, names } = useClients();
  const firing = useFiringByInstance();
  const { user } = useAuth();
  const canConsole = !!user && mayIssue(user.role, 'console.open');
  const [query, setQuery] = useState<FleetQuery>(DEFAULT_QUERY);
  const [page, setPage] = useState(0);
  const [mode, setMode] = useState<ViewMode>('auto');
  const [groupBy, setGroupBy] = useState<DenseGroupBy>('client');
  const dense = mode === 'dense' || (mode === 'auto' && instances.length > DENSE_FROM);
  // Typing stays responsive while a large grid re-filters in the background.
  const deferredQuery = useDeferredValue(query);
  const set = (patch: Partial<FleetQuery>) => {
    setQuery((q) => ({ ...q, ...patch }));
    setPage(0);
  };

  const filtered = useMemo(() => applyFleetQuery(instances, deferredQuery, names), [instances, deferredQuery, names]);
  const summary = useMemo(() => fleetSummary(instances), [instances]);
  const versions = useMemo(
    () => [...new Set(instances.map((i) => i.openclaw?.version ?? 'unknown'))].sort(),
    [instances],
  );
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE));
  const current = Math.min(page, pages - 1);
  const visible = filtered.slice(current * PAGE, current * PAGE + PAGE);

  return (
    <div className="flex flex-col gap-6">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5">
        <StatCard
          label="Instances"
          value={summary.total}
          hint={`${summary.online} online`}
          icon={Server}
          testId="stat-total"
        />
        <StatCard label="Healthy" value={summary.green} icon={CheckCircle2} tone="success" testId="stat-green" />
        <StatCard label="Warning" value={summary.yellow} icon={AlertTriangle} tone="warning" testId="stat-yellow" />
        <StatCard label="Critical" value={summary.red} icon={XCircle} tone="danger" testId="stat-red" />
        <StatCard
          label="Avg CPU / memory"
          value={fmtPct(summary.avgCpu)}
          hint={`memory ${fmtPct(summary.avgMem)}`}
          icon={Cpu}
          className="col-span-2 md:col-span-1"
        />
      </div>

      <div className="flex flex-col gap-3 lg:flex-row lg:items-center">
        <div className="relative flex-1">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input
            placeholder="Search hostname, client, model or id"
            className="pl-9"
            value={query.q}
            onChange={(e) => set({ q: e.target.value })}
            aria-label="Search instances"
            data-testid="fleet-search"
          />
        </div>
        <div className="grid grid-cols-2 gap-2 sm:flex sm:flex-wrap">
          <SimpleSelect
            aria-label="Filter by client"
            className="sm:w-40"
            value={query.client}
            onValueChange={(client) => set({ client })}
            options={[{ value: 'all', label: 'All clients' }, ...clients.map((c) => ({ value: c.id, label: c.name }))]}
          />
          <SimpleSelect
            aria-label="Filter by health"
            className="sm:w-36"
            value={query.health}
            onValueChange={(health) => set({ health: health as FleetQuery['health'] })}
            options={[
              { value: 'all', label: 'Any health' },
              { value: 'green', label: 'Healthy' },
              { value: 'yellow', label: 'Warning' },
              { value: 'red', label: 'Critical' },
            ]}
          />
          <SimpleSelect
            aria-label="Filter by status"
            className="sm:w-36"
            value={query.status}
            onValueChange={(status) => set({ status })}
            options={['all', 'online', 'offline', 'paused', 'provisioning', 'error'].map((s) => ({
              value: s,
              label: s === 'all' ? 'Any status' : s,
            }))}
          />
          <SimpleSelect
            aria-label="Filter by OpenClaw version"
            className="sm:w-36"
            value={query.version}
            onValueChange={(version) => set({ version })}
            options={[{ value: 'all', label: 'Any version' }, ...versions.map((v) => ({ value: v, label: v }))]}
          />
          <SimpleSelect
            aria-label="View"
            className="sm:w-36"
            value={dense ? 'dense' : 'tiles'}
            onValueChange={(v) => setMode(v as ViewMode)}
            options={[
              { value: 'tiles', label: 'View: tiles' },
              { value: 'dense', label: 'View: dense' },
            ]}
          />
          {dense && (
            <SimpleSelect
              aria-label="Group by"
              className="sm:w-40"
              value={groupBy}
              onValueChange={(g) => setGroupBy(g as DenseGroupBy)}
              options={[
                { value: 'client', label: 'Group: client' },
                { value: 'health', label: 'Group: health' },
              ]}
            />
          )}
          <SimpleSelect
            aria-label="Sort"
            className="col-span-2 sm:w-40"
            value={query.sort}
            onValueChange={(sort) => set({ sort: sort as FleetQuery['sort'] })}
            options={[
              { value: 'health', label: 'Sort: worst first' },
              { value: 'name', label: 'Sort: name' },
              { value: 'cpu', label: 'Sort: CPU' },
              { value: 'memory', label: 'Sort: memory' },
              { value: 'disk', label: 'Sort: disk' },
              { value: 'lastSeen', label: 'Sort: last seen' },
            ]}
          />
        </div>
      </div>

      {error && (
        <p role="alert" className="rounded-lg border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
          Could not load the fleet: {error}
        </p>
      )}

      {loading ? (
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-3 2xl:grid-cols-4">
          {Array.from({ length: 8 }, (_, k) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
            <Skeleton key={k} className="h-40 rounded-xl" />
          ))}
        </div>
      ) : instances.length === 0 ? (
        <EmptyState
          icon={ServerOff}
          title="No instances yet"
          description="Register an instance (POST /api/v1/instances) and start its sidecar; it appears here as soon as it reports."
        />
      ) : filtered.length === 0 ? (
        <EmptyState
          icon={Search}
          title="Nothing matches"
          description="Try another search or clear the filters."
          action={
            <Button variant="outline" size="sm" onClick={() => set(DEFAULT_QUERY)}>
              Clear filters
            </Button>
          }
        />
      ) : dense ? (
        <DenseFleetGrid instances={filtered} names={names} groupBy={groupBy} />
      ) : (
        <>
          <div
            className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-3 2xl:grid-cols-4"
            data-testid="fleet-grid"
          >
            {visible.map((i) => (
              <InstanceTile
                key={i.id}
                instance={i}
                clientName={names.get(i.clientId)}
                firing={firing.get(i.id)}
                withConsole={canConsole}
              />
            ))}
          </div>
          {pages > 1 && (
            <div className="flex items-center justify-center gap-3 text-sm">
              <Button
                variant="outline"
                size="icon"
                disabled={current === 0}
                onClick={() => setPage(current - 1)}
                aria-label="Previous page"
              >
                <ChevronLeft />
              </Button>
              <span className="tabular-nums text-muted-foreground">
                Page {current + 1} of {pages} · {filtered.length} instances
              </span>
              <Button
                variant="outline"
                size="icon"
                disabled={current >= pages - 1}
                onClick={() => setPage(current + 1)}
                aria-label="Next page"
              >
                <ChevronRight />
              </Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
