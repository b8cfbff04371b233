/** A partner (reseller) as `GET /partners` lists it. */
export interface Partner {
  id: string;
  name: string;
  /** How many clients it resells. */
  clients: number;
  createdAt: string;
}

/** One of a partner's custom domains (`GET /partners/:id/domains`). */
export interface PartnerDomain {
  domain: string;
  status: 'pending' | 'verified';
  verifiedAt: string | null;
}

/** A partner's domains in one word for a table cell: verified wins over pending. */
export function domainStatus(domains: PartnerDomain[] | null | undefined): 'verified' | 'pending' | 'none' {
  if (!domains?.length) return 'none';
  return domains.some((d) => d.status === 'verified') ? 'verified' : 'pending';
}
