import type { HubConfig } from '../config.js';
import type { RegionalStoreSettings } from './regions-setting.js';
import { type BackupStorage, LocalBackupStorage } from './storage.js';

/** Where a client's servers are: what region keys are matched against. */
export interface Place {
  location: string | null;
  country: string | null;
  networkZone?: string | null;
}

/** The region key that applies to a place (location, then country, then network zone), or null. */
export function regionFor(keys: Iterable<string>, p: Place): string | null {
  const set = new Set(keys);
  for (const k of [p.location, p.country?.toUpperCase(), p.networkZone]) if (k && set.has(k)) return k;
  return null;
}

/** Hetzner's network zone of its locations, for places stored without one. */
const ZONES: Record<string, string> = {
  fsn1: 'eu-central',
  nbg1: 'eu-central',
  hel1: 'eu-central',
  ash: 'us-east',
  hil: 'us-west',
  sin: 'ap-southeast',
};
export const networkZoneOf = (location: string | null) => (location ? (ZONES[location] ?? null) : null);

/**
 * The default backup store plus one per configured region. A backup is written to the store of
 * its client's region (the default when none matches) and remembers that region, so downloads,
 * restores and retention read it from wherever it was written.
 */
export class BackupStores {
  private constructor(
    readonly fallback: BackupStorage,
    readonly regions: ReadonlyMap<string, BackupStorage>,
  ) {}

  static async create(config: HubConfig, fallback: BackupStorage): Promise<BackupStores> {
    const regions = new Map<string, BackupStorage>();
    for (const [key, s] of Object.entries(config.backupStorageRegions))
      regions.set(key, await openStore(config, key, s));
    return new BackupStores(fallback, regions);
  }

  /** A fixed set (tests). */
  static of(fallback: BackupStorage, regions: Map<string, BackupStorage> = new Map()) {
    return new BackupStores(fallback, regions);
  }

  /** The store of a region key; unknown or null keys are the default store. */
  store(region: string | null): BackupStorage {
    return (region && this.regions.get(region)) || this.fallback;
  }

  /** The region key a place's backups go to (null: the default store). */
  regionOf(p: Place): string | null {
    return regionFor(this.regions.keys(), { ...p, networkZone: p.networkZone ?? networkZoneOf(p.location) });
  }

  /** Every store with its region key (null: default), for start-up checks and logs. */
  all(): { region: string | null; storage: BackupStorage }[] {
    return [
      { region: null, storage: this.fallback },
      ...[...this.regions].map(([region, storage]) => ({ region, storage })),
    ];
  }

  close(): void {
    for (const { storage } of this.all()) storage.close?.();
  }
}

async function openStore(config: HubConfig, key: string, s: RegionalStoreSettings): Promise<BackupStorage> {
  if ('dir' in s) return new LocalBackupStorage(s.dir, '.');
  const { S3BackupStorage } = await import('./s3.js');
  return new S3BackupStorage(
    {
      bucket: s.bucket,
      endpoint: s.endpoint,
      region: s.region,
      prefix: s.prefix ?? `backups/${key}/`,
      accessKeyId: s.accessKeyId,
      secretAccessKey: s.secretAccessKey,
      forcePathStyle: s.forcePathStyle,
    },
    config.dataDir,
  );
}
