'use client';
import { LifeBuoy, Loader2, Send } from 'lucide-react';
import { useEffect, useState } from 'react';
import { FilePicker, uploadFiles } from '@/components/support/attachments';
import type { Suggestion } from '@/components/support/types';
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
import { Input, Label, Textarea } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { ApiError, api } from '@/lib/api';
import { useProductName } from '@/lib/brand';

/** "Get help": a ticket to the operator (POST /tickets), with articles that may already answer it. */
export function HelpDialog({ instanceId, onSent }: { instanceId: string; onSent?: () => void }) {
  const product = useProductName();
  const [open, setOpen] = useState(false);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [unavailable, setUnavailable] = useState(false);
  const [suggested, setSuggested] = useState<Suggestion[]>([]);

  // Articles matching what is typed, a moment after typing stops.
  useEffect(() => {
    const q = `${subject} ${body}`.trim();
    if (q.length < 4) {
      setSuggested([]);
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      api<Suggestion[]>('/kb/suggest', { query: { q }, signal: ctl.signal })
        .then(setSuggested)
        .catch(() => {});
    }, 350);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [subject, body]);

  const send = async () => {
    setBusy(true);
    try {
      const t = await api<{ id: string }>('/tickets', {
        body: { instanceId, subject: subject.trim(), body: body.trim() },
      });
      // The request exists now; a file the hub refuses is said, the request stays sent.
      if (files.length)
        await uploadFiles(t.id, files).catch((e: Error) =>
          toast('A file could not be attached', { tone: 'error', description: e.message }),
        );
      toast('Request sent', { tone: 'success', description: `The ${product} team will get back to you.` });
      setSubject('');
      setBody('');
      setFiles([]);
      setOpen(false);
      onSent?.();
    } catch (e) {
      if (e instanceof ApiError && e.notFound) setUnavailable(true);
      else toast('Could not send the request', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" data-testid="action-help">
          <LifeBuoy /> Get help
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Get help</DialogTitle>
          <DialogDescription>
            Tell us what is going on; the operator sees your request with your agent’s status attached.
          </DialogDescription>
        </DialogHeader>
        {unavailable ? (
          <p role="alert" className="rounded-lg border border-warning/30 bg-warning/10 p-3 text-sm">
            Support requests are not available on this hub yet. Please contact your {product} operator directly.
          </p>
        ) : (
          <div className="flex flex-col gap-3">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="help-subject">Subject</Label>
              <Input id="help-subject" value={subject} maxLength={200} onChange={(e) => setSubject(e.target.value)} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="help-body">What do you need?</Label>
              <Textarea
                id="help-body"
                rows={5}
                value={body}
                maxLength={20000}
                onChange={(e) => setBody(e.target.value)}
              />
            </div>
            <FilePicker id="help-files" files={files} onChange={setFiles} />
            {suggested.length > 0 && (
              <div
                className="rounded-lg border border-accent/30 bg-accent-soft p-3 text-sm"
                data-testid="suggested-articles"
              >
                <p className="mb-1 font-medium">These articles may answer it right away:</p>
                <ul className="list-disc pl-5">
                  {suggested.map((a) => (
                    <li key={a.id}>
                      <a
                        className="text-accent underline"
                        href={`/client/help/?article=${encodeURIComponent(a.slug)}`}
                        target="_blank"
                        rel="noreferrer"
                      >
                        {a.title}
                      </a>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </div>
        )}
        <DialogFooter>
          {!unavailable && (
            <Button variant="accent" onClick={send} disabled={busy || !subject.trim() || !body.trim()}>
              {busy ? <Loader2 className="animate-spin" /> : <Send />} Send
            </Button>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
