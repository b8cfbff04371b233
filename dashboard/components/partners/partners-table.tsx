'use client';
import { Palette } from 'lucide-react';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { domainStatus, type Partner, type PartnerDomain } from '@/lib/partners';
import { useApi } from '@/lib/use-api';

const DOMAIN_TONE = { verified: 'success', pending: 'warning', none: 'outline' } as const;

/** A partner's custom domains in one cell: its status, and the names behind it. */
function DomainCell({ partnerId }: { partnerId: string }) {
  const domains = useApi<PartnerDomain[]>(`/partners/${encodeURIComponent(partnerId)}/domains`);
  if (domains.error) return <span className="text-xs text-danger">{domains.error}</span>;
  if (!domains.data) return <span className="text-xs text-muted-foreground">…</span>;
  const status = domainStatus(domains.data);
  return (
    <div className="flex flex-col items-start gap-1">
      <Badge variant={DOMAIN_TONE[status]} data-testid="partner-domain-status">
        {status === 'none' ? 'no domain' : status}
      </Badge>
      {domains.data.map((d) => (
        <span key={d.domain} className="font-mono text-[11px] text-muted-foreground">
          {d.domain} · {d.status}
        </span>
      ))}
    </div>
  );
}

/** Every partner with its number of clients and the state of its custom domains. */
export function PartnersTable({ partners }: { partners: Partner[] }) {
  return (
    <Card className="overflow-x-auto">
      <table className="w-full min-w-[560px] text-sm">
        <thead>
          <tr className="border-b border-border text-left text-xs text-muted-foreground">
            <th className="p-3 font-medium">Partner</th>
            <th className="p-3 font-medium">Clients</th>
            <th className="p-3 font-medium">Domain</th>
            <th className="p-3 font-medium">Since</th>
            <th className="p-3 font-medium">
              <span className="sr-only">Brand</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {partners.map((p) => (
            <tr key={p.id} className="border-b border-border last:border-0" data-testid="partner-row">
              <td className="p-3">
                <p className="font-medium">{p.name}</p>
                <p className="font-mono text-[11px] text-muted-foreground">{p.id}</p>
              </td>
              <td className="p-3 tabular-nums" data-testid="partner-clients">
                {p.clients}
              </td>
              <td className="p-3">
                <DomainCell partnerId={p.id} />
              </td>
              <td className="p-3 text-xs text-muted-foreground">{p.createdAt.slice(0, 10)}</td>
              <td className="p-3 text-right">
                <Link
                  href={`/brand/?partner=${encodeURIComponent(p.id)}`}
                  className="inline-flex items-center gap-1 text-xs text-accent underline-offset-4 hover:underline"
                  aria-label={`Brand and domains of ${p.name}`}
                >
                  <Palette className="size-3.5" /> Brand
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
