import { ApiError, api } from '@/lib/api';
import type { OnboardingState } from './types';

/** Calls an onboarding route and returns the new state; errors keep the hub's message. */
export function call(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body: unknown,
  query: Record<string, string>,
): Promise<OnboardingState> {
  return api<OnboardingState>(`/onboarding${path}`, { method, body, query });
}

/** A message fit for the field: the hub's own explanation, or a network hint. */
export const errorText = (e: unknown) =>
  e instanceof ApiError ? e.message : e instanceof Error ? e.message : 'Something went wrong';
