import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Tailscale API v2 (the parts deployments use): auth keys, devices, device deletion,
 * OAuth client credentials, errors as `{"message": …}` with Tailscale's status codes. `join`
 * (and `POST /fake/join`, which is not part of Tailscale's API) stands in for `tailscale up
 * --authkey` on a server: it spends the key and registers the device with the key's tags.
 */
export interface FakeTailscaleOptions {
  tailnet?: string;
  apiKey?: string;
  oauth?: { clientId: string; clientSecret: string };
}

interface Key {
  id: string;
  key: string;
  created: number;
  expires: number;
  description: string;
  reusable: boolean;
  ephemeral: boolean;
  preauthorized: boolean;
  tags: string[];
  used: boolean;
  revoked: boolean;
}

export interface FakeDevice {
  id: string;
  nodeId: string;
  name: string;
  hostname: string;
  addresses: string[];
  tags: string[];
  authorized: boolean;
  created: string;
  lastSeen: string;
  keyId: string;
}

export class FakeTailscale {
  readonly keys = new Map<string, Key>();
  readonly devices = new Map<string, FakeDevice>();
  readonly log: string[] = [];
  private readonly tokens = new Set<string>();
  private server: Server | null = null;
  private nextIp = 2;
  url = '';

  constructor(readonly o: FakeTailscaleOptions = {}) {}

  get tailnet() {
    return this.o.tailnet ?? 'example.com';
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** A server joining with an auth key (what `tailscale up --authkey=… --hostname=…` does). */
  join(authKey: string, hostname: string): FakeDevice {
    const k = [...this.keys.values()].find((x) => x.key === authKey);
    if (!k || k.revoked) throw new Error('invalid key: unable to validate API key');
    if (k.expires < Date.now()) throw new Error('invalid key: key expired');
    if (k.used && !k.reusable) throw new Error('invalid key: key has already been used');
    k.used = true;
    const id = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
    const now = new Date().toISOString();
    const d: FakeDevice = {
      id,
      nodeId: `n${randomBytes(6).toString('hex')}CNTRL`,
      name: `${hostname}.${this.tailnet.replace(/\..*$/, '')}.ts.net`,
      hostname,
      addresses: [`100.64.0.${this.nextIp++}`, `fd7a:115c:a1e0::${this.nextIp}`],
      tags: k.tags,
      authorized: k.preauthorized,
      created: now,
      lastSeen: now,
      keyId: k.id,
    };
    this.devices.set(id, d);
    return d;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    this.log.push(`${req.method} ${p}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && p === '/fake/join') {
      try {
        const b = JSON.parse(raw) as { authKey: string; hostname: string };
        return send(200, this.join(b.authKey, b.hostname));
      } catch (e) {
        return send(403, { message: (e as Error).message });
      }
    }
    if (req.method === 'POST' && p === '/api/v2/oauth/token') {
      const f = new URLSearchParams(raw);
      if (
        !this.o.oauth ||
        f.get('client_id') !== this.o.oauth.clientId ||
        f.get('client_secret') !== this.o.oauth.clientSecret
      )
        return send(401, { message: 'invalid client credentials' });
      const t = `tskey-api-oauth-${randomBytes(12).toString('hex')}`;
      this.tokens.add(t);
      return send(200, { access_token: t, token_type: 'Bearer', expires_in: 3600, scope: 'auth_keys devices:core' });
    }
    const auth = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const basic = req.headers.authorization?.startsWith('Basic ')
      ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':')[0]
      : '';
    const viaOauth = this.tokens.has(auth);
    if (!(auth === (this.o.apiKey ?? 'tskey-api-test') || basic === (this.o.apiKey ?? 'tskey-api-test') || viaOauth))
      return send(401, { message: 'API token invalid' });
    const tn = (s: string) => s === '-' || s === this.tailnet;
    let g = p.match(/^\/api\/v2\/tailnet\/([^/]+)\/keys$/);
    if (g && req.method === 'POST') {
      if (!tn(decodeURIComponent(g[1]))) return send(404, { message: 'tailnet not found' });
      let b: { capabilities?: { devices?: { create?: Partial<Key> } }; expirySeconds?: number; description?: string };
      try {
        b = JSON.parse(raw);
      } catch {
        return send(400, { message: 'invalid JSON body' });
      }
      const c = b.capabilities?.devices?.create ?? {};
      const tags = c.tags ?? [];
      if (viaOauth && tags.length === 0)
        return send(400, { message: 'requested tags [] are invalid or not permitted' });
      if (tags.some((t) => !/^tag:[a-z0-9-]+$/i.test(t)))
        return send(400, { message: `requested tags ${JSON.stringify(tags)} are invalid or not permitted` });
      if ((b.description ?? '').length > 50) return send(400, { message: 'description must be at most 50 characters' });
      const id = `k${randomBytes(8).toString('hex')}CNTRL`;
      const expiry = b.expirySeconds ?? 90 * 86400;
      const created = Date.now(); // one reading: the key lives exactly `expirySeconds`
      const k: Key = {
        id,
        key: `tskey-auth-${id}-${randomBytes(16).toString('hex')}`,
        created,
        expires: created + expiry * 1000,
        description: b.description ?? '',
        reusable: !!c.reusable,
        ephemeral: !!c.ephemeral,
        preauthorized: !!c.preauthorized,
        tags,
        used: false,
        revoked: false,
      };
      this.keys.set(id, k);
      return send(200, {
        id,
        key: k.key,
        created: new Date(k.created).toISOString(),
        expires: new Date(k.expires).toISOString(),
        description: k.description,
        capabilities: {
          devices: { create: { reusable: k.reusable, ephemeral: k.ephemeral, preauthorized: k.preauthorized, tags } },
        },
      });
    }
    g = p.match(/^\/api\/v2\/tailnet\/([^/]+)\/keys\/([^/]+)$/);
    if (g && req.method === 'DELETE') {
      const k = this.keys.get(decodeURIComponent(g[2]));
      if (!k || k.revoked) return send(404, { message: 'key not found' });
      k.revoked = true;
      return send(200, {});
    }
    g = p.match(/^\/api\/v2\/tailnet\/([^/]+)\/devices$/);
    if (g && req.method === 'GET') {
      if (!tn(decodeURIComponent(g[1]))) return send(404, { message: 'tailnet not found' });
      return send(200, { devices: [...this.devices.values()].map(({ keyId: _k, ...d }) => d) });
    }
    g = p.match(/^\/api\/v2\/device\/([^/]+)$/);
    if (g && req.method === 'DELETE') {
      if (!this.devices.delete(decodeURIComponent(g[1]))) return send(404, { message: 'device not found' });
      return send(200, {});
    }
    return send(404, { message: 'not found' });
  }
}
