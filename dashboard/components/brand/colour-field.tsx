'use client';
import { BACKGROUNDS, contrast, HEX_COLOUR, textOn } from '@protocol/brand-colors';
import { Field } from '@/components/onboarding/field';
import { Input } from '@/components/ui/input';

const ratio = (r: number) => `${r.toFixed(1)}:1`;

/** The contrasts the hub checks, worked out as the colour is typed (the hub has the last word on save). */
function contrastHint(hex: string): string {
  if (!HEX_COLOUR.test(hex)) return 'a hex colour like #1a365d';
  return [
    `text on it ${ratio(contrast(hex, textOn(hex)))}`,
    `on light ${ratio(contrast(hex, BACKGROUNDS.light))}`,
    `on dark ${ratio(contrast(hex, BACKGROUNDS.dark))}`,
  ].join(' · ');
}

/**
 * A brand colour: the browser's colour picker and the hex field side by side, kept in step. The
 * hex field is the labelled control (typing is the keyboard way); the picker follows it.
 */
export function ColourField({
  id,
  label,
  value,
  error,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  error?: string | null;
  onChange: (hex: string) => void;
}) {
  return (
    <Field id={id} label={label} error={error} hint={contrastHint(value.trim())}>
      {(a) => (
        <div className="flex items-center gap-2">
          <input
            type="color"
            aria-label={`${label} picker`}
            className="h-9 w-12 shrink-0 cursor-pointer rounded-lg border border-input bg-transparent p-1 focus-visible:ring-2 focus-visible:ring-ring/60 focus-visible:outline-none"
            value={HEX_COLOUR.test(value.trim()) ? value.trim().toLowerCase() : '#000000'}
            onChange={(e) => onChange(e.target.value)}
          />
          <Input
            {...a}
            className="max-w-36 font-mono"
            value={value}
            maxLength={7}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => onChange(e.target.value)}
          />
        </div>
      )}
    </Field>
  );
}
