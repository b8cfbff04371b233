'use client';
import { Loader2, Megaphone } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input, Label, Textarea } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { ApiError, api } from '@/lib/api';

/** Broadcast an announcement to every client dashboard (POST /announcements). */
export function BroadcastForm({ onSent }: { onSent?: () => void } = {}) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [level, setLevel] = useState('info');
  const [busy, setBusy] = useState(false);
  const [unavailable, setUnavailable] = useState(false);
  const send = async () => {
    setBusy(true);
    try {
      await api('/announcements', { body: { title: title.trim(), body: body.trim(), level } });
      toast('Announcement sent', { tone: 'success' });
      onSent?.();
      setTitle('');
      setBody('');
    } catch (e) {
      if (e instanceof ApiError && e.notFound) setUnavailable(true);
      else toast('Could not send', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  if (unavailable)
    return (
      <p role="alert" className="rounded-lg border border-warning/30 bg-warning/10 p-3 text-sm">
        Announcements are not available on this hub yet (POST /api/v1/announcements answered 404).
      </p>
    );
  return (
    <div className="flex flex-col gap-3">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-[1fr_10rem]">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="ann-title">Title</Label>
          <Input id="ann-title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label>Level</Label>
          <SimpleSelect
            aria-label="Level"
            value={level}
            onValueChange={setLevel}
            options={['info', 'warning', 'critical'].map((l) => ({ value: l, label: l }))}
          />
        </div>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="ann-body">Message</Label>
        <Textarea id="ann-body" rows={3} value={body} maxLength={5000} onChange={(e) => setBody(e.target.value)} />
      </div>
      <Button
        className="self-end"
        variant="accent"
        size="sm"
        onClick={send}
        disabled={busy || !title.trim() || !body.trim()}
      >
        {busy ? <Loader2 className="animate-spin" /> : <Megaphone />} Broadcast
      </Button>
    </div>
  );
}
