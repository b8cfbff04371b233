import { ArrowLeft, ArrowRight, Loader2 } from 'lucide-react';
import type * as React from 'react';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/input';

/**
 * A labelled form field with its validation message right below it, tied to the control with
 * aria-describedby / aria-invalid so screen readers announce it.
 */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: React.ReactNode;
  error?: string | null;
  children: (a: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => React.ReactNode;
}) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id} className="text-sm text-foreground">
        {label}
      </Label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': described || undefined })}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} role="alert" className="text-xs font-medium text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
    </div>
  );
}

/** A step's frame: title, one-line explanation, body and the back/continue bar. */
export function StepFrame({
  title,
  subtitle,
  children,
  footer,
}: {
  title: string;
  subtitle?: React.ReactNode;
  children: React.ReactNode;
  footer?: React.ReactNode;
}) {
  return (
    <section aria-labelledby="step-title" className="grid gap-6">
      <header className="grid gap-1">
        <h1 id="step-title" tabIndex={-1} className="text-2xl font-bold tracking-tight outline-none sm:text-3xl">
          {title}
        </h1>
        {subtitle && <p className="text-sm text-muted-foreground">{subtitle}</p>}
      </header>
      {children}
      {footer && <div className="flex flex-wrap items-center justify-between gap-3 pt-2">{footer}</div>}
    </section>
  );
}

/** The footer's button back to the previous step. */
export function BackButton({ onClick }: { onClick: () => void }) {
  return (
    <Button type="button" variant="ghost" onClick={onClick} className="gap-1">
      <ArrowLeft className="size-4" /> Back
    </Button>
  );
}

/** A form step's footer: back, and the submit button (with a spinner while `busy`) labelled `children`. */
export function SubmitFooter({ back, busy, children }: { back: () => void; busy: boolean; children: React.ReactNode }) {
  return (
    <>
      <BackButton onClick={back} />
      <Button type="submit" disabled={busy} className="gap-1">
        {busy ? <Loader2 className="size-4 animate-spin" /> : null}
        {children} <ArrowRight className="size-4" />
      </Button>
    </>
  );
}
