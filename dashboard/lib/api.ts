/**
 * Typed client for the hub's HTTP API (same origin, under /api/v1). Every failure becomes an
 * {@link ApiError} with a message fit to show a person.
 */
import type { Command, Instance, User } from './types';

const BASE = `${process.env.NEXT_PUBLIC_HUB_URL ?? ''}/api/v1`;
const TOKEN_KEY = 'ds.token';
/**
 * Unsafe calls authenticated by the session cookie (SSO logins) must carry this header; the hub
 * refuses them otherwise (a cross-site form cannot set it). Harmless on bearer calls.
 */
export const CSRF_HEADER = 'x-ds-csrf';
const USER_KEY = 'ds.user';

/** An API failure: HTTP status (0 when the hub could not be reached), code and readable message. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** The route does not exist on this hub yet (or the resource is not visible to the caller). */
  get notFound() {
    return this.status === 404;
  }
}

export function getToken(): string | null {
  if (typeof window === 'undefined') return null;
  return window.localStorage.getItem(TOKEN_KEY);
}

export function getStoredUser(): User | null {
  if (typeof window === 'undefined') return null;
  try {
    const raw = window.localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as User) : null;
  } catch {
    return null;
  }
}

export function storeSession(token: string | null, user: User | null) {
  if (token) window.localStorage.setItem(TOKEN_KEY, token);
  else window.localStorage.removeItem(TOKEN_KEY);
  if (user) window.localStorage.setItem(USER_KEY, JSON.stringify(user));
  else window.localStorage.removeItem(USER_KEY);
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** Options of {@link api}. */
export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: Query) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `${BASE}${path}${s ? `?${s}` : ''}`;
}

const unauthorizedListeners = new Set<() => void>();
/** Called when the hub answers 401 (session expired or revoked). */
export function onUnauthorized(fn: () => void) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export async function api<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  // A Blob (an uploaded image) goes as the raw body under its own type; anything else as JSON.
  const raw = opts.body instanceof Blob ? opts.body : null;
  if (opts.body !== undefined)
    headers['content-type'] = raw ? raw.type || 'application/octet-stream' : 'application/json';
  const method = opts.method ?? (opts.body !== undefined ? 'POST' : 'GET');
  if (method !== 'GET') headers[CSRF_HEADER] = '1';
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body: raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
      credentials: 'include',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'Cannot reach the hub. Check your connection and that the hub is running.');
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    const message =
      err?.message ??
      (res.status === 404
        ? 'Not found (or not available on this hub yet).'
        : `The hub answered ${res.status} ${res.statusText}`.trim());
    if (res.status === 401 && !path.startsWith('/auth/')) for (const fn of unauthorizedListeners) fn();
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, message);
  }
  return data as T;
}

/** GETs `path` as text (recordings, CSV), with the session; failures as {@link ApiError}. */
export async function fetchText(path: string, query?: Query): Promise<string> {
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(buildUrl(path, query), { headers, credentials: 'include' });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the hub.');
  }
  const text = await res.text();
  if (!res.ok) {
    let msg = res.status === 404 ? 'Not found (or not available on this hub yet).' : `The hub answered ${res.status}`;
    try {
      msg = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? msg;
    } catch {}
    throw new ApiError(res.status, `http_${res.status}`, msg);
  }
  return text;
}

/** GETs `path` as a blob (attachments, exports) with the session; failures as {@link ApiError}. */
export async function fetchBlob(path: string, query?: Query): Promise<Blob> {
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(buildUrl(path, query), { headers, credentials: 'include' });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the hub.');
  }
  if (!res.ok) {
    const err = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(
      res.status,
      err?.error?.code ?? `http_${res.status}`,
      err?.error?.message ?? `download failed (${res.status})`,
    );
  }
  return res.blob();
}

/**
 * Fetches `path` with the session and saves the answer as a file (exports, CSV), so downloads work
 * with a bearer token as well as with the cookie.
 */
export async function download(path: string, filename: string, query?: Query): Promise<void> {
  const url = URL.createObjectURL(await fetchBlob(path, query));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Some list routes return a bare array, others `{items}` or `{data}`; accept all three. */
export function asList<T>(v: unknown): T[] {
  if (Array.isArray(v)) return v as T[];
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['items', 'data', 'results', 'instances', 'clients', 'lines', 'messages', 'commands', 'logs']) {
      if (Array.isArray(o[k])) return o[k] as T[];
    }
  }
  return [];
}

export const login = (email: string, password: string) =>
  api<{ token: string; user: User }>('/auth/login', { body: { email, password } });

/** Who the session (bearer token or, after single sign-on, only the cookie) belongs to. */
export const me = () => api<User>('/auth/me');

/** Asks for a password-reset link by mail (the hub answers the same whether the account exists). */
export const requestPasswordReset = (email: string) => api<{ ok: true }>('/auth/password-reset', { body: { email } });

/** Sets a new password with a one-time link's token (reset or invitation). */
export const confirmPasswordReset = (token: string, password: string) =>
  api<null>('/auth/password-reset/confirm', { body: { token, password } });

/** Where the browser goes to sign in with a client's identity provider (the hub redirects on). */
/** The hub finds the company by the email's domain and sends the browser to its identity provider. */
export const ssoStartUrl = (email: string) => buildUrl('/auth/sso/start', { email });

export const listInstances = async () => asList<Instance>(await api<unknown>('/instances'));

export const getInstance = (id: string) => api<Instance>(`/instances/${encodeURIComponent(id)}`);

/** Issues a command; the hub validates again and answers 202 {id, status}. */
export const sendCommand = (instanceId: string, type: string, params: Record<string, unknown> = {}) =>
  api<Pick<Command, 'id' | 'status'>>(`/instances/${encodeURIComponent(instanceId)}/commands`, {
    body: { type, params },
  });
