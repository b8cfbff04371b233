'use client';
import { Suspense } from 'react';
import { OnboardingFlow } from '@/components/onboarding/flow';

/** The onboarding portal: welcome to a live agent in eight screens (no login needed to start). */
export default function OnboardingPage() {
  return (
    <Suspense>
      <OnboardingFlow />
    </Suspense>
  );
}
