import { describe, expect, it } from 'vitest';
import { auditQuery, NO_FILTERS, recordingPath } from '../components/admin/audit-types';
import { parseAllowlist } from '../lib/admin-types';
import { parseAsciicast, parseResize } from '../lib/asciicast';

describe('asciicast', () => {
  it('reads the header size and output/resize events in time order, skipping bad lines', () => {
    const c = parseAsciicast(
      [
        '{"version":2,"width":100,"height":30}',
        '[0.5,"o","world"]',
        '[0.1,"o","hello "]',
        'not json',
        '[0.7,"i","typed"]',
        '[0.9,"r","120x40"]',
        '[1,"o",42]',
      ].join('\n'),
    );
    expect(c.width).toBe(100);
    expect(c.height).toBe(30);
    expect(c.events.map((e) => e.data)).toEqual(['hello ', 'world', '120x40']);
    expect(c.skipped).toBe(2);
    expect(parseResize('120x40')).toEqual({ cols: 120, rows: 40 });
    expect(parseResize('wide')).toBeNull();
  });

  it('falls back to 80x24 without a usable header', () => {
    const c = parseAsciicast('[0,"o","x"]');
    expect([c.width, c.height, c.events.length]).toEqual([80, 24, 1]);
  });
});

describe('audit helpers', () => {
  it('leaves empty filters out and sends times as ISO', () => {
    const q = auditQuery({ ...NO_FILTERS, action: ' token.create ', from: '2025-01-02T03:04' });
    expect(q.action).toBe('token.create');
    expect(q.actor).toBeUndefined();
    expect(q.from).toBe(new Date('2025-01-02T03:04').toISOString());
  });

  it('finds a console recording only where the entry names one', () => {
    const base = { id: 1, actor: 'user:u1', target: null, clientId: null };
    expect(recordingPath({ ...base, action: 'token.create' })).toBeNull();
    expect(recordingPath({ ...base, action: 'console.open', detail: { sessionId: 's1', instanceId: 'i1' } })).toBe(
      '/instances/i1/console/s1/recording',
    );
    expect(recordingPath({ ...base, action: 'x', detail: { recording: '/api/v1/recordings/r1' } })).toBe(
      '/recordings/r1',
    );
  });

  it('splits an allowlist on lines, commas and blanks', () => {
    expect(parseAllowlist('127.0.0.1\n 10.0.0.0/8, ::1\n\n')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
  });
});
