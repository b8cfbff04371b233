import { describe, expect, it } from 'vitest';
import { networkZoneOf, regionFor } from './regions.js';

describe('regionFor', () => {
  const keys = ['fsn1', 'DE', 'eu-central', 'US'];
  it('takes the most specific key: location, then country, then network zone', () => {
    expect(regionFor(keys, { location: 'fsn1', country: 'DE', networkZone: 'eu-central' })).toBe('fsn1');
    expect(regionFor(keys, { location: 'nbg1', country: 'DE', networkZone: 'eu-central' })).toBe('DE');
    expect(regionFor(keys, { location: 'hel1', country: 'FI', networkZone: 'eu-central' })).toBe('eu-central');
    expect(regionFor(keys, { location: 'ash', country: 'us', networkZone: 'us-east' })).toBe('US');
  });
  it('is null when nothing matches or nothing is known', () => {
    expect(regionFor(keys, { location: 'sin', country: 'SG', networkZone: 'ap-southeast' })).toBeNull();
    expect(regionFor(keys, { location: null, country: null })).toBeNull();
    expect(regionFor([], { location: 'fsn1', country: 'DE' })).toBeNull();
  });
  it('knows the zone of Hetzner locations', () => {
    expect(networkZoneOf('hel1')).toBe('eu-central');
    expect(networkZoneOf('hil')).toBe('us-west');
    expect(networkZoneOf('nowhere')).toBeNull();
    expect(networkZoneOf(null)).toBeNull();
  });
});
