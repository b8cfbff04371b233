'use client';
import { PlayCircle } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { commandName, describeParams } from '@/lib/command-text';
import { type AuditEntry, entryTime, recordingPath } from './audit-types';
import { fmtDateTime } from './when';

/**
 * The detail as a person reads it: a command's params through its schema (command.* actions
 * carry `type` and `params`), anything else as "key value" pairs.
 */
const detailText = (d: AuditEntry['detail']) => {
  if (!d || !Object.keys(d).length) return '';
  const rec = d as Record<string, unknown>;
  let s: string;
  if (typeof rec.type === 'string' && (rec.params === undefined || typeof rec.params === 'object'))
    s = [
      `${commandName(rec.type)} ${describeParams(rec.type, rec.params as Record<string, unknown>)}`.trim(),
      typeof rec.instanceId === 'string' ? `on ${rec.instanceId}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
  else
    s = Object.entries(rec)
      .map(([k, v]) => `${k} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
      .join(' · ');
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
};

/** The audit entries, newest first as the hub sends them; console sessions get a replay button. */
export function AuditTable({
  entries,
  clientName,
  onReplay,
}: {
  entries: AuditEntry[];
  clientName: (id: string) => string;
  onReplay: (path: string) => void;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="audit-table">
        <thead className="text-left text-xs text-muted-foreground">
          <tr>
            <th className="py-2 pr-3 font-medium">Time</th>
            <th className="py-2 pr-3 font-medium">Actor</th>
            <th className="py-2 pr-3 font-medium">Action</th>
            <th className="py-2 pr-3 font-medium">Target</th>
            <th className="py-2 pr-3 font-medium">Client</th>
            <th className="py-2 pr-3 font-medium">Detail</th>
            <th className="py-2 font-medium" />
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const rec = recordingPath(e);
            return (
              <tr
                key={String(e.id)}
                className="border-t border-border align-top"
                data-testid="audit-row"
                data-action={e.action}
              >
                <td className="py-1.5 pr-3 whitespace-nowrap text-muted-foreground">{fmtDateTime(entryTime(e))}</td>
                <td className="py-1.5 pr-3 text-xs" title={e.actor}>
                  {e.actorEmail ?? <span className="font-mono">{e.actor}</span>}
                </td>
                <td className="py-1.5 pr-3 font-mono text-xs">{e.action}</td>
                <td className="py-1.5 pr-3 font-mono text-xs break-all">{e.target ?? '—'}</td>
                <td className="py-1.5 pr-3">{e.clientId ? clientName(e.clientId) : '—'}</td>
                <td className="py-1.5 pr-3 text-xs break-words text-muted-foreground" data-testid="audit-detail">
                  {detailText(e.detail)}
                </td>
                <td className="py-1.5 text-right">
                  {rec && (
                    <Button size="sm" variant="ghost" onClick={() => onReplay(rec)} data-testid="replay">
                      <PlayCircle /> Replay
                    </Button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
