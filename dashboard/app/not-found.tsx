import { Compass } from 'lucide-react';
import { Logo } from '@/components/shell/logo';

/** The branded page for an address the dashboard does not have (the export's 404.html). */
export default function NotFound() {
  return (
    <div
      className="grid min-h-dvh place-items-center bg-gradient-to-br from-background via-background-2 to-background px-4 text-foreground"
      data-testid="not-found"
    >
      <main className="glass grid w-full max-w-md gap-5 rounded-3xl p-8 text-center">
        <Logo className="justify-self-center" />
        <Compass className="mx-auto size-12 text-accent" aria-hidden="true" />
        <div className="grid gap-2">
          <p className="font-mono text-sm text-muted-foreground">404</p>
          <h1 className="text-2xl font-bold tracking-tight">This page does not exist</h1>
          <p className="text-sm text-muted-foreground">
            The address may be mistyped, or the page moved. Instances and clients open from their lists.
          </p>
        </div>
        <div className="flex flex-wrap justify-center gap-2">
          <a
            href="/"
            className="inline-flex h-9 items-center rounded-md bg-primary px-4 text-sm font-medium text-primary-foreground hover:opacity-90"
          >
            Go to the dashboard
          </a>
          <a
            href="/login/"
            className="inline-flex h-9 items-center rounded-md border border-border px-4 text-sm font-medium hover:bg-muted"
          >
            Sign in
          </a>
        </div>
      </main>
    </div>
  );
}
