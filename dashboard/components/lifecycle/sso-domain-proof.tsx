'use client';
import { Loader2, RefreshCw, ShieldCheck } from 'lucide-react';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';

/** GET /clients/:id/sso/domains: a claim on an email domain and the TXT record that proves it. */
interface DomainClaim {
  domain: string;
  status: 'pending' | 'verified' | 'expired';
  txtName: string;
  txtValue: string;
  expiresAt: string | null;
}

/**
 * Whether the SSO email domain is proved. Logins are routed only once it is: until then this shows
 * the TXT record to publish and asks the hub to look it up; an expired claim gets a new token. The
 * operator can approve a claim instead (hub API `…/approve`).
 */
export function SsoDomainProof({
  clientId,
  domain,
  onChange,
}: {
  clientId: string;
  domain: string;
  onChange: () => void;
}) {
  const base = `/clients/${encodeURIComponent(clientId)}/sso/domains`;
  const claims = useApi<DomainClaim[]>(base, { key: domain });
  const claim = claims.data?.find((c) => c.domain === domain.toLowerCase());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await call();
      await claims.reload();
      onChange();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  if (!claim) return null;
  if (claim.status === 'verified')
    return (
      <p className="flex items-center gap-2 text-sm" data-testid="sso-domain-verified">
        <ShieldCheck className="size-4 text-success" /> {claim.domain}
        <Badge variant="success">verified</Badge>
      </p>
    );
  return (
    <div
      className="grid gap-2 rounded-md border border-warning/30 bg-warning/5 p-3 text-sm"
      data-testid="sso-domain-proof"
    >
      <p>
        <Badge variant="warning">{claim.status}</Badge> Prove that {claim.domain} is yours: nobody signs in through
        single sign-on until then.
      </p>
      {claim.status === 'pending' ? (
        <>
          <p className="text-xs text-muted-foreground">Add this TXT record at your DNS provider, then check it:</p>
          <code className="font-mono text-xs break-all">
            {claim.txtName} TXT "{claim.txtValue}"
          </code>
          {claim.expiresAt && (
            <p className="text-xs text-muted-foreground">
              The claim lapses on {new Date(claim.expiresAt).toLocaleDateString()} if it is not proved.
            </p>
          )}
        </>
      ) : (
        <p className="text-xs text-muted-foreground">The claim lapsed unproved: get a new token and publish it.</p>
      )}
      {error && (
        <p className="text-sm text-danger" role="alert">
          {error}
        </p>
      )}
      <div className="flex justify-end">
        <Button
          type="button"
          size="sm"
          variant="outline"
          disabled={busy}
          className="gap-1"
          onClick={() =>
            act(() =>
              claim.status === 'pending'
                ? api(`${base}/${encodeURIComponent(claim.domain)}/verify`, { method: 'POST' })
                : api(base, { method: 'POST', body: { domain: claim.domain } }),
            )
          }
        >
          {busy ? <Loader2 className="size-4 animate-spin" /> : <RefreshCw className="size-4" />}
          {claim.status === 'pending' ? 'Check DNS' : 'New token'}
        </Button>
      </div>
    </div>
  );
}
