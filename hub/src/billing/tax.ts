/** Standard VAT rates of EU member states (percent), for B2C sales and domestic B2B. */
export const EU_VAT: Record<string, number> = {
  AT: 20,
  BE: 21,
  BG: 20,
  CY: 19,
  CZ: 21,
  DE: 19,
  DK: 25,
  EE: 24,
  ES: 21,
  FI: 25.5,
  FR: 20,
  GR: 24,
  HR: 25,
  HU: 27,
  IE: 23,
  IT: 22,
  LT: 21,
  LU: 17,
  LV: 21,
  MT: 18,
  NL: 21,
  PL: 23,
  PT: 23,
  RO: 21,
  SE: 25,
  SI: 22,
  SK: 23,
};

export interface TaxDecision {
  /** Fraction, e.g. 0.19. */
  rate: number;
  /** Printed on the invoice when no VAT or a foreign rate is charged. */
  note: string | null;
}

/**
 * VAT for a sale of digital services by a seller in `seller` to a client:
 * - same country: the domestic rate;
 * - another EU country, a business with a VAT id: 0 %, reverse charge (Art. 196 VAT Directive);
 * - another EU country without a VAT id: the client's country's rate (OSS);
 * - outside the EU: 0 %, not subject to EU VAT;
 * - country unknown: the seller's domestic rate.
 */
export function taxFor(seller: string, client: { country?: string | null; vatId?: string | null }): TaxDecision {
  const c = client.country?.toUpperCase() || null;
  const domestic = (EU_VAT[seller] ?? 0) / 100;
  if (!c || c === seller) return { rate: domestic, note: null };
  if (c in EU_VAT) {
    if (client.vatId)
      return { rate: 0, note: `Reverse charge: VAT to be accounted for by the recipient (${client.vatId}).` };
    return { rate: EU_VAT[c] / 100, note: `VAT of ${c} (${EU_VAT[c]}%).` };
  }
  return { rate: 0, note: 'Not subject to EU VAT (services supplied outside the EU).' };
}

/** Tax on integer cents, half away from zero (so a credit note mirrors its invoice exactly). */
export function taxCents(subtotal: number, rate: number): number {
  const x = Math.abs(subtotal) * rate;
  // Round on a fixed number of decimals first: 1005 * 0.19 is 190.95 in decimal, 190.9499… in binary.
  const r = Math.round(Number(x.toFixed(6)));
  return subtotal < 0 ? -r : r;
}
