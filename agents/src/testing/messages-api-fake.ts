import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ContentBlock,
  Message,
  MessageCreateParamsNonStreaming,
  StopReason,
  Usage,
} from '@anthropic-ai/sdk/resources/messages';
import type { ErrorResponse, ErrorType } from '@anthropic-ai/sdk/resources/shared';
import { validateMessagesRequest } from './messages-api-validate.js';

/**
 * A scripted stand-in of the Anthropic Messages API (`POST /v1/messages`) speaking its real wire
 * format: the request is checked as the API checks it (key, version header, tools, roles,
 * `tool_result` ids), the answers are `message` objects typed with the SDK's own `Message`, and
 * errors have the API's statuses and `{type:"error",error:{type,message}}` bodies. Every step of
 * the script is one API call; a test reads `requests` and `usage` afterwards.
 */

/** One answer of the script: the model's reply or an API error. */
export type ScriptStep =
  | {
      /** Text blocks first, then one `tool_use` block per call: `stop_reason` is `tool_use` when there are calls. */
      text?: string;
      toolCalls?: { name: string; input: Record<string, unknown> }[];
      /** `max_tokens` ends the reply as cut off (only text is allowed). */
      stopReason?: Extract<StopReason, 'end_turn' | 'max_tokens'>;
      usage?: { input_tokens: number; output_tokens: number };
    }
  | { error: FakeErrorKind; message?: string; retryAfterSec?: number };

export type FakeErrorKind = 'invalid_request' | 'authentication' | 'rate_limit' | 'overloaded' | 'api_error';

/** A request the fake received (after validation). */
export interface SeenMessagesRequest {
  headers: IncomingHttpHeaders;
  body: MessageCreateParamsNonStreaming;
}

/** The script: a list of steps (each may be a function of the request), or one function for every call. */
export type Script =
  | (ScriptStep | ((req: SeenMessagesRequest, call: number) => ScriptStep))[]
  | ((req: SeenMessagesRequest, call: number) => ScriptStep);

export interface MessagesApiFakeOptions {
  script: Script;
  /** The `x-api-key` the fake accepts (default `test-key`). */
  apiKey?: string;
  /** Usage of each reply without its own: default about one token per 4 bytes sent and written. */
  usage?: { input_tokens: number; output_tokens: number };
}

export interface MessagesApiFake {
  /** The base URL to hand the SDK (`baseURL`) or `DS_ANTHROPIC_BASE_URL`. */
  url: string;
  apiKey: string;
  /** Every valid request, in order (including those answered with a scripted error). */
  requests: SeenMessagesRequest[];
  /** Every `message` answered. */
  replies: Message[];
  /** Sum of the usage of every `message` answered (what the real API bills). */
  usage: { input_tokens: number; output_tokens: number };
  /** Requests refused as invalid, with the reason (a test expects none). */
  rejected: string[];
  close(): Promise<void>;
}

const STATUS: Record<FakeErrorKind, [number, ErrorType]> = {
  invalid_request: [400, 'invalid_request_error'],
  authentication: [401, 'authentication_error'],
  rate_limit: [429, 'rate_limit_error'],
  overloaded: [529, 'overloaded_error'],
  api_error: [500, 'api_error'],
};

/** A reply with text and optional tool calls. */
export const say = (text: string, usage?: { input_tokens: number; output_tokens: number }): ScriptStep =>
  usage ? { text, usage } : { text };
/** A reply that calls one tool (with an optional line of text before it). */
export const callTool = (name: string, input: Record<string, unknown> = {}, text?: string): ScriptStep => ({
  ...(text ? { text } : {}),
  toolCalls: [{ name, input }],
});
/** An API error: 429 (with `retry-after`), 529, 400, 401 or 500. */
export const fail = (error: FakeErrorKind, o: { message?: string; retryAfterSec?: number } = {}): ScriptStep => ({
  error,
  ...o,
});

/** The `tool_result` blocks of the request's last user turn, by the name of the tool they answer. */
export function toolResults(req: SeenMessagesRequest): { name: string; content: string; isError: boolean }[] {
  const msgs = req.body.messages;
  const last = msgs.at(-1);
  const prev = msgs.at(-2);
  if (last?.role !== 'user' || typeof last.content === 'string' || !prev || typeof prev.content === 'string') return [];
  const names = new Map<string, string>();
  for (const b of prev.content) if (b.type === 'tool_use') names.set(b.id, b.name);
  return last.content.flatMap((b) => {
    if (b.type !== 'tool_result') return [];
    const content =
      typeof b.content === 'string'
        ? b.content
        : (b.content ?? []).map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('');
    return [{ name: names.get(b.tool_use_id) ?? '?', content, isError: b.is_error === true }];
  });
}

export async function startMessagesApiFake(o: MessagesApiFakeOptions): Promise<MessagesApiFake> {
  const apiKey = o.apiKey ?? 'test-key';
  const requests: SeenMessagesRequest[] = [];
  const replies: Message[] = [];
  const rejected: string[] = [];
  const usage = { input_tokens: 0, output_tokens: 0 };
  let ids = 0;
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': `req_fake${String(++ids).padStart(6, '0')}`,
      ...headers,
    });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, kind: FakeErrorKind, message: string, headers: Record<string, string> = {}) => {
    const [status, type] = STATUS[kind];
    const body: ErrorResponse = { type: 'error', error: { type, message } as ErrorResponse['error'], request_id: null };
    send(res, status, body, headers);
  };
  const stepFor = (req: SeenMessagesRequest, n: number): ScriptStep | undefined => {
    const s = typeof o.script === 'function' ? o.script : o.script[n];
    if (s === undefined) return undefined;
    return typeof s === 'function' ? s(req, n) : s;
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      raw += d;
    });
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || path !== '/v1/messages') {
        const notFound = { type: 'not_found_error', message: `Not found: ${req.method} ${path}` };
        return send(res, 404, { type: 'error', error: notFound, request_id: null });
      }
      if (req.headers['x-api-key'] !== apiKey) return error(res, 'authentication', 'invalid x-api-key');
      if (!req.headers['anthropic-version'])
        return error(res, 'invalid_request', 'anthropic-version: header is required');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return error(res, 'invalid_request', 'There was an issue with the request body: not valid JSON');
      }
      const problem = validateMessagesRequest(body);
      if (problem) {
        rejected.push(problem);
        return error(res, 'invalid_request', problem);
      }
      const seen: SeenMessagesRequest = { headers: req.headers, body: body as MessageCreateParamsNonStreaming };
      const n = requests.length;
      requests.push(seen);
      let step: ScriptStep | undefined;
      try {
        step = stepFor(seen, n);
      } catch (e) {
        step = { error: 'api_error', message: `the script failed: ${(e as Error).message}` };
      }
      // A script that ran out or went wrong is the test's fault: never retried.
      if (!step) return error(res, 'api_error', `the script has no step ${n + 1}`, { 'x-should-retry': 'false' });
      if ('error' in step) {
        const h: Record<string, string> = {};
        if (step.error === 'rate_limit') h['retry-after'] = String(step.retryAfterSec ?? 1);
        if (step.error === 'api_error') h['x-should-retry'] = 'false';
        const msg = { rate_limit: 'Number of request tokens has exceeded your rate limit', overloaded: 'Overloaded' };
        return error(res, step.error, step.message ?? msg[step.error as keyof typeof msg] ?? step.error, h);
      }
      const offered = new Set((seen.body.tools ?? []).map((t) => ('name' in t ? t.name : '')));
      const unknown = (step.toolCalls ?? []).find((c) => !offered.has(c.name));
      if (unknown)
        return error(res, 'api_error', `the script calls ${unknown.name}, which the request does not offer`, {
          'x-should-retry': 'false',
        });
      const message = reply(seen.body, step, raw.length, () => ++ids);
      usage.input_tokens += message.usage.input_tokens;
      usage.output_tokens += message.usage.output_tokens;
      replies.push(message);
      send(res, 200, message);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiKey,
    requests,
    replies,
    usage,
    rejected,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };

  function reply(
    body: MessageCreateParamsNonStreaming,
    step: Exclude<ScriptStep, { error: FakeErrorKind }>,
    sentBytes: number,
    nextId: () => number,
  ): Message {
    const content: ContentBlock[] = [];
    if (step.text) content.push({ type: 'text', text: step.text, citations: null });
    for (const c of step.toolCalls ?? [])
      content.push({
        type: 'tool_use',
        id: `toolu_fake${String(nextId()).padStart(16, '0')}`,
        name: c.name,
        input: c.input,
        caller: { type: 'direct' },
      });
    const stop: StopReason = step.toolCalls?.length ? 'tool_use' : (step.stopReason ?? 'end_turn');
    const u = step.usage ??
      o.usage ?? {
        input_tokens: Math.ceil(sentBytes / 4),
        output_tokens: Math.max(1, Math.ceil(JSON.stringify(content).length / 4)),
      };
    const usageBlock: Usage = {
      input_tokens: u.input_tokens,
      output_tokens: u.output_tokens,
      cache_creation: null,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    };
    return {
      id: `msg_fake${String(nextId()).padStart(16, '0')}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: stop,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: usageBlock,
    } as Message;
  }
}
