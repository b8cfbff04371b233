import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Hetzner Cloud API for tests and the benchmark: the documented wire format (status
 * codes, `{"error":{"code","message","details"}}` bodies, `RateLimit-*` headers, paginated
 * lists with meta.pagination, actions that progress over time), with configurable delays and
 * injected failures. Its answers are checked against Hetzner's OpenAPI document in
 * hub/test/hetzner-fake.test.ts, so it cannot drift into a friendly fiction.
 */

export interface FakeHetznerOptions {
  token?: string;
  /** How long a server takes from create to `running` (its create_server action); may depend on the image type. */
  bootMs?: number | ((imageType: 'system' | 'snapshot') => number);
  /** Delete, power and change_type actions. */
  actionMs?: number;
  /** Snapshot (create_image) action; slower than the rest as on the real API. */
  snapshotMs?: number;
  /** Added to every answer. */
  latencyMs?: number;
  /** Requests per hour (RateLimit-Limit); the budget refills continuously as at Hetzner. */
  rateLimit?: number;
  /** Extra time before answering one request (after it took effect), e.g. a slow POST /servers. */
  answerDelayMs?: (method: string, path: string) => number;
  /** Called when a server is gone (deleted): whatever ran on it stops. */
  onDelete?: (server: FakeServer) => void | Promise<void>;
  /** Called once a server is running, with what was sent at create time (the VM "boots"). */
  onBoot?: (server: FakeServer) => void | Promise<void>;
}

/** A server as the fake keeps it. */
export interface FakeServer {
  id: number;
  name: string;
  status: string;
  serverType: string;
  location: string;
  image: number;
  labels: Record<string, string>;
  userData: string;
  ipv4: string;
  created: string;
  firewalls: number[];
  sshKeys: number[];
}

interface FakeAction {
  id: number;
  command: string;
  started: number;
  durationMs: number;
  resources: { id: number; type: string }[];
  fail?: { code: string; message: string };
  onDone?: () => void;
  done?: boolean;
}

/** A failure to inject: the next `times` requests matching method and path get this answer. */
export interface InjectedFailure {
  method?: string;
  path: RegExp;
  status: number;
  code: string;
  message: string;
  details?: unknown;
  times?: number;
}

const LOCATIONS = [
  {
    id: 1,
    name: 'fsn1',
    description: 'Falkenstein DC Park 1',
    country: 'DE',
    city: 'Falkenstein',
    latitude: 50.47612,
    longitude: 12.370071,
    network_zone: 'eu-central',
  },
  {
    id: 2,
    name: 'nbg1',
    description: 'Nuremberg DC Park 1',
    country: 'DE',
    city: 'Nuremberg',
    latitude: 49.452102,
    longitude: 11.076665,
    network_zone: 'eu-central',
  },
  {
    id: 3,
    name: 'hel1',
    description: 'Helsinki DC Park 1',
    country: 'FI',
    city: 'Helsinki',
    latitude: 60.169855,
    longitude: 24.938379,
    network_zone: 'eu-central',
  },
  {
    id: 4,
    name: 'ash',
    description: 'Ashburn, VA',
    country: 'US',
    city: 'Ashburn, VA',
    latitude: 39.045821,
    longitude: -77.487073,
    network_zone: 'us-east',
  },
  {
    id: 5,
    name: 'hil',
    description: 'Hillsboro, OR',
    country: 'US',
    city: 'Hillsboro, OR',
    latitude: 45.54222,
    longitude: -122.951924,
    network_zone: 'us-west',
  },
  {
    id: 6,
    name: 'sin',
    description: 'Singapore',
    country: 'SG',
    city: 'Singapore',
    latitude: 1.283333,
    longitude: 103.833333,
    network_zone: 'ap-southeast',
  },
];

/** Server types with prices (EUR, gross incl. 19% VAT) as Hetzner lists them. */
const TYPES: {
  id: number;
  name: string;
  cores: number;
  memory: number;
  disk: number;
  cpu: 'shared' | 'dedicated';
  arch: 'x86' | 'arm';
  monthly: number;
  eu: boolean;
}[] = [
  { id: 104, name: 'cx22', cores: 2, memory: 4, disk: 40, cpu: 'shared', arch: 'x86', monthly: 4.51, eu: true },
  { id: 105, name: 'cx32', cores: 4, memory: 8, disk: 80, cpu: 'shared', arch: 'x86', monthly: 8.09, eu: true },
  { id: 106, name: 'cx42', cores: 8, memory: 16, disk: 160, cpu: 'shared', arch: 'x86', monthly: 19.63, eu: true },
  { id: 45, name: 'cax11', cores: 2, memory: 4, disk: 40, cpu: 'shared', arch: 'arm', monthly: 4.51, eu: true },
  { id: 22, name: 'cpx11', cores: 2, memory: 2, disk: 40, cpu: 'shared', arch: 'x86', monthly: 5.18, eu: false },
  { id: 23, name: 'cpx21', cores: 3, memory: 4, disk: 80, cpu: 'shared', arch: 'x86', monthly: 9.2, eu: false },
  { id: 96, name: 'ccx13', cores: 2, memory: 8, disk: 80, cpu: 'dedicated', arch: 'x86', monthly: 14.86, eu: false },
];

const IMAGES = [
  { id: 114690387, name: 'debian-12', description: 'Debian 12', os_flavor: 'debian', os_version: '12' },
  { id: 161547269, name: 'ubuntu-24.04', description: 'Ubuntu 24.04', os_flavor: 'ubuntu', os_version: '24.04' },
];

const money = (v: number) => v.toFixed(4);
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const RFC1123 = /^(?=.{1,63}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

export class FakeHetzner {
  readonly servers = new Map<number, FakeServer>();
  readonly actions = new Map<number, FakeAction>();
  readonly images = new Map<
    number,
    {
      id: number;
      type: 'system' | 'snapshot';
      name: string | null;
      description: string;
      os_flavor: string;
      os_version: string | null;
      labels: Record<string, string>;
      created: number;
      status: 'available' | 'creating';
      size: number | null;
    }
  >();
  readonly sshKeys = new Map<
    number,
    { id: number; name: string; public_key: string; labels: Record<string, string>; created: number }
  >();
  readonly firewalls = new Map<
    number,
    { id: number; name: string; rules: unknown[]; labels: Record<string, string>; created: number }
  >();
  /** Every request as `METHOD /path?query`. */
  readonly log: string[] = [];
  /** Server type name@location pairs answered with resource_unavailable. */
  readonly unavailable = new Set<string>();
  private readonly failures: InjectedFailure[] = [];
  private down = false;
  private nextId = 1000;
  private nextIp = 10;
  private budget: number;
  private budgetAt = Date.now();
  private server: Server | null = null;
  url = '';

  constructor(readonly o: FakeHetznerOptions = {}) {
    this.budget = o.rateLimit ?? 3600;
    for (const i of IMAGES)
      this.images.set(i.id, {
        ...i,
        type: 'system',
        labels: {},
        created: Date.parse('2023-06-13T06:00:02Z'),
        status: 'available',
        size: null,
      });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Injects a failure for matching requests (once unless `times`). */
  fail(f: InjectedFailure) {
    this.failures.push({ times: 1, ...f });
  }

  /** While down, every request's connection is reset without an answer. */
  setDown(down: boolean) {
    this.down = down;
  }

  /** Empties the rate-limit budget: requests get 429 until it refills. */
  exhaustBudget() {
    this.budget = 0;
    this.budgetAt = Date.now();
  }

  /** A ready snapshot (e.g. a prepared image with Node, OpenClaw and the sidecar installed); returns its id. */
  addSnapshot(description: string, labels: Record<string, string> = {}): number {
    const id = this.nextId++;
    this.images.set(id, {
      id,
      type: 'snapshot',
      name: null,
      description,
      os_flavor: 'debian',
      os_version: '12',
      labels,
      created: Date.now(),
      status: 'available',
      size: 2.3,
    });
    return id;
  }

  /** Servers whose labels match a Hetzner label selector. */
  serversMatching(selector: string): FakeServer[] {
    return [...this.servers.values()].filter((s) => matches(s.labels, selector));
  }

  // --- plumbing

  private refill() {
    const limit = this.o.rateLimit ?? 3600;
    const now = Date.now();
    this.budget = Math.min(limit, this.budget + ((now - this.budgetAt) / 3_600_000) * limit);
    this.budgetAt = now;
    return limit;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    this.log.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.down) {
      req.socket.destroy();
      return;
    }
    if (this.o.latencyMs) await new Promise((r) => setTimeout(r, this.o.latencyMs));
    const limit = this.refill();
    const send = (status: number, body?: unknown) => {
      const remaining = Math.max(0, Math.floor(this.budget));
      // Seconds until the budget is full again, as an absolute Unix time.
      const reset = Math.ceil(Date.now() / 1000 + ((limit - this.budget) / limit) * 3600);
      res.writeHead(status, {
        'content-type': 'application/json',
        'ratelimit-limit': String(limit),
        'ratelimit-remaining': String(remaining),
        'ratelimit-reset': String(reset),
      });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string, details: unknown = null) =>
      send(status, { error: { code, message, details } });

    if (req.headers.authorization !== `Bearer ${this.o.token ?? 'test-token'}`)
      return error(401, 'unauthorized', 'unable to authenticate');
    if (this.budget < 1) return error(429, 'rate_limit_exceeded', 'limit of 3600 requests per hour reached');
    this.budget -= 1;
    const inj = this.failures.find((f) => (!f.method || f.method === req.method) && f.path.test(url.pathname));
    if (inj) {
      inj.times = (inj.times ?? 1) - 1;
      if (inj.times <= 0) this.failures.splice(this.failures.indexOf(inj), 1);
      return error(inj.status, inj.code, inj.message, inj.details ?? null);
    }
    let body: Record<string, unknown> = {};
    if (chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return error(400, 'json_error', 'invalid JSON in request body');
      }
    }
    try {
      const out = this.route(req.method ?? 'GET', url.pathname.replace(/^\/v1/, ''), url.searchParams, body);
      const wait = this.o.answerDelayMs?.(req.method ?? 'GET', url.pathname) ?? 0;
      if (wait) await new Promise((r) => setTimeout(r, wait));
      if (!out) return error(404, 'not_found', 'the requested resource was not found');
      return send(out[0], out[1]);
    } catch (e) {
      if (e instanceof ApiError) return error(e.status, e.code, e.message, e.details);
      return error(500, 'server_error', (e as Error).message);
    }
  }

  private route(m: string, p: string, q: URLSearchParams, b: Record<string, unknown>): [number, unknown?] | null {
    // The groups of the last path pattern that matched.
    let g: string[] = [];
    const at = (re: RegExp) => {
      const r = p.match(re);
      g = r ? [...r] : [];
      return r;
    };
    if (m === 'GET' && p === '/locations') return [200, this.page(q, 'locations', LOCATIONS)];
    if (m === 'GET' && p === '/server_types')
      return [
        200,
        this.page(
          q,
          'server_types',
          TYPES.map((t) => this.serverType(t)),
        ),
      ];
    if (m === 'GET' && at(/^\/server_types\/(\d+)$/)) {
      const t = TYPES.find((x) => x.id === Number(g[1]));
      return t ? [200, { server_type: this.serverType(t) }] : null;
    }
    if (m === 'GET' && p === '/images') {
      const list = [...this.images.values()].filter(
        (i) =>
          (!q.get('type') || q.get('type') === i.type) &&
          (!q.get('name') || q.get('name') === i.name) &&
          (!q.get('label_selector') || matches(i.labels, q.get('label_selector') as string)),
      );
      return [
        200,
        this.page(
          q,
          'images',
          list.map((i) => this.image(i.id)),
        ),
      ];
    }
    if (at(/^\/images\/(\d+)$/)) {
      const id = Number(g[1]);
      if (!this.images.has(id)) return null;
      if (m === 'GET') return [200, { image: this.image(id) }];
      if (m === 'DELETE') {
        this.images.delete(id);
        return [204];
      }
    }
    if (m === 'GET' && at(/^\/actions\/(\d+)$/)) {
      const a = this.actions.get(Number(g[1]));
      return a ? [200, { action: this.action(a) }] : null;
    }
    if (p === '/servers' && m === 'GET') {
      const sel = q.get('label_selector');
      const name = q.get('name');
      const list = [...this.servers.values()].filter(
        (s) => (!sel || matches(s.labels, sel)) && (!name || s.name === name),
      );
      return [
        200,
        this.page(
          q,
          'servers',
          list.map((s) => this.serverView(s)),
        ),
      ];
    }
    if (p === '/servers' && m === 'POST') return [201, this.createServer(b)];
    if (at(/^\/servers\/(\d+)$/)) {
      const s = this.servers.get(Number(g[1]));
      if (!s) return null;
      if (m === 'GET') return [200, { server: this.serverView(s) }];
      if (m === 'PUT') {
        if (typeof b.name === 'string') s.name = b.name;
        if (b.labels && typeof b.labels === 'object') s.labels = { ...(b.labels as Record<string, string>) };
        return [200, { server: this.serverView(s) }];
      }
      if (m === 'DELETE') {
        s.status = 'deleting';
        const a = this.newAction('delete_server', s.id, this.o.actionMs ?? 200, () => {
          this.servers.delete(s.id);
          if (this.o.onDelete) void Promise.resolve(this.o.onDelete(s)).catch(() => {});
        });
        return [200, { action: this.action(a) }];
      }
    }
    if (m === 'POST' && at(/^\/servers\/(\d+)\/actions\/([a-z_]+)$/)) {
      const s = this.servers.get(Number(g[1]));
      if (!s) return null;
      return [201, this.serverAction(s, g[2], b)];
    }
    if (p === '/ssh_keys' && m === 'GET')
      return [
        200,
        this.page(
          q,
          'ssh_keys',
          [...this.sshKeys.values()]
            .filter((k) => !q.get('label_selector') || matches(k.labels, q.get('label_selector') as string))
            .map((k) => this.sshKey(k)),
        ),
      ];
    if (p === '/ssh_keys' && m === 'POST') {
      const name = str(b.name, 'name');
      const pub = str(b.public_key, 'public_key');
      if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-\S+) [A-Za-z0-9+/=]+/.test(pub))
        throw invalid('public_key', 'invalid SSH key');
      if ([...this.sshKeys.values()].some((k) => k.name === name)) throw uniqueness('name');
      const k = {
        id: this.nextId++,
        name,
        public_key: pub,
        labels: (b.labels as Record<string, string>) ?? {},
        created: Date.now(),
      };
      this.sshKeys.set(k.id, k);
      return [201, { ssh_key: this.sshKey(k) }];
    }
    if (p === '/firewalls' && m === 'GET')
      return [
        200,
        this.page(
          q,
          'firewalls',
          [...this.firewalls.values()]
            .filter((f) => !q.get('label_selector') || matches(f.labels, q.get('label_selector') as string))
            .map((f) => this.firewall(f)),
        ),
      ];
    if (p === '/firewalls' && m === 'POST') {
      const name = str(b.name, 'name');
      if ([...this.firewalls.values()].some((f) => f.name === name)) throw uniqueness('name');
      const rules = Array.isArray(b.rules) ? b.rules : [];
      for (const [i, r] of rules.entries()) {
        const rule = r as Record<string, unknown>;
        if (!['in', 'out'].includes(rule.direction as string))
          throw invalid(`rules[${i}].direction`, 'invalid direction');
        if (!['tcp', 'udp', 'icmp', 'esp', 'gre'].includes(rule.protocol as string))
          throw invalid(`rules[${i}].protocol`, 'invalid protocol');
      }
      const f = {
        id: this.nextId++,
        name,
        rules,
        labels: (b.labels as Record<string, string>) ?? {},
        created: Date.now(),
      };
      this.firewalls.set(f.id, f);
      return [201, { firewall: this.firewall(f), actions: [] }];
    }
    if (m === 'DELETE' && at(/^\/firewalls\/(\d+)$/)) {
      if (!this.firewalls.delete(Number(g[1]))) return null;
      return [204];
    }
    return null;
  }

  private createServer(b: Record<string, unknown>) {
    const name = str(b.name, 'name');
    if (!RFC1123.test(name)) throw invalid('name', 'name must be a valid hostname');
    const typeName = str(b.server_type, 'server_type');
    const t = TYPES.find((x) => x.name === typeName || String(x.id) === typeName);
    if (!t) throw invalid('server_type', 'server type not found');
    const location = b.location === undefined ? 'fsn1' : str(b.location, 'location');
    if (!LOCATIONS.some((l) => l.name === location)) throw invalid('location', 'location not found');
    const imgRef = b.image;
    const img = [...this.images.values()].find((i) => i.name === imgRef || i.id === Number(imgRef));
    if (!img) throw invalid('image', 'image not found');
    const userData = b.user_data === undefined ? '' : str(b.user_data, 'user_data');
    if (Buffer.byteLength(userData) > 32 * 1024) throw invalid('user_data', 'user_data must not exceed 32 KiB');
    if (!this.priceIn(t, location) || this.unavailable.has(`${t.name}@${location}`))
      throw new ApiError(403, 'resource_unavailable', `server type ${t.name} is unavailable in ${location}`);
    if ([...this.servers.values()].some((s) => s.name === name)) throw uniqueness('name');
    const fw = ((b.firewalls as { firewall: number }[] | undefined) ?? []).map((f) => f.firewall);
    for (const id of fw) if (!this.firewalls.has(id)) throw invalid('firewalls', `firewall ${id} not found`);
    const keys = ((b.ssh_keys as (string | number)[] | undefined) ?? []).map((k) => {
      const found = [...this.sshKeys.values()].find((x) => x.id === Number(k) || x.name === k);
      if (!found) throw invalid('ssh_keys', `ssh key ${k} not found`);
      return found.id;
    });
    const s: FakeServer = {
      id: this.nextId++,
      name,
      status: 'initializing',
      serverType: t.name,
      location,
      image: img.id,
      labels: (b.labels as Record<string, string>) ?? {},
      userData,
      ipv4: `203.0.113.${this.nextIp++ % 250}`,
      created: iso(Date.now()),
      firewalls: fw,
      sshKeys: keys,
    };
    this.servers.set(s.id, s);
    const start = b.start_after_create !== false;
    const boot = typeof this.o.bootMs === 'function' ? this.o.bootMs(img.type) : (this.o.bootMs ?? 500);
    const a = this.newAction('create_server', s.id, boot, () => {
      if (!this.servers.has(s.id)) return;
      s.status = start ? 'running' : 'off';
      if (start && this.o.onBoot) void Promise.resolve(this.o.onBoot(s)).catch(() => {});
    });
    s.status = 'starting';
    return {
      server: this.serverView(s),
      action: this.action(a),
      next_actions: start ? [] : [],
      root_password: keys.length ? null : 'YItygq1v3GYjjMomLaKc',
    };
  }

  private serverAction(s: FakeServer, name: string, b: Record<string, unknown>) {
    const ms = this.o.actionMs ?? 200;
    switch (name) {
      case 'poweron':
        return { action: this.action(this.newAction('start_server', s.id, ms, () => (s.status = 'running'))) };
      case 'poweroff':
      case 'shutdown':
        return {
          action: this.action(
            this.newAction(name === 'poweroff' ? 'stop_server' : 'shutdown_server', s.id, ms, () => (s.status = 'off')),
          ),
        };
      case 'change_type': {
        const t = TYPES.find((x) => x.name === b.server_type);
        if (!t) throw invalid('server_type', 'server type not found');
        if (s.status !== 'off')
          throw new ApiError(423, 'server_not_stopped', 'server must be stopped before changing its type');
        return { action: this.action(this.newAction('change_server_type', s.id, ms, () => (s.serverType = t.name))) };
      }
      case 'create_image': {
        const id = this.nextId++;
        this.images.set(id, {
          id,
          type: 'snapshot',
          name: null,
          description: typeof b.description === 'string' ? b.description : `${s.name}-snapshot`,
          os_flavor: this.images.get(s.image)?.os_flavor ?? 'debian',
          os_version: this.images.get(s.image)?.os_version ?? null,
          labels: (b.labels as Record<string, string>) ?? {},
          created: Date.now(),
          status: 'creating',
          size: null,
        });
        const img = this.images.get(id);
        const a = this.newAction('create_image', s.id, this.o.snapshotMs ?? 1000, () => {
          if (img) {
            img.status = 'available';
            img.size = 2.3;
          }
        });
        a.resources.push({ id, type: 'image' });
        return { image: this.image(id), action: this.action(a) };
      }
      default:
        throw new ApiError(404, 'not_found', `unknown action ${name}`);
    }
  }

  private newAction(command: string, serverId: number, durationMs: number, onDone?: () => void): FakeAction {
    const a: FakeAction = {
      id: this.nextId++,
      command,
      started: Date.now(),
      durationMs,
      resources: [{ id: serverId, type: 'server' }],
      onDone,
    };
    this.actions.set(a.id, a);
    setTimeout(() => this.finish(a), durationMs).unref();
    return a;
  }

  private finish(a: FakeAction) {
    if (a.done) return;
    a.done = true;
    if (!a.fail) a.onDone?.();
  }

  /** Makes a running action end in an error (e.g. a placement that failed while creating). */
  failAction(id: number, code: string, message: string) {
    const a = this.actions.get(id);
    if (a) a.fail = { code, message };
  }

  private action(a: FakeAction) {
    const elapsed = Date.now() - a.started;
    const done = a.done || elapsed >= a.durationMs;
    if (done && !a.done) this.finish(a);
    const status = !done ? 'running' : a.fail ? 'error' : 'success';
    return {
      id: a.id,
      command: a.command,
      status,
      progress: done ? 100 : Math.min(99, Math.floor((elapsed / a.durationMs) * 100)),
      started: iso(a.started),
      finished: done ? iso(a.started + a.durationMs) : null,
      resources: a.resources,
      error: status === 'error' ? (a.fail ?? null) : null,
    };
  }

  private priceIn(t: (typeof TYPES)[number], location: string) {
    const l = LOCATIONS.find((x) => x.name === location);
    if (!l) return null;
    if (!t.eu && !['ash', 'hil', 'sin', 'fsn1', 'nbg1', 'hel1'].includes(location)) return null;
    if (t.eu && l.network_zone !== 'eu-central') return null;
    const factor = l.network_zone === 'ap-southeast' ? 1.3 : l.network_zone.startsWith('us') ? 1.1 : 1;
    return t.monthly * factor;
  }

  private serverType(t: (typeof TYPES)[number]) {
    const sold = LOCATIONS.filter((l) => this.priceIn(t, l.name) !== null);
    return {
      id: t.id,
      name: t.name,
      description: t.name.toUpperCase(),
      cores: t.cores,
      memory: t.memory,
      disk: t.disk,
      deprecated: false,
      deprecation: null,
      prices: sold.map((l) => {
        const monthly = this.priceIn(t, l.name) as number;
        return {
          location: l.name,
          price_hourly: { net: money(monthly / 730 / 1.19), gross: money(monthly / 730) },
          price_monthly: { net: money(monthly / 1.19), gross: money(monthly) },
          included_traffic: 21990232555520,
          price_per_tb_traffic: { net: money(1), gross: money(1.19) },
        };
      }),
      storage_type: 'local',
      cpu_type: t.cpu,
      category: t.cpu === 'dedicated' ? 'dedicated_cpu' : 'regular_purpose',
      architecture: t.arch,
      locations: sold.map((l) => ({ id: l.id, name: l.name, deprecation: null })),
    };
  }

  private image(id: number) {
    const i = this.images.get(id);
    if (!i) throw new ApiError(404, 'not_found', 'image not found');
    return {
      id: i.id,
      type: i.type,
      status: i.status,
      name: i.name,
      description: i.description,
      image_size: i.size,
      disk_size: 40,
      created: iso(i.created),
      created_from: i.type === 'snapshot' ? { id: 1, name: 'server' } : null,
      bound_to: null,
      os_flavor: i.os_flavor,
      os_version: i.os_version,
      rapid_deploy: i.type === 'system',
      protection: { delete: false },
      deprecated: null,
      deleted: null,
      labels: i.labels,
      architecture: 'x86',
    };
  }

  private serverView(s: FakeServer) {
    const t = TYPES.find((x) => x.name === s.serverType) as (typeof TYPES)[number];
    const l = LOCATIONS.find((x) => x.name === s.location) as (typeof LOCATIONS)[number];
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      created: s.created,
      public_net: {
        ipv4: {
          id: s.id + 1,
          ip: s.ipv4,
          blocked: false,
          dns_ptr: `static.${s.ipv4.split('.').reverse().join('.')}.clients.your-server.de`,
        },
        ipv6: null,
        floating_ips: [],
        firewalls: s.firewalls.map((id) => ({ id, status: 'applied' })),
      },
      private_net: [],
      server_type: this.serverType(t),
      datacenter: {
        id: l.id,
        name: `${l.name}-dc14`,
        description: `${l.city} 1 virtual DC 14`,
        location: l,
        server_types: {
          supported: TYPES.map((x) => x.id),
          available: TYPES.map((x) => x.id),
          available_for_migration: TYPES.map((x) => x.id),
        },
      },
      location: l,
      // A deleted image (e.g. the snapshot it was made from) shows as null, as at Hetzner.
      image: this.images.has(s.image) ? this.image(s.image) : null,
      iso: null,
      rescue_enabled: false,
      locked: false,
      backup_window: null,
      outgoing_traffic: 0,
      ingoing_traffic: 0,
      included_traffic: 21990232555520,
      protection: { delete: false, rebuild: false },
      labels: s.labels,
      volumes: [],
      load_balancers: [],
      primary_disk_size: t.disk,
      placement_group: null,
    };
  }

  private sshKey(k: { id: number; name: string; public_key: string; labels: Record<string, string>; created: number }) {
    return {
      id: k.id,
      name: k.name,
      fingerprint: 'b7:2f:30:a0:2f:6c:58:6c:21:04:58:61:ba:06:3b:2f',
      public_key: k.public_key,
      labels: k.labels,
      created: iso(k.created),
    };
  }

  private firewall(f: { id: number; name: string; rules: unknown[]; labels: Record<string, string>; created: number }) {
    const applied = [...this.servers.values()].filter((s) => s.firewalls.includes(f.id));
    return {
      id: f.id,
      name: f.name,
      labels: f.labels,
      created: iso(f.created),
      rules: f.rules.map((r) => ({
        description: null,
        port: null,
        source_ips: [],
        destination_ips: [],
        ...(r as object),
      })),
      applied_to: applied.map((s) => ({ type: 'server', server: { id: s.id } })),
    };
  }

  private page<K extends string>(q: URLSearchParams, key: K, all: unknown[]) {
    const perPage = Math.min(50, Math.max(1, Number(q.get('per_page') ?? 25) || 25));
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const page = Math.min(last, Math.max(1, Number(q.get('page') ?? 1) || 1));
    return {
      [key]: all.slice((page - 1) * perPage, page * perPage),
      meta: {
        pagination: {
          page,
          per_page: perPage,
          previous_page: page > 1 ? page - 1 : null,
          next_page: page < last ? page + 1 : null,
          last_page: last,
          total_entries: all.length,
        },
      },
    } as Record<K, unknown[]> & { meta: unknown };
  }
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

const invalid = (field: string, message: string) =>
  new ApiError(400, 'invalid_input', `invalid input in field '${field}'`, {
    fields: [{ name: field, messages: [message] }],
  });
const uniqueness = (field: string) =>
  new ApiError(409, 'uniqueness_error', `SSH key or name not unique: ${field} is already used`, {
    fields: [{ name: field }],
  });
const str = (v: unknown, field: string): string => {
  if (typeof v !== 'string' || v === '') throw invalid(field, 'Missing data for required field.');
  return v;
};

/** Hetzner's label selector: `k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-separated (all must hold). */
export function matches(labels: Record<string, string>, selector: string): boolean {
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      const ne = term.match(/^([^!=]+)!=(.*)$/);
      if (ne) return labels[ne[1]] !== ne[2];
      const eq = term.match(/^([^!=]+)==?(.*)$/);
      if (eq) return labels[eq[1]] === eq[2];
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
}
