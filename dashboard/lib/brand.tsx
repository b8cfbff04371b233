'use client';
import * as React from 'react';

/** The look of the host the page is on (`GET /api/v1/brand`): a partner's on its verified domain. */
export interface Brand {
  productName: string;
  primaryColor: string;
  accentColor: string;
  primaryForeground: string;
  accentForeground: string;
  supportEmail: string | null;
  /** "Powered by Deep Signal", or null when the partner turned it off. */
  poweredBy: string | null;
  logoUrl: string | null;
  faviconUrl: string | null;
}

const DEFAULT_NAME = 'Deep Signal';
const BASE = `${process.env.NEXT_PUBLIC_HUB_URL ?? ''}/api/v1`;

/** Null until the hub answered: pages show no product name rather than the wrong one. */
const BrandContext = React.createContext<Brand | null>(null);

/** The brand of this host; `productName` is empty while it loads. */
export function useBrand(): Brand | null {
  return React.useContext(BrandContext);
}

/** The product name to write in text ("" while loading, so a partner's page never flashes another name). */
export function useProductName(): string {
  return useBrand()?.productName ?? '';
}

function applyToDocument(b: Brand) {
  const root = document.documentElement.style;
  // Inline variables win over both the light and the dark theme's.
  root.setProperty('--primary', b.primaryColor);
  root.setProperty('--primary-foreground', b.primaryForeground);
  root.setProperty('--accent', b.accentColor);
  root.setProperty('--color-brand', b.primaryColor);
  document.title = document.title.includes(DEFAULT_NAME)
    ? document.title.replaceAll(DEFAULT_NAME, b.productName)
    : b.productName;
  if (b.faviconUrl) {
    for (const l of document.querySelectorAll<HTMLLinkElement>('link[rel~="icon"]')) l.remove();
    const link = document.createElement('link');
    link.rel = 'icon';
    link.href = b.faviconUrl;
    document.head.appendChild(link);
  }
}

const FALLBACK: Brand = {
  productName: DEFAULT_NAME,
  primaryColor: '',
  accentColor: '',
  primaryForeground: '',
  accentForeground: '',
  supportEmail: null,
  poweredBy: null,
  logoUrl: null,
  faviconUrl: null,
};

/** Loads the host's brand once per page load and applies its colours, title and favicon. */
export function BrandProvider({ children }: { children: React.ReactNode }) {
  const [brand, setBrand] = React.useState<Brand | null>(null);
  React.useEffect(() => {
    let live = true;
    fetch(`${BASE}/brand`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? (r.json() as Promise<Brand>) : FALLBACK))
      .catch(() => FALLBACK)
      .then((b) => {
        if (!live) return;
        if (b.primaryColor) applyToDocument(b);
        setBrand(b);
      });
    return () => {
      live = false;
    };
  }, []);
  return <BrandContext.Provider value={brand}>{children}</BrandContext.Provider>;
}
