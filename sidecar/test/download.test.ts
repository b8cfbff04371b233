/** The bundle download's bounds, against a local HTTP server: checksum, size (streamed), time. */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadVerified } from '../src/changes/download.js';

const BODY = Buffer.from('// deepsignal-sidecar 1.2.3\nconsole.log("hi");\n');
const SUM = createHash('sha256').update(BODY).digest('hex');
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') res.end(BODY);
    else if (req.url === '/big') {
      // no content-length: the limit must hold while streaming
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024, 1));
      res.end();
    } else if (req.url === '/stall')
      res.writeHead(200).write('x'); // never ends
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const limits = { maxBytes: 16 * 1024, timeoutMs: 2000 };

describe('downloadVerified', () => {
  it('returns the body when the sha256 matches', async () => {
    expect((await downloadVerified(`${base}/ok`, SUM, limits)).equals(BODY)).toBe(true);
  });
  it('refuses a body with another sha256', async () => {
    await expect(downloadVerified(`${base}/ok`, 'b'.repeat(64), limits)).rejects.toMatchObject({
      code: 'checksum_mismatch',
    });
  });
  it('cuts off a body over the size limit', async () => {
    await expect(downloadVerified(`${base}/big`, SUM, limits)).rejects.toMatchObject({ code: 'too_large' });
  });
  it('gives up on a download that stalls', async () => {
    await expect(downloadVerified(`${base}/stall`, SUM, { ...limits, timeoutMs: 300 })).rejects.toMatchObject({
      code: 'download_failed',
    });
  });
  it('names the HTTP status of a failed download, and refuses other schemes', async () => {
    await expect(downloadVerified(`${base}/missing`, SUM, limits)).rejects.toThrow(/HTTP 404/);
    await expect(downloadVerified('file:///etc/passwd', SUM, limits)).rejects.toMatchObject({ code: 'bad_params' });
  });
});
