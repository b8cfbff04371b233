import type { Db } from '../db/index.js';
import type { DeploymentService } from './service.js';

/** A Hetzner location a client can choose, as onboarding and the operator see it. */
export interface LocationChoice {
  name: string;
  city: string;
  /** ISO country code, as Hetzner gives it (DE, FI, US, SG). */
  country: string;
  description: string;
  networkZone: string;
}

/** Where a client's servers run (null fields: not chosen yet). */
export interface ClientLocation {
  name: string;
  city: string | null;
  country: string | null;
}

/** A location that is not one Hetzner lists; `choices` names the valid ones. */
export class UnknownLocation extends Error {
  constructor(
    readonly location: string,
    readonly choices: string[],
  ) {
    super(`unknown location ${location}: one of ${choices.join(', ')}`);
  }
}

/**
 * The locations clients may choose (from the hub's Hetzner catalogue) and the default. Without
 * deployments configured the list is empty: the choice is hidden and nothing is stored.
 */
export async function locationChoices(
  deployments: DeploymentService | undefined,
  fallback: string,
): Promise<{ locations: LocationChoice[]; default: string }> {
  if (!deployments || deployments.unavailableReason()) return { locations: [], default: fallback };
  const cat = await deployments.catalogue();
  const locations = cat.locations.map((l) => ({
    name: l.name,
    city: l.city,
    country: l.country,
    description: l.description,
    networkZone: l.networkZone,
  }));
  return {
    locations,
    default: locations.some((l) => l.name === fallback) ? fallback : (locations[0]?.name ?? fallback),
  };
}

/** Stores the client's location with its city and country, after checking Hetzner lists it. */
export async function setClientLocation(
  db: Db,
  deployments: DeploymentService | undefined,
  fallback: string,
  clientId: string,
  location: string,
): Promise<ClientLocation> {
  const { locations } = await locationChoices(deployments, fallback);
  const l = locations.find((x) => x.name === location);
  if (!l)
    throw new UnknownLocation(
      location,
      locations.map((x) => x.name),
    );
  await db.query('UPDATE clients SET location = $2, location_city = $3, location_country = $4 WHERE id = $1', [
    clientId,
    l.name,
    l.city,
    l.country,
  ]);
  return { name: l.name, city: l.city, country: l.country };
}

/** The client's chosen location, or null. */
export async function clientLocation(db: Db, clientId: string): Promise<ClientLocation | null> {
  const r = (
    await db.query<{ location: string | null; location_city: string | null; location_country: string | null }>(
      'SELECT location, location_city, location_country FROM clients WHERE id = $1',
      [clientId],
    )
  )[0];
  return r?.location ? { name: r.location, city: r.location_city, country: r.location_country } : null;
}

/** A client row's location as the API shows it. */
export const locationOfRow = (r: Record<string, unknown>): ClientLocation | null =>
  r.location
    ? {
        name: String(r.location),
        city: (r.location_city as string | null) ?? null,
        country: (r.location_country as string | null) ?? null,
      }
    : null;
