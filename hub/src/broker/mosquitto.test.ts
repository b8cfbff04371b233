import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mosquittoAcl, mosquittoPasswordLine } from './mosquitto.js';

describe('Mosquitto export', () => {
  it('writes a $7$ PBKDF2-SHA512 password line that verifies', () => {
    const line = mosquittoPasswordLine('inst-1', 's3cret');
    const [user, rest] = line.split(':');
    expect(user).toBe('inst-1');
    const [, kind, iter, salt, hash] = rest.split('$');
    expect(kind).toBe('7');
    expect(pbkdf2Sync('s3cret', Buffer.from(salt, 'base64'), Number(iter), 64, 'sha512').toString('base64')).toBe(hash);
  });

  it('limits instances to their own topics by username pattern', () => {
    const acl = mosquittoAcl('hub');
    expect(acl).toContain('pattern write ds/v1/%u/metrics');
    expect(acl).toContain('pattern read ds/v1/%u/cmd');
    expect(acl).not.toMatch(/^pattern write ds\/v1\/%u\/cmd$/m);
    expect(acl).toContain('user hub\ntopic readwrite ds/v1/#');
  });
});
