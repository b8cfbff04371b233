import { createHubApi, type HubApi } from '@deepsignal/client';
import { type CommandState, TERMINAL_STATES, validateParams } from '@deepsignal/protocol';
import type {
  ActivityHour,
  AdvisoryList,
  ArticleSuggestion,
  AuditEntry,
  Catalogue,
  CommandView,
  ConsoleSession,
  ConversationView,
  ExperimentView,
  FindingView,
  Instance,
  InstanceDetail,
  InstanceServer,
  KeyAges,
  LogLineView,
  MetricSeries,
  MintedToken,
  NewFinding,
  NewProposal,
  ProposalView,
  RunView,
  SupportRequest,
  TicketTriage,
  TicketView,
  TicketWithThread,
} from './hub-types.js';

/**
 * A failed hub call, carrying the hub's `{"error":{code,message}}` when it sent one. `status` is
 * 0 when the request never got an answer (network) or was refused before sending (bad params).
 */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/** Settings of a hub client. */
export interface HubClientOptions {
  /** The hub's HTTP URL, e.g. `http://127.0.0.1:8080` (a trailing `/api/v1` is accepted). */
  baseUrl: string;
  /** A service-account API token (`dsa_…`) or another bearer token. */
  token: string;
  /** Per-request timeout. */
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

/** Options for issuing a command. */
export interface IssueOptions {
  expiresInSec?: number;
  idempotencyKey?: string;
}

/** Typed access to the hub's HTTP API (`/api/v1`), nothing else: no database, no MQTT. */
export class HubClient {
  readonly baseUrl: string;
  private readonly api: string;

  private readonly opts: HubClientOptions;
  /** The typed client generated from the hub's OpenAPI document (@deepsignal/client). */
  private readonly typed: HubApi;

  constructor(opts: HubClientOptions) {
    this.opts = { ...opts };
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    this.api = `${this.baseUrl}/api/v1`;
    this.typed = createHubApi({
      baseUrl: this.baseUrl,
      token: () => this.opts.token,
      timeoutMs: opts.timeoutMs ?? 15_000,
    });
  }

  listInstances(q: { clientId?: string } = {}): Promise<Instance[]> {
    return this.typedCall('GET /instances', this.typed.GET('/api/v1/instances', { params: { query: q } }));
  }

  getInstance(id: string): Promise<InstanceDetail> {
    return this.typedCall(
      `GET /instances/${id}`,
      this.typed.GET('/api/v1/instances/{id}', { params: { path: { id } } }),
    );
  }

  metrics(id: string, q: { name: string; from?: string; to?: string; step?: string }): Promise<MetricSeries> {
    return this.call('GET', `/instances/${enc(id)}/metrics`, { query: q });
  }

  logs(
    id: string,
    q: { from?: string; to?: string; level?: string; q?: string; limit?: number } = {},
  ): Promise<LogLineView[]> {
    return this.call('GET', `/instances/${enc(id)}/logs`, { query: q });
  }

  conversations(id: string, q: { from?: string; to?: string; limit?: number } = {}): Promise<ConversationView[]> {
    return this.call('GET', `/instances/${enc(id)}/conversations`, { query: q });
  }

  listCommands(id: string, q: { status?: CommandState; type?: string; limit?: number } = {}): Promise<CommandView[]> {
    return this.call('GET', `/instances/${enc(id)}/commands`, { query: q });
  }

  getCommand(id: string): Promise<CommandView> {
    return this.typedCall(`GET /commands/${id}`, this.typed.GET('/api/v1/commands/{id}', { params: { path: { id } } }));
  }

  /**
   * Issues a command after checking its params with the protocol's own schema, so a bad call
   * fails here with the same message the hub would give. [SPEC 6.2]
   */
  async issueCommand(
    instanceId: string,
    type: string,
    params: Record<string, unknown> = {},
    o: IssueOptions = {},
  ): Promise<{ id: string; status: CommandState }> {
    const check = validateParams(type, params);
    if (!check.ok) throw new HubError(0, check.code, `${type}: ${check.message}`);
    return this.call('POST', `/instances/${enc(instanceId)}/commands`, {
      body: { type, params: check.params, ...o },
    });
  }

  /** Polls `GET /commands/:id` until a final state or the timeout (then the last view seen). */
  async waitForCommand(id: string, o: { timeoutMs?: number; intervalMs?: number } = {}): Promise<CommandView> {
    const deadline = Date.now() + (o.timeoutMs ?? 120_000);
    const interval = o.intervalMs ?? 500;
    for (;;) {
      const c = await this.getCommand(id);
      if (TERMINAL_STATES.has(c.status) || Date.now() >= deadline) return c;
      await new Promise((r) => setTimeout(r, interval));
    }
  }

  supportRequests(q: { status?: 'open' | 'resolved' } = {}): Promise<SupportRequest[]> {
    return this.call('GET', '/support-requests', { query: q });
  }

  /** Needs an admin or support user's token: service tokens are refused by the hub. */
  resolveSupportRequest(id: string): Promise<SupportRequest> {
    return this.call('POST', `/support-requests/${enc(id)}/resolve`);
  }

  tickets(q: { state?: string; category?: string } = {}): Promise<TicketView[]> {
    return this.call('GET', '/tickets', { query: q });
  }

  ticket(id: string): Promise<TicketWithThread> {
    return this.call('GET', `/tickets/${enc(id)}`);
  }

  /** The support agent's write-back: needs the `support:triage` scope. */
  triageTicket(id: string, t: TicketTriage): Promise<{ ticket: TicketView; autoReplied: boolean }> {
    return this.call('POST', `/tickets/${enc(id)}/triage`, { body: t });
  }

  kbSuggest(q: string): Promise<ArticleSuggestion[]> {
    return this.call('GET', '/kb/suggest', { query: { q: q.slice(0, 2000) } });
  }

  /** Agent Ops: a finding with its evidence (scope `agent:report`). */
  postFinding(f: NewFinding): Promise<FindingView> {
    return this.call('POST', '/agent-findings', { body: f });
  }

  /**
   * Agent Ops: a plan for the hub's policy (scope `agent:report`). The hub executes it at once
   * when auto-approved, queues it for an admin, or refuses it (`HubError` with a
   * `HUB_ERR_POLICY_*` code). The same idempotency key returns the same proposal.
   */
  propose(p: NewProposal): Promise<ProposalView> {
    return this.call('POST', '/agent-proposals', { body: p });
  }

  /** Agent Ops: findings already posted (the security agent dedupes on them). */
  listFindings(q: { agent?: string; instanceId?: string; limit?: number } = {}): Promise<FindingView[]> {
    return this.call('GET', '/agent-findings', { query: q });
  }

  /** Known advisories for OpenClaw and the sidecar, and the pinned current versions. */
  advisories(): Promise<AdvisoryList> {
    return this.typedCall('GET /advisories', this.typed.GET('/api/v1/advisories'));
  }

  /** When every provider key, instance secret, the hub's signing key and each live token was set. */
  keyAges(): Promise<KeyAges> {
    return this.call('GET', '/security/key-ages');
  }

  /** Console sessions opened since `from`, each marked in or out of its client's maintenance window. */
  consoleSessions(q: { from?: string; limit?: number } = {}): Promise<ConsoleSession[]> {
    return this.call('GET', '/security/console-sessions', { query: q });
  }

  /** An instance's hourly activity: messages, tokens, error lines, mean reply latency. */
  activity(id: string, q: { hours?: number } = {}): Promise<ActivityHour[]> {
    return this.call('GET', `/instances/${enc(id)}/activity`, { query: q });
  }

  /** The audit log, newest first (logins, failed logins, every change). */
  audit(q: { action?: string; from?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    return this.call('GET', '/audit', { query: q });
  }

  /** A/B experiments (`status`: running, decided, stopped). */
  experiments(q: { status?: string; instanceId?: string } = {}): Promise<ExperimentView[]> {
    return this.call('GET', '/experiments', { query: q });
  }

  /** The learning agent proposes a decided experiment's winner; the hub builds the persona config.apply. */
  proposeWinner(experimentId: string, reasoning: string): Promise<ProposalView> {
    return this.call('POST', `/experiments/${enc(experimentId)}/winner-proposal`, { body: { reasoning } });
  }

  /** The learning agent proposes instructions added to a client's persona; the hub builds the config.apply. */
  proposePersona(p: {
    instanceId: string;
    addInstructions: string;
    title: string;
    reasoning: string;
    idempotencyKey?: string;
  }): Promise<ProposalView> {
    return this.call('POST', '/learning/persona-proposals', { body: p });
  }

  /** Where an instance runs; `probe` also asks the provider whether the server still exists. */
  instanceServer(id: string, o: { probe?: boolean } = {}): Promise<InstanceServer> {
    return this.call('GET', `/instances/${enc(id)}/server`, { query: o.probe ? { probe: 'true' } : {} });
  }

  /** Server types and their monthly prices per location (what a resize costs). */
  catalogue(): Promise<Catalogue> {
    return this.call('GET', '/deploy/catalogue');
  }

  /** Agent Ops: proposals, newest first (`status` a comma-separated list). */
  listProposals(q: { agent?: string; status?: string; limit?: number } = {}): Promise<ProposalView[]> {
    return this.call('GET', '/agent-proposals', { query: q });
  }

  getProposal(id: string): Promise<ProposalView> {
    return this.call('GET', `/agent-proposals/${enc(id)}`);
  }

  startRun(): Promise<RunView> {
    return this.call('POST', '/agent-runs', { body: {} });
  }

  finishRun(id: string, r: { costUsd: number; tokensIn: number; tokensOut: number; error?: string }): Promise<RunView> {
    return this.call('POST', `/agent-runs/${enc(id)}/finish`, { body: r });
  }

  /** A fresh token for this agent; the current one is revoked by the hub. */
  rotateToken(agent: string): Promise<MintedToken> {
    return this.call('POST', `/ops-agents/${enc(agent)}/token/rotate`, { body: {} });
  }

  /** Replaces the bearer token (after a rotation). */
  setToken(token: string): void {
    this.opts.token = token;
  }

  supportSettings(): Promise<{ categories: { category: string; autoReply: boolean }[] }> {
    return this.call('GET', '/support/settings');
  }

  /**
   * One call made with the generated client: its path, params and body are checked against the
   * hub's OpenAPI document at compile time. The agents' own view types (hub-types.ts) name the
   * answer; failures become the same HubError as {@link call}'s.
   */
  private async typedCall<T>(
    what: string,
    call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
  ): Promise<T> {
    let r: Awaited<typeof call>;
    try {
      r = await call;
    } catch (e) {
      const c = (e as { cause?: { code?: string; message?: string } }).cause;
      const cause = c?.code ?? c?.message ?? (e as Error).message;
      throw new HubError(0, 'unreachable', `cannot reach the hub at ${this.baseUrl}: ${cause}`);
    }
    if (r.response.ok) return r.data as T;
    const err = (r.error as { error?: { code?: string; message?: string } } | undefined)?.error;
    const status = r.response.status;
    throw new HubError(
      status,
      err?.code ?? `http_${status}`,
      `${what}: ${status} ${err?.code ?? ''} ${err?.message ?? r.response.statusText}`.replace(/\s+/g, ' ').trim(),
    );
  }

  /** One API call (`path` under /api/v1); the typed methods above and each agent's own API file use it. */
  async call<T>(method: string, path: string, o: { query?: Query; body?: unknown } = {}): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const url = `${this.api}${path}${qs.size ? `?${qs}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          accept: 'application/json',
          ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (e) {
      const c = (e as { cause?: { code?: string; message?: string } }).cause;
      const cause = c?.code ?? c?.message ?? (e as Error).message;
      throw new HubError(0, 'unreachable', `cannot reach the hub at ${this.baseUrl}: ${cause}`);
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok) {
      const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
      throw new HubError(
        res.status,
        err?.code ?? `http_${res.status}`,
        `${method} ${path}: ${res.status} ${err?.code ?? ''} ${err?.message ?? (text.slice(0, 200) || res.statusText)}`
          .replace(/\s+/g, ' ')
          .trim(),
      );
    }
    return body as T;
  }
}

const enc = encodeURIComponent;
