'use client';
import { motion } from 'motion/react';
import type * as React from 'react';
import { Logo } from '@/components/shell/logo';
import { Card } from '@/components/ui/card';
import { Input, Label } from '@/components/ui/input';
import { useBrand } from '@/lib/brand';

/** The centred card with the logo that the signed-out pages (login, reset password) share. */
export function AuthCard({ children, footer }: { children: React.ReactNode; footer?: React.ReactNode }) {
  const poweredBy = useBrand()?.poweredBy;
  return (
    <div className="relative grid min-h-dvh place-items-center overflow-hidden p-4">
      <div className="pointer-events-none absolute -top-40 left-1/2 size-[36rem] -translate-x-1/2 rounded-full bg-cyan/10 blur-3xl" />
      <motion.div
        initial={{ opacity: 0, y: 16 }}
        animate={{ opacity: 1, y: 0 }}
        transition={{ duration: 0.4, ease: 'easeOut' }}
        className="w-full max-w-sm"
      >
        <div className="mb-6 flex justify-center">
          <Logo className="scale-125" />
        </div>
        <Card className="p-6">{children}</Card>
        {footer}
        {poweredBy && <p className="mt-3 text-center text-[11px] text-muted-foreground">{poweredBy}</p>}
      </motion.div>
    </div>
  );
}

/** An error line in a form. */
export function FormError({ children }: { children: React.ReactNode }) {
  return (
    <p role="alert" className="rounded-lg border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
      {children}
    </p>
  );
}

/** A confirmation line in a form. */
export function FormNote({ children }: { children: React.ReactNode }) {
  return (
    <p role="status" className="rounded-lg border border-success/30 bg-success/10 px-3 py-2 text-sm text-success">
      {children}
    </p>
  );
}

/** A labelled input of a signed-out form; `id` ties the label to the input. */
export function LabelledInput({ id, label, ...input }: { id: string; label: string } & React.ComponentProps<'input'>) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} {...input} />
    </div>
  );
}
