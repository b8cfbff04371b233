/** Where a client's servers run, as the hub stores it (Hetzner location, city, ISO country). */
export interface ClientLocation {
  name: string;
  city: string | null;
  country: string | null;
}

/** A location a client can choose (GET /locations). */
export interface LocationChoice {
  name: string;
  city: string;
  country: string;
  description: string;
  networkZone: string;
}

/** GET /locations: the choices (empty when this hub does not deploy servers) and the default. */
export interface LocationChoices {
  locations: LocationChoice[];
  default: string;
}

/** The country's English name from its ISO code (DE -> Germany); the code when unknown. */
export function countryName(code: string | null | undefined): string {
  if (!code) return '';
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** "Helsinki, Finland (hel1)". */
export function placeLabel(l: { name: string; city: string | null; country: string | null }): string {
  const where = [l.city, countryName(l.country)].filter(Boolean).join(', ');
  return where ? `${where} (${l.name})` : l.name;
}
