'use client';
import { Download, FileText, Loader2, Lock, Paperclip, ScrollText, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { toast } from '@/components/ui/toast';
import { api, download, fetchBlob } from '@/lib/api';
import type { Attachment } from './types';

/** Largest file the hub accepts (hub/src/routes/tickets/attachments.ts). */
export const MAX_ATTACHMENT_BYTES = 1024 * 1024;
/** The types the hub accepts; the picker offers only these. */
export const ACCEPTED_TYPES = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,application/json';

const kb = (n: number) => (n < 1024 ? `${n} B` : `${Math.round(n / 102.4) / 10} KB`);
const path = (ticketId: string, a?: Attachment) =>
  `/tickets/${encodeURIComponent(ticketId)}/attachments${a ? `/${encodeURIComponent(a.id)}` : ''}`;

function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(new Error(`could not read ${file.name}`));
    r.readAsDataURL(file);
  });
}

/** Uploads files to a ticket, one after the other; the hub checks type and size again. */
export async function uploadFiles(ticketId: string, files: File[], internal = false): Promise<void> {
  for (const f of files)
    await api(path(ticketId), {
      body: { filename: f.name, contentType: f.type || 'text/plain', dataBase64: await base64Of(f), internal },
    });
}

/** Asks the hub to attach the recent logs of the ticket's instance (a text file in the thread). */
export const attachLogExcerpt = (ticketId: string, internal = false) =>
  api(`/tickets/${encodeURIComponent(ticketId)}/log-excerpt`, { body: { internal } });

/** An image attachment, fetched with the session (the hub wants the bearer token, so no plain src). */
function ImagePreview({ ticketId, a }: { ticketId: string; a: Attachment }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let u: string | null = null;
    let live = true;
    fetchBlob(path(ticketId, a))
      .then((b) => {
        if (!live) return;
        u = URL.createObjectURL(b);
        setUrl(u);
      })
      .catch(() => {});
    return () => {
      live = false;
      if (u) URL.revokeObjectURL(u);
    };
  }, [ticketId, a]);
  if (!url) return <div className="h-24 w-32 animate-pulse rounded-md bg-muted" />;
  return (
    // biome-ignore lint/performance/noImgElement: a blob: URL of a fetched file; next/image cannot optimise it (static export)
    <img
      src={url}
      alt={a.filename}
      data-testid="attachment-preview"
      className="max-h-48 max-w-full self-start rounded-md border border-border object-contain"
    />
  );
}

/** One attachment: a preview for images, and a download button for every file. */
export function AttachmentItem({ ticketId, a }: { ticketId: string; a: Attachment }) {
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      await download(path(ticketId, a), a.filename);
    } catch (e) {
      toast('Could not download', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div
      className="flex flex-col gap-1.5 rounded-lg border border-border bg-card p-2 text-xs"
      data-testid="attachment"
      data-filename={a.filename}
    >
      {a.contentType.startsWith('image/') && <ImagePreview ticketId={ticketId} a={a} />}
      <div className="flex items-center gap-2">
        {a.internal ? (
          <Lock className="size-3.5 text-warning" aria-label="internal" />
        ) : (
          <FileText className="size-3.5 text-muted-foreground" aria-hidden="true" />
        )}
        <span className="min-w-0 flex-1 truncate" title={a.filename}>
          {a.filename}
        </span>
        <span className="text-muted-foreground">{kb(a.size)}</span>
        <Button
          size="sm"
          variant="ghost"
          onClick={save}
          disabled={busy}
          aria-label={`Download ${a.filename}`}
          data-testid="attachment-download"
        >
          {busy ? <Loader2 className="animate-spin" /> : <Download />}
        </Button>
      </div>
    </div>
  );
}

/** A file picker that keeps the chosen files until the caller sends them, refusing what the hub would. */
export function FilePicker({ files, onChange, id }: { files: File[]; onChange: (files: File[]) => void; id: string }) {
  const input = useRef<HTMLInputElement>(null);
  const add = (list: FileList | null) => {
    const ok: File[] = [];
    for (const f of Array.from(list ?? [])) {
      if (f.size > MAX_ATTACHMENT_BYTES)
        toast(`${f.name} is too large`, { tone: 'error', description: 'Files are at most 1 MB.' });
      else if (f.size === 0) toast(`${f.name} is empty`, { tone: 'error' });
      else ok.push(f);
    }
    onChange([...files, ...ok]);
    if (input.current) input.current.value = '';
  };
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs">
      <input
        ref={input}
        id={id}
        type="file"
        multiple
        accept={ACCEPTED_TYPES}
        className="sr-only"
        data-testid="attach-file-input"
        onChange={(e) => add(e.target.files)}
      />
      <Button size="sm" variant="ghost" type="button" onClick={() => input.current?.click()}>
        <Paperclip /> Attach a file
      </Button>
      {files.map((f, i) => (
        <span
          key={`${f.name}-${f.size}-${f.lastModified}`}
          className="inline-flex items-center gap-1 rounded-md border border-border px-2 py-1"
          data-testid="pending-file"
        >
          {f.name}
          <button
            type="button"
            aria-label={`Remove ${f.name}`}
            onClick={() => onChange(files.filter((_, j) => j !== i))}
          >
            <X className="size-3" />
          </button>
        </span>
      ))}
    </div>
  );
}

/** "Attach recent logs": the linked instance's last hour of logs as a file in the thread. */
export function LogExcerptButton({
  ticketId,
  internal = false,
  onDone,
}: {
  ticketId: string;
  internal?: boolean;
  onDone: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      await attachLogExcerpt(ticketId, internal);
      toast('Recent logs attached', { tone: 'success' });
      onDone();
    } catch (e) {
      toast('Could not attach the logs', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button size="sm" variant="ghost" type="button" onClick={run} disabled={busy} data-testid="attach-logs">
      {busy ? <Loader2 className="animate-spin" /> : <ScrollText />} Attach recent logs
    </Button>
  );
}
