'use client';
/**
 * The signed-in user, kept in a small store outside React. Components read it with
 * useSyncExternalStore, so each reads the server snapshot (signed out) while it hydrates and the
 * stored session right after: the update lands on components that are already hydrated, never
 * on a boundary that is still dehydrated (which React reports as error 418).
 */
import { useRouter } from 'next/navigation';
import type * as React from 'react';
import { useEffect, useSyncExternalStore } from 'react';
import { login as apiLogin, getStoredUser, getToken, me, onUnauthorized, storeSession } from './api';
import type { Role, User } from './types';

/** What {@link useAuth} gives: the user (null when signed out), readiness, login and logout. */
export interface AuthState {
  user: User | null;
  ready: boolean;
  login: (email: string, password: string) => Promise<User>;
  logout: () => void;
}

type Snap = { user: User | null; ready: boolean };
const SERVER: Snap = { user: null, ready: false };
let snap: Snap | null = null;
const listeners = new Set<() => void>();
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
/** Set by the login page before it hands the browser to the identity provider. */
export const SSO_PENDING_KEY = 'ds.sso-pending';
const clientSnap = () => {
  if (!snap) {
    const stored = getStoredUser();
    // Single sign-on ends with only the session cookie set (no bearer token) and a redirect to
    // `/`: when the login page sent the browser there, ask the hub whom the cookie belongs to.
    // Only then, so a plain signed-out visit does not start with a refused request.
    const resume = !stored && window.localStorage.getItem(SSO_PENDING_KEY) !== null;
    snap = { user: stored, ready: !resume };
    if (resume) queueMicrotask(resumeCookieSession);
  }
  return snap;
};
let resuming = false;
async function resumeCookieSession() {
  if (resuming) return;
  resuming = true;
  try {
    const u = await me();
    // The token (if any) stays as it is; cookie sessions have none and rely on the cookie.
    storeSession(getToken(), u);
    setUser(u);
  } catch {
    setUser(null);
  } finally {
    window.localStorage.removeItem(SSO_PENDING_KEY);
    resuming = false;
  }
}
const setUser = (user: User | null) => {
  snap = { user, ready: true };
  for (const l of listeners) l();
};

async function login(email: string, password: string) {
  const r = await apiLogin(email, password);
  storeSession(r.token, r.user);
  setUser(r.user);
  return r.user;
}

function logout() {
  storeSession(null, null);
  setUser(null);
  // Clear the session cookie too; ignore failures.
  fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'include' }).catch(() => {});
}

if (typeof window !== 'undefined') onUnauthorized(logout);

export const OPERATOR_ROLES: readonly Role[] = ['admin', 'support'];
export const isOperator = (u: User | null) => !!u && OPERATOR_ROLES.includes(u.role);
/** A partner's (reseller's) people: a reduced Mission Control over the partner's clients only. */
export const PARTNER_ROLES: readonly Role[] = ['partner_admin', 'partner_viewer'];
export const isPartner = (u: User | null) => !!u && PARTNER_ROLES.includes(u.role);
/** Who gets Mission Control: operators over the fleet, partner users over their clients (the hub scopes the data). */
export const MISSION_CONTROL_ROLES: readonly Role[] = [...OPERATOR_ROLES, ...PARTNER_ROLES];

/** The page a user lands on after login. */
export function homeFor(u: User) {
  return isOperator(u) || isPartner(u) ? '/fleet/' : '/client/';
}

/** Kept for the provider tree's shape; the store needs no provider. */
export function AuthProvider({ children }: { children: React.ReactNode }) {
  return <>{children}</>;
}

export function useAuth(): AuthState {
  const s = useSyncExternalStore(subscribe, clientSnap, () => SERVER);
  return { user: s.user, ready: s.ready, login, logout };
}

/**
 * Sends signed-out visitors to the login page and users without one of `roles` to their home.
 * Returns the user once allowed, else null (render nothing meanwhile).
 */
export function useRequireUser(roles?: readonly Role[]): User | null {
  const { user, ready } = useAuth();
  const router = useRouter();
  const allowed = !!user && (!roles || roles.includes(user.role));
  useEffect(() => {
    if (!ready) return;
    if (!user) router.replace(`/login/?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    else if (!allowed) router.replace(homeFor(user));
  }, [ready, user, allowed, router]);
  return allowed ? user : null;
}
