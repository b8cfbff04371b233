'use client';
import { type FormEvent, useEffect, useState } from 'react';
import { Input, Textarea } from '@/components/ui/input';
import { api } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { type LocationChoices, placeLabel } from '@/lib/location';
import { call, errorText } from './api';
import { Field, StepFrame, SubmitFooter } from './field';
import type { OnboardingState } from './types';

const INDUSTRIES = [
  'Retail & e-commerce',
  'Food & hospitality',
  'Health',
  'Finance',
  'Software',
  'Education',
  'Real estate',
  'Other',
];

/**
 * Screen 2: company name, industry and use case. For a new visitor it also asks for the owner's
 * email and password: submitting creates the client and its owner account and logs them in.
 */
export function Company({
  state,
  onSaved,
  next,
  back,
  query,
}: {
  state: OnboardingState | null;
  onSaved: (s: OnboardingState) => void;
  next: () => void;
  back: () => void;
  query: Record<string, string>;
}) {
  const auth = useAuth();
  const c = state?.desired.company;
  const [f, setF] = useState({
    company: c?.name ?? '',
    industry: c?.industry ?? '',
    useCase: c?.useCase ?? '',
    email: '',
    password: '',
  });
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState(false);
  const signup = !state;
  // Data residency: the Hetzner locations this hub deploys to (none: the choice is not shown).
  const [places, setPlaces] = useState<LocationChoices | null>(null);
  const [location, setLocation] = useState(state?.location?.name ?? '');
  useEffect(() => {
    api<LocationChoices>('/locations')
      .then((c) => {
        setPlaces(c);
        setLocation((cur) => cur || c.default);
      })
      .catch(() => setPlaces(null));
  }, []);
  const withLocation = places?.locations.length && location ? { location } : {};
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string | null> = {};
    if (!f.company.trim()) errs.company = 'Enter your company name';
    if (!f.useCase.trim()) errs.useCase = 'Tell us in a sentence what the agent should do';
    if (signup && !/^\S+@\S+\.\S+$/.test(f.email)) errs.email = 'Enter a valid email address';
    if (signup && f.password.length < 10) errs.password = 'Use at least 10 characters';
    setErrors(errs);
    if (Object.values(errs).some(Boolean)) return;
    setBusy(true);
    try {
      if (signup) {
        await api('/onboarding/start', { method: 'POST', body: { ...f, email: f.email.trim(), ...withLocation } });
        // A normal login stores the session where the rest of the dashboard expects it.
        await auth.login(f.email.trim(), f.password);
        onSaved(await call('GET', '', undefined, query));
      } else {
        onSaved(
          await call(
            'PUT',
            '/company',
            { company: f.company, industry: f.industry, useCase: f.useCase, ...withLocation },
            query,
          ),
        );
      }
      next();
    } catch (err) {
      const msg = errorText(err);
      setErrors(
        /email/i.test(msg)
          ? { email: msg }
          : /password/i.test(msg)
            ? { password: msg }
            : /location/i.test(msg)
              ? { location: msg }
              : { form: msg },
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <StepFrame
        title="Tell us about your company"
        subtitle="This shapes how your agent introduces itself and what it helps with."
        footer={
          <SubmitFooter back={back} busy={busy}>
            {signup ? 'Create account' : 'Save and continue'}
          </SubmitFooter>
        }
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="company" label="Company name" error={errors.company}>
            {(a) => <Input {...a} value={f.company} onChange={set('company')} autoComplete="organization" autoFocus />}
          </Field>
          <Field id="industry" label="Industry" error={errors.industry}>
            {(a) => (
              <select
                {...a}
                value={f.industry}
                onChange={set('industry')}
                className="h-9 rounded-lg border border-input bg-background px-3 text-sm outline-none focus-visible:border-accent focus-visible:ring-2 focus-visible:ring-ring/30"
              >
                <option value="">Choose…</option>
                {INDUSTRIES.map((i) => (
                  <option key={i}>{i}</option>
                ))}
              </select>
            )}
          </Field>
          <div className="sm:col-span-2">
            <Field
              id="useCase"
              label="What should the agent do?"
              hint="e.g. Answer questions about orders, opening hours and allergens"
              error={errors.useCase}
            >
              {(a) => <Textarea {...a} value={f.useCase} onChange={set('useCase')} rows={3} />}
            </Field>
          </div>
          {!!places?.locations.length && (
            <div className="sm:col-span-2">
              <Field
                id="location"
                label="Where should your agent’s server run?"
                hint="Your agent’s server is rented in this location, and its backups are kept in that region where we have storage there."
                error={errors.location}
              >
                {(a) => (
                  <select
                    {...a}
                    value={location}
                    onChange={(e) => setLocation(e.target.value)}
                    className="h-9 rounded-lg border border-input bg-background px-3 text-sm outline-none focus-visible:border-accent focus-visible:ring-2 focus-visible:ring-ring/30"
                  >
                    {places.locations.map((l) => (
                      <option key={l.name} value={l.name}>
                        {placeLabel(l)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
          )}
          {signup && (
            <>
              <Field id="email" label="Your work email" error={errors.email}>
                {(a) => <Input {...a} type="email" value={f.email} onChange={set('email')} autoComplete="email" />}
              </Field>
              <Field id="password" label="Choose a password" hint="At least 10 characters" error={errors.password}>
                {(a) => (
                  <Input
                    {...a}
                    type="password"
                    value={f.password}
                    onChange={set('password')}
                    autoComplete="new-password"
                  />
                )}
              </Field>
            </>
          )}
        </div>
        {errors.form && (
          <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">
            {errors.form}
          </p>
        )}
      </StepFrame>
    </form>
  );
}
