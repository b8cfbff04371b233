'use client';
import { Database, Download, Loader2, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Input, Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { api, download } from '@/lib/api';

/**
 * Data handling: export everything the hub holds about the client as JSON (owner or admin), and
 * deletion (admin only, the hub's rule) after typing the client id.
 */
export function DataCard({ clientId, canDelete }: { clientId: string; canDelete: boolean }) {
  const [exporting, setExporting] = useState(false);
  const [open, setOpen] = useState(false);
  const [scope, setScope] = useState<'telemetry' | 'all'>('telemetry');
  const [typed, setTyped] = useState('');

  const exportAll = async () => {
    setExporting(true);
    try {
      await download(`/clients/${encodeURIComponent(clientId)}/export`, `deepsignal-${clientId}.json`);
    } catch (e) {
      toast('Export failed', { tone: 'error', description: (e as Error).message });
    } finally {
      setExporting(false);
    }
  };

  const remove = async () => {
    try {
      const r = await api<{ deleted: Record<string, number> }>(`/clients/${encodeURIComponent(clientId)}/data`, {
        method: 'DELETE',
        body: { scope, confirm: typed.trim() },
      });
      const total = Object.values(r.deleted).reduce((a, b) => a + b, 0);
      toast('Data deleted', { tone: 'success', description: `${total} records removed.` });
      setTyped('');
    } catch (e) {
      toast('Could not delete', { tone: 'error', description: (e as Error).message });
      throw e;
    }
  };

  return (
    <Card data-testid="data-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Database className="size-4 text-accent" /> Your data
        </CardTitle>
        <CardDescription>
          The export holds the client, settings, users, instances, secret names (never values), conversations, logs,
          commands, support requests and the audit trail.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-wrap gap-2">
        <Button variant="outline" onClick={exportAll} disabled={exporting} data-testid="export-data">
          {exporting ? <Loader2 className="animate-spin" /> : <Download />} Export all data (JSON)
        </Button>
        {canDelete && (
          <Button variant="destructive" onClick={() => setOpen(true)} data-testid="delete-data">
            <Trash2 /> Delete data…
          </Button>
        )}
      </CardContent>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title="Delete this client's data?"
        description="This cannot be undone. Export first if the client may want a copy."
        confirmLabel="Delete data"
        destructive
        disabled={typed.trim() !== clientId}
        onConfirm={remove}
      >
        <div className="flex flex-col gap-3">
          <SimpleSelect
            aria-label="What to delete"
            value={scope}
            onValueChange={(v) => setScope(v as 'telemetry' | 'all')}
            options={[
              { value: 'telemetry', label: 'Telemetry: metrics, logs, conversations, events, commands' },
              { value: 'all', label: 'Everything: the client itself with its users, instances and secrets' },
            ]}
          />
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="confirm-delete">
              Type <code className="font-mono text-foreground">{clientId}</code> to confirm
            </Label>
            <Input id="confirm-delete" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
          </div>
        </div>
      </ConfirmDialog>
    </Card>
  );
}
