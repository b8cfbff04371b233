import { BACKGROUNDS, HEX_COLOUR, textOn } from '@protocol/brand-colors';

/** Text colours of the dashboard's themes (globals.css `--foreground`). */
const FOREGROUNDS = { light: '#0f172a', dark: '#e2e8f0' } as const;

/** A header and a button in the colours being edited, on one theme's background. */
function ThemePreview({
  theme,
  productName,
  primary,
  accent,
}: {
  theme: 'light' | 'dark';
  productName: string;
  primary: string;
  accent: string;
}) {
  const ok = (hex: string) => HEX_COLOUR.test(hex);
  return (
    <figure
      className="overflow-hidden rounded-lg border border-border"
      style={{ background: BACKGROUNDS[theme], color: FOREGROUNDS[theme] }}
      data-testid={`brand-preview-${theme}`}
    >
      <div
        className="flex items-center gap-2 border-b px-3 py-2 text-sm font-semibold"
        style={{ borderColor: ok(primary) ? primary : 'transparent' }}
      >
        <span className="size-3 rounded-sm" style={{ background: ok(primary) ? primary : 'transparent' }} />
        {productName || 'Product name'}
      </div>
      <div className="flex flex-wrap items-center gap-3 p-3 text-sm">
        <span
          className="rounded-lg px-3 py-1.5 font-medium"
          style={ok(primary) ? { background: primary, color: textOn(primary) } : { outline: '1px dashed' }}
        >
          Save changes
        </span>
        <span
          className="rounded-lg px-3 py-1.5 font-medium"
          style={ok(accent) ? { background: accent, color: textOn(accent) } : { outline: '1px dashed' }}
        >
          Accent
        </span>
        <span className="underline underline-offset-4" style={{ color: ok(primary) ? primary : undefined }}>
          A link
        </span>
      </div>
      <figcaption className="px-3 pb-2 text-[11px] opacity-70">{theme} theme</figcaption>
    </figure>
  );
}

/** The colours as partners' clients will see them, in both themes, while they are typed. */
export function BrandPreview(props: { productName: string; primary: string; accent: string }) {
  const p = { ...props, primary: props.primary.trim(), accent: props.accent.trim() };
  return (
    <section className="grid gap-3 sm:grid-cols-2" aria-label="Preview">
      <ThemePreview theme="light" {...p} />
      <ThemePreview theme="dark" {...p} />
    </section>
  );
}
