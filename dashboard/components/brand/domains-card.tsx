'use client';
import { Globe, Loader2, Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Field } from '@/components/onboarding/field';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { addDomain, type DomainClaim, domainsPath } from '@/lib/partner-brand';
import { useApi } from '@/lib/use-api';
import { DomainRow } from './domain-row';

/**
 * The partner's custom domains: add one (the hub accepts only names on the operator's list and
 * says which when it refuses), prove it, remove it. Only verified domains show the brand.
 */
export function DomainsCard({ partnerId, readOnly }: { partnerId: string; readOnly: boolean }) {
  const domains = useApi<DomainClaim[]>(domainsPath(partnerId));
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await addDomain(partnerId, name);
      setName('');
      await domains.reload();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card data-testid="domains-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Globe className="size-4" /> Custom domains
        </CardTitle>
        <CardDescription>
          Your clients sign in on these and see your brand there once the domain is verified.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {!readOnly && (
          <form onSubmit={add} className="flex flex-wrap items-start gap-2" aria-label="Add a domain">
            <div className="min-w-64 flex-1">
              <Field id="domain-name" label="Domain" error={error} hint="one the operator allows, e.g. app.example.com">
                {(a) => (
                  <Input
                    {...a}
                    value={name}
                    onChange={(e) => setName(e.target.value)}
                    placeholder="app.example.com"
                    autoComplete="off"
                    spellCheck={false}
                  />
                )}
              </Field>
            </div>
            <Button type="submit" variant="outline" disabled={busy || !name.trim()} className="mt-[26px]">
              {busy ? <Loader2 className="animate-spin" /> : <Plus />} Add domain
            </Button>
          </form>
        )}
        {domains.error && <p className="text-sm text-danger">Could not load the domains: {domains.error}</p>}
        {!domains.data && !domains.error && <Skeleton className="h-16" />}
        {domains.data && domains.data.length === 0 && (
          <p className="text-sm text-muted-foreground">No custom domain yet: your clients use the hub’s address.</p>
        )}
        {domains.data && domains.data.length > 0 && (
          <ul className="grid gap-3">
            {domains.data.map((d) => (
              <DomainRow
                key={d.domain}
                partnerId={partnerId}
                claim={d}
                readOnly={readOnly}
                onChange={() => domains.reload()}
              />
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
