'use client';
import { Download, Loader2 } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { Input, Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { CONVERSATION_PAGE, fetchConversations } from '@/lib/conversations';
import { conversationsToCsv, conversationsToJson, download } from '@/lib/export';
import { dayKey, toMs } from '@/lib/time';
import type { Conversation } from '@/lib/types';

/**
 * Export conversations of a date range as CSV or JSON. Long ranges are fetched in pages,
 * walking back from the end of the range, since the hub returns at most a page per call.
 */
export function ExportDialog({ instanceId }: { instanceId: string }) {
  const today = dayKey(Date.now());
  const weekAgo = dayKey(Date.now() - 6 * 86_400_000);
  const [from, setFrom] = useState(weekAgo);
  const [to, setTo] = useState(today);
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);

  const run = async () => {
    setBusy(true);
    try {
      const start = new Date(`${from}T00:00:00`);
      let end = new Date(`${to}T23:59:59.999`);
      if (!(start < end)) throw new Error('The start date must be before the end date.');
      const all: Conversation[] = [];
      for (let page = 0; page < 50; page++) {
        const list = await fetchConversations(instanceId, start, end);
        all.push(...list);
        if (list.length < CONVERSATION_PAGE) break;
        const oldest = Math.min(...list.map((m) => toMs(m.t)));
        end = new Date(oldest);
      }
      const seen = new Set<string>();
      const msgs = all
        .filter((m) => !seen.has(m.messageId) && seen.add(m.messageId))
        .sort((a, b) => toMs(a.t) - toMs(b.t));
      const name = `conversations-${from}-to-${to}.${format}`;
      if (format === 'csv') download(name, conversationsToCsv(msgs), 'text/csv;charset=utf-8');
      else download(name, conversationsToJson(msgs), 'application/json');
      toast(`Exported ${msgs.length} messages`, { tone: 'success', description: name });
      setOpen(false);
    } catch (e) {
      toast('Export failed', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" data-testid="export-conversations">
          <Download /> Export
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Export conversations</DialogTitle>
          <DialogDescription>Every message in the range, with tokens, cost and sentiment.</DialogDescription>
        </DialogHeader>
        <div className="grid grid-cols-2 gap-3">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="export-from">From</Label>
            <Input id="export-from" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="export-to">To</Label>
            <Input id="export-to" type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
          </div>
          <div className="col-span-2 flex flex-col gap-1.5">
            <Label>Format</Label>
            <SimpleSelect
              aria-label="Export format"
              value={format}
              onValueChange={(v) => setFormat(v as 'csv' | 'json')}
              options={[
                { value: 'csv', label: 'CSV (spreadsheets)' },
                { value: 'json', label: 'JSON' },
              ]}
            />
          </div>
        </div>
        <DialogFooter>
          <Button variant="accent" onClick={run} disabled={busy || !from || !to} data-testid="export-run">
            {busy ? <Loader2 className="animate-spin" /> : <Download />} Download
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
