'use client';
import { Loader2, ShieldCheck, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { CopyButton } from '@/components/admin/copy-button';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { type DomainClaim, removeDomain, verifyDomain } from '@/lib/partner-brand';

/** One value to publish, in full and copyable. */
function Proof({ label, value }: { label: string; value: string }) {
  return (
    <div className="grid gap-1">
      <span className="text-xs text-muted-foreground">{label}</span>
      <div className="flex items-center gap-2">
        <code className="min-w-0 flex-1 break-all rounded-md bg-muted px-2 py-1 font-mono text-xs">{value}</code>
        <CopyButton text={value} />
      </div>
    </div>
  );
}

/**
 * A custom domain: verified, or pending with the TXT record and the well-known file the hub
 * looks for (either one proves it), a Verify button with the hub's answer, and Remove.
 */
export function DomainRow({
  partnerId,
  claim,
  readOnly,
  onChange,
}: {
  partnerId: string;
  claim: DomainClaim;
  readOnly: boolean;
  onChange: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirm, setConfirm] = useState(false);
  const verify = async () => {
    setBusy(true);
    setResult(null);
    try {
      const d = await verifyDomain(partnerId, claim.domain);
      setResult({ ok: true, text: `verified by ${d.verifiedBy === 'dns' ? 'DNS' : 'the well-known file'}` });
      onChange();
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const verified = claim.status === 'verified';
  return (
    <li className="grid gap-3 rounded-lg border border-border p-3" data-testid="domain-row" data-domain={claim.domain}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono text-sm font-medium">{claim.domain}</span>
        <Badge variant={verified ? 'success' : 'warning'} data-testid="domain-status">
          {verified && <ShieldCheck className="size-3" />}
          {claim.status}
        </Badge>
        {verified && claim.verifiedAt && (
          <span className="text-xs text-muted-foreground">
            by {claim.verifiedBy === 'dns' ? 'DNS' : 'well-known file'} on {claim.verifiedAt.slice(0, 10)}
          </span>
        )}
        {!readOnly && (
          <div className="ml-auto flex gap-2">
            {!verified && (
              <Button type="button" size="sm" onClick={verify} disabled={busy}>
                {busy ? <Loader2 className="animate-spin" /> : <ShieldCheck />} Verify
              </Button>
            )}
            <Button type="button" size="sm" variant="outline" onClick={() => setConfirm(true)}>
              <Trash2 /> Remove
            </Button>
          </div>
        )}
      </div>
      {!verified && (
        <div className="grid gap-3 text-sm">
          <p className="text-xs text-muted-foreground">Publish one of these, then press Verify:</p>
          <div className="grid gap-3 md:grid-cols-2">
            <div className="grid gap-2">
              <p className="text-xs font-medium">DNS TXT record</p>
              <Proof label="Name" value={claim.txtName} />
              <Proof label="Value" value={claim.token} />
            </div>
            <div className="grid gap-2">
              <p className="text-xs font-medium">or a file on the domain</p>
              <Proof label="URL" value={claim.wellKnownUrl} />
              <Proof label="Content" value={claim.token} />
            </div>
          </div>
        </div>
      )}
      {result && (
        <p
          role={result.ok ? 'status' : 'alert'}
          className={result.ok ? 'text-xs text-success' : 'text-xs text-danger'}
          data-testid="verify-result"
        >
          {result.text}
        </p>
      )}
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title={`Remove ${claim.domain}?`}
        description="Pages on it stop showing your brand; adding it again needs a new verification."
        confirmLabel="Remove domain"
        destructive
        onConfirm={async () => {
          try {
            await removeDomain(partnerId, claim.domain);
            onChange();
          } catch (e) {
            setResult({ ok: false, text: (e as Error).message });
            throw e;
          }
        }}
      />
    </li>
  );
}
