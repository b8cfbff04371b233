'use client';
import { ArrowLeft } from 'lucide-react';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { BrandForm } from '@/components/brand/brand-form';
import { DomainsCard } from '@/components/brand/domains-card';
import { AppShell } from '@/components/shell/app-shell';
import { Skeleton } from '@/components/ui/skeleton';
import { isOperator, OPERATOR_ROLES, PARTNER_ROLES, useAuth } from '@/lib/auth';
import { brandPath, type PartnerBrand } from '@/lib/partner-brand';
import type { Partner } from '@/lib/partners';
import { useApi } from '@/lib/use-api';

const BRAND_ROLES = [...PARTNER_ROLES, ...OPERATOR_ROLES];

export default function BrandPage() {
  return (
    <AppShell roles={BRAND_ROLES} title="Brand">
      <Suspense fallback={<Skeleton className="h-64" />}>
        <BrandView />
      </Suspense>
    </AppShell>
  );
}

/**
 * A partner's brand and custom domains. A partner's people edit their own (`/brand/`; the hub
 * lists only their partner); the operator opens one from the Partners screen (`?partner=`).
 * Who may change what is the hub's call: partner_admin and admin write, the others read.
 */
function BrandView() {
  const { user } = useAuth();
  const operator = isOperator(user);
  const asked = useSearchParams().get('partner');
  const partners = useApi<Partner[]>('/partners');
  const partner = partners.data?.find((p) => (operator ? p.id === asked : true));
  const brand = useApi<PartnerBrand>(partner ? brandPath(partner.id) : null);
  const readOnly = user?.role !== 'partner_admin' && user?.role !== 'admin';

  if (partners.error) return <p className="text-sm text-danger">Could not load the partner: {partners.error}</p>;
  if (!partners.data) return <Skeleton className="h-64" />;
  if (!partner)
    return (
      <p className="text-sm text-muted-foreground">
        {operator ? 'Pick a partner on the Partners screen.' : 'Your account belongs to no partner.'}
      </p>
    );
  if (brand.error) return <p className="text-sm text-danger">Could not load the brand: {brand.error}</p>;
  if (!brand.data) return <Skeleton className="h-64" />;
  return (
    <div className="flex max-w-4xl flex-col gap-6" data-testid="brand-page" data-partner-id={partner.id}>
      <div className="flex flex-wrap items-center gap-3">
        {operator && (
          <Link href="/partners/" className="inline-flex items-center gap-1 text-sm text-muted-foreground">
            <ArrowLeft className="size-4" /> Partners
          </Link>
        )}
        <p className="text-sm text-muted-foreground">
          {partner.name}
          {readOnly ? ' · read only' : ' · your clients see this on your verified domains'}
        </p>
      </div>
      <BrandForm
        key={partner.id}
        partnerId={partner.id}
        brand={brand.data}
        readOnly={readOnly}
        onSaved={(b) => brand.setData(b)}
      />
      <DomainsCard partnerId={partner.id} readOnly={readOnly} />
    </div>
  );
}
