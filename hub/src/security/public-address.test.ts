import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPublicUrl, guardedAgent, nonPublicReason, PublicAddressError, resolvePublic } from './public-address.js';

describe('public addresses', () => {
  it('names why an address is not public, and passes public ones', () => {
    const cases: [string, string | null][] = [
      ['127.0.0.1', 'loopback'],
      ['127.8.9.10', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['10.1.2.3', 'private (RFC 1918)'],
      ['172.31.255.255', 'private (RFC 1918)'],
      ['192.168.0.10', 'private (RFC 1918)'],
      ['169.254.169.254', 'cloud metadata'],
      ['fe80::1', 'link-local'],
      ['100.64.0.1', 'carrier-grade NAT (100.64/10)'],
      ['100.100.100.200', 'carrier-grade NAT (100.64/10)'],
      ['fd00:ec2::254', 'unique-local (fc00::/7)'],
      ['fc12::1', 'unique-local (fc00::/7)'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['64:ff9b::a00:1', 'private (RFC 1918)'],
      ['0:0:0:0:0:ffff:a00:1', 'private (RFC 1918)'],
      ['8.8.8.8', null],
      ['172.32.0.1', null],
      ['100.128.0.1', null],
      ['2606:4700:4700::1111', null],
      ['::ffff:1.1.1.1', null],
    ];
    for (const [ip, why] of cases) expect([ip, nonPublicReason(ip)]).toEqual([ip, why]);
    expect(nonPublicReason('example.com')).toBe('not an IP address');
  });

  it('refuses a name if any of its addresses is not public, and names that do not resolve', async () => {
    const resolve = async (h: string) =>
      h === 'mixed.test'
        ? [
            { address: '93.184.216.34', family: 4 },
            { address: '10.0.0.5', family: 4 },
          ]
        : h === 'ok.test'
          ? [{ address: '93.184.216.34', family: 4 }]
          : Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
    await expect(resolvePublic('mixed.test', { allowPrivate: false, resolve })).rejects.toThrow(
      /resolves to 10\.0\.0\.5, a private \(RFC 1918\) address/,
    );
    await expect(resolvePublic('ok.test', { allowPrivate: false, resolve })).resolves.toHaveLength(1);
    await expect(resolvePublic('gone.test', { allowPrivate: false, resolve })).rejects.toThrow(/ENOTFOUND/);
    await expect(resolvePublic('[::1]', { allowPrivate: false })).rejects.toThrow(/::1 is a loopback address/);
    await expect(resolvePublic('localhost', { allowPrivate: false })).rejects.toBeInstanceOf(PublicAddressError);
  });

  it('accepts only https URLs without credentials; allowPrivate also lets http and the local network through', async () => {
    const strict = { allowPrivate: false };
    await expect(assertPublicUrl('http://93.184.216.34/x', strict)).rejects.toThrow(/http: URLs are refused/);
    await expect(assertPublicUrl('https://127.0.0.1:8443/x', strict)).rejects.toThrow(/loopback/);
    await expect(assertPublicUrl('https://169.254.169.254/latest/meta-data', strict)).rejects.toThrow(/metadata/);
    await expect(assertPublicUrl('https://[fd00::1]/', strict)).rejects.toThrow(/unique-local/);
    await expect(assertPublicUrl('https://u:p@93.184.216.34/', strict)).rejects.toThrow(/user name or password/);
    await expect(assertPublicUrl('file:///etc/passwd', strict)).rejects.toThrow(/file: URLs are refused/);
    await expect(assertPublicUrl('not a url', strict)).rejects.toThrow(/not a URL/);
    await expect(assertPublicUrl('https://93.184.216.34/hook', strict)).resolves.toBeInstanceOf(URL);
    await expect(assertPublicUrl('http://127.0.0.1:9/x', { allowPrivate: true })).resolves.toBeInstanceOf(URL);
  });

  describe('connecting', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((_req, res) => res.end('reached'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('connects to the address it checked (a name only the fake resolver knows)', async () => {
      const agent = guardedAgent({ allowPrivate: true, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
      const res = await fetch(`http://hooks.example.invalid:${port}/`, { dispatcher: agent });
      expect(await res.text()).toBe('reached');
      await agent.close();
    });

    it('a name that passed the check and then rebinds to a private address is refused at connect', async () => {
      let calls = 0;
      const resolve = async () => [{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
      const o = { allowPrivate: false, resolve };
      const url = `https://rebind.example.invalid:${port}/`;
      await expect(assertPublicUrl(url, o)).resolves.toBeInstanceOf(URL);
      const agent = guardedAgent(o);
      const err = await fetch(url, { dispatcher: agent }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).not.toBeNull();
      expect(String((err as Error & { cause?: Error }).cause?.message)).toMatch(/127\.0\.0\.1, a loopback address/);
      expect(calls).toBe(2);
      await agent.close();
    });
  });
});
