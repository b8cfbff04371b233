/**
 * Brand colours must stay readable (the hub refuses others; the dashboard previews with the same rules). WCAG 2.x contrast: text on the colour (a button label) needs
 * AA's 4.5:1 for normal text; the colour itself drawn on the dashboard's light and dark
 * backgrounds (links, borders, focus rings) needs AA's 3:1 for non-text elements (1.4.11).
 * Asking 4.5:1 against both backgrounds would leave only greys near #767676 (relative luminance
 * 0.175-0.183), so no brand colour could pass.
 */
export const TEXT_CONTRAST = 4.5;
export const BACKGROUND_CONTRAST = 3;

/** The dashboard's page backgrounds (dashboard/app/globals.css `--background`). */
export const BACKGROUNDS = { light: '#f8fafc', dark: '#0f172a' } as const;
/** Label colours a button may use on the brand colour: the dashboard's light text, or black. */
const TEXT_COLOURS = { light: '#f8fafc', dark: '#000000' } as const;

export const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const ratio = (r: number) => `${Math.floor(r * 100) / 100}:1`;

/** The label colour with the better contrast on `hex` (what the dashboard writes on buttons). */
export function textOn(hex: string): string {
  return contrast(hex, TEXT_COLOURS.light) >= contrast(hex, TEXT_COLOURS.dark) ? TEXT_COLOURS.light : TEXT_COLOURS.dark;
}

/**
 * Why a brand colour is refused, naming the failing pair and both ratios, or null when readable.
 * `name` is the field (`primaryColor`).
 */
export function contrastProblem(name: string, hex: string): string | null {
  if (!HEX_COLOUR.test(hex)) return `${name} must be a hex colour like #1a365d`;
  const text = textOn(hex);
  const onColour = contrast(hex, text);
  if (onColour < TEXT_CONTRAST)
    return `${name} ${hex}: text ${text} on it has contrast ${ratio(onColour)}, below ${TEXT_CONTRAST}:1`;
  for (const [theme, bg] of Object.entries(BACKGROUNDS)) {
    const r = contrast(hex, bg);
    if (r < BACKGROUND_CONTRAST)
      return `${name} ${hex} against the ${theme} background ${bg} has contrast ${ratio(r)}, below ${BACKGROUND_CONTRAST}:1`;
  }
  return null;
}
