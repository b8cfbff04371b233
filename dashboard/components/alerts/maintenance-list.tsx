'use client';
import { CalendarClock, Loader2, Plus } from 'lucide-react';
import { useState } from 'react';
import { ScheduledChanges } from '@/components/changes/scheduled-changes';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input, Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import type { MaintenanceItem } from '@/lib/alerts';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { useClients } from '@/lib/use-clients';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
// dateStyle/timeStyle cannot be combined with weekday (Intl throws), so the fields are spelled out.
const fmt = (iso: string) =>
  new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });

/** Maintenance windows in date order of their next start, with the open ones on top; add one. */
export function MaintenanceList({ clientId }: { clientId?: string }) {
  const windows = useApi<MaintenanceItem[]>('/maintenance-windows', { query: { clientId } });
  const { clients, names } = useClients();
  const [client, setClient] = useState(clientId ?? '');
  const [name, setName] = useState('');
  const [date, setDate] = useState(new Date().toISOString().slice(0, 10));
  const [time, setTime] = useState('02:00');
  const [duration, setDuration] = useState('60');
  const [days, setDays] = useState<number[]>([]);
  const [tz, setTz] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [saving, setSaving] = useState(false);
  const list = [...(windows.data ?? [])].sort(
    (a, b) =>
      Number(!!b.activeUntil) - Number(!!a.activeUntil) || (a.nextStart ?? '9').localeCompare(b.nextStart ?? '9'),
  );
  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    try {
      await api('/maintenance-windows', {
        body: {
          clientId: client,
          name,
          timeZone: tz,
          startDate: date,
          startTime: time,
          durationMin: Number(duration),
          days,
        },
      });
      toast('Maintenance window added', { tone: 'success', description: name });
      setName('');
      await windows.reload();
    } catch (err) {
      toast('Could not add the window', { tone: 'error', description: (err as Error).message });
    } finally {
      setSaving(false);
    }
  };
  return (
    <div className="flex flex-col gap-4">
      <Card className="p-4">
        <form onSubmit={add} className="grid gap-3 sm:grid-cols-3" data-testid="maintenance-form">
          {!clientId && (
            <div className="flex flex-col gap-1.5">
              <Label>Client</Label>
              <SimpleSelect
                value={client || 'none'}
                onValueChange={setClient}
                options={[
                  { value: 'none', label: 'Choose…' },
                  ...(clients ?? []).map((c) => ({ value: c.id, label: c.name })),
                ]}
                aria-label="Client"
              />
            </div>
          )}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="mw-name">Name</Label>
            <Input
              id="mw-name"
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="Weekly patching"
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="mw-tz">Time zone</Label>
            <Input id="mw-tz" required value={tz} onChange={(e) => setTz(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="mw-date">First day</Label>
            <Input id="mw-date" type="date" required value={date} onChange={(e) => setDate(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="mw-time">Starts at</Label>
            <Input id="mw-time" type="time" required value={time} onChange={(e) => setTime(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="mw-duration">Minutes</Label>
            <Input
              id="mw-duration"
              inputMode="numeric"
              required
              value={duration}
              onChange={(e) => setDuration(e.target.value)}
            />
          </div>
          <fieldset className="flex flex-wrap items-center gap-2 sm:col-span-2">
            <legend className="mb-1 text-sm">Repeats on (none: once)</legend>
            {DAYS.map((d, i) => (
              <label key={d} className="flex items-center gap-1 text-sm">
                <input
                  type="checkbox"
                  checked={days.includes(i)}
                  onChange={(e) => setDays((x) => (e.target.checked ? [...x, i] : x.filter((y) => y !== i)))}
                />
                {d}
              </label>
            ))}
          </fieldset>
          <Button type="submit" className="self-end" disabled={saving || !client || client === 'none'}>
            {saving ? <Loader2 className="animate-spin" /> : <Plus />} Add window
          </Button>
        </form>
      </Card>
      <Card className="p-4">
        <ScheduledChanges />
      </Card>
      {!list.length ? (
        <Card>
          <EmptyState icon={CalendarClock} title="No maintenance windows" />
        </Card>
      ) : (
        <ol className="flex flex-col gap-2" data-testid="maintenance-list">
          {list.map((w) => (
            <Card key={w.id} className="flex flex-wrap items-center gap-3 p-4">
              <CalendarClock className="size-4 text-accent" />
              <p className="flex-1 font-medium">
                {w.name} <span className="text-xs text-muted-foreground">· {names.get(w.clientId) ?? w.clientId}</span>
              </p>
              <p className="text-xs text-muted-foreground">
                {w.days.length ? `every ${w.days.map((d) => DAYS[d]).join(', ')}` : `once on ${w.startDate}`} at{' '}
                {w.startTime} ({w.timeZone}) for {w.durationMin} min
              </p>
              {w.activeUntil ? (
                <Badge variant="warning">open until {fmt(w.activeUntil)}</Badge>
              ) : w.nextStart ? (
                <Badge variant="outline">next {fmt(w.nextStart)}</Badge>
              ) : (
                <Badge variant="outline">over</Badge>
              )}
            </Card>
          ))}
        </ol>
      )}
    </div>
  );
}
