/**
 * A small client of the Tailscale API v2 for what deployments need: one auth key per server
 * (single use, preauthorized, tagged, short-lived), finding the device a server became, and
 * deleting it when the server is released (tagged devices never expire on their own).
 * Authenticates with an API key, or with an OAuth client (client credentials, token cached).
 */
export interface TailscaleClientOptions {
  /** API base, https://api.tailscale.com (tests: a local fake). */
  baseUrl: string;
  /** Tailnet name, or `-` for the tailnet of the key. */
  tailnet: string;
  apiKey?: string;
  oauthClientId?: string;
  oauthClientSecret?: string;
  fetch?: typeof fetch;
}

export interface TailscaleKey {
  id: string;
  key: string;
  created: string;
  expires: string;
  description?: string;
  capabilities: {
    devices: { create: { reusable: boolean; ephemeral: boolean; preauthorized: boolean; tags: string[] } };
  };
}

export interface TailscaleDevice {
  id: string;
  nodeId?: string;
  name: string;
  hostname: string;
  addresses: string[];
  tags?: string[];
  authorized?: boolean;
  lastSeen?: string;
  created?: string;
}

/** An answer of the Tailscale API that was not a success, in its own words. */
export class TailscaleError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly network = false,
  ) {
    super(message);
    this.name = 'TailscaleError';
  }
  describe() {
    return `Tailscale: ${this.message}${this.status ? ` (HTTP ${this.status})` : ''}`;
  }
}

export class TailscaleClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private token: { value: string; until: number } | null = null;

  constructor(private readonly o: TailscaleClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.doFetch = o.fetch ?? fetch;
    if (!o.apiKey && !(o.oauthClientId && o.oauthClientSecret))
      throw new Error('Tailscale needs an API key or an OAuth client id and secret');
  }

  private async bearer(): Promise<string> {
    if (this.o.apiKey) return this.o.apiKey;
    if (this.token && this.token.until > Date.now() + 60_000) return this.token.value;
    const res = await this.send('POST', '/api/v2/oauth/token', null, {
      'content-type': 'application/x-www-form-urlencoded',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.o.oauthClientId as string,
        client_secret: this.o.oauthClientSecret as string,
      }).toString(),
    });
    const t = res as { access_token: string; expires_in?: number };
    this.token = { value: t.access_token, until: Date.now() + (t.expires_in ?? 3600) * 1000 };
    return t.access_token;
  }

  private async send(
    method: string,
    path: string,
    auth: string | null,
    raw?: { 'content-type': string; body: string },
    json?: unknown,
  ): Promise<unknown> {
    let res: Response;
    try {
      res = await this.doFetch(`${this.base}${path}`, {
        method,
        headers: {
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
          ...(raw
            ? { 'content-type': raw['content-type'] }
            : json !== undefined
              ? { 'content-type': 'application/json' }
              : {}),
        },
        body: raw ? raw.body : json !== undefined ? JSON.stringify(json) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw new TailscaleError(`the Tailscale API did not answer (${(e as Error).message})`, 0, true);
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok) {
      const msg = (body as { message?: string } | null)?.message ?? `HTTP ${res.status}`;
      throw new TailscaleError(msg, res.status);
    }
    return body;
  }

  private async call<T>(method: string, path: string, json?: unknown): Promise<T> {
    return (await this.send(method, path, await this.bearer(), undefined, json)) as T;
  }

  private get tn() {
    return encodeURIComponent(this.o.tailnet);
  }

  /** A single-use, preauthorized, tagged auth key that expires after `expirySeconds`. */
  createAuthKey(o: { tags: string[]; expirySeconds: number; description: string }): Promise<TailscaleKey> {
    return this.call('POST', `/api/v2/tailnet/${this.tn}/keys`, {
      capabilities: { devices: { create: { reusable: false, ephemeral: false, preauthorized: true, tags: o.tags } } },
      expirySeconds: o.expirySeconds,
      description: o.description.slice(0, 50),
    });
  }

  /** Revokes a key; an already used, expired or deleted key is not an error. */
  async deleteAuthKey(id: string): Promise<void> {
    try {
      await this.call('DELETE', `/api/v2/tailnet/${this.tn}/keys/${encodeURIComponent(id)}`);
    } catch (e) {
      if (!(e instanceof TailscaleError && e.status === 404)) throw e;
    }
  }

  async devices(): Promise<TailscaleDevice[]> {
    return (await this.call<{ devices: TailscaleDevice[] }>('GET', `/api/v2/tailnet/${this.tn}/devices`)).devices ?? [];
  }

  /** The device of a hostname (the newest when several: an old one may linger until deleted). */
  async deviceByHostname(hostname: string): Promise<TailscaleDevice | null> {
    const list = (await this.devices()).filter((d) => d.hostname === hostname || d.name.split('.')[0] === hostname);
    list.sort((a, b) => String(b.created ?? '').localeCompare(String(a.created ?? '')));
    return list[0] ?? null;
  }

  /** Deletes a device; a device that is already gone is not an error. */
  async deleteDevice(id: string): Promise<void> {
    try {
      await this.call('DELETE', `/api/v2/device/${encodeURIComponent(id)}`);
    } catch (e) {
      if (!(e instanceof TailscaleError && e.status === 404)) throw e;
    }
  }
}
