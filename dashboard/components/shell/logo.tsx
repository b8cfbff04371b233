'use client';
import { useBrand } from '@/lib/brand';
import { cn } from '@/lib/utils';

/**
 * The product mark and name: a partner's uploaded logo and product name on its domain, else the
 * Deep Signal mark (concentric signal arcs on deep blue). Nothing is named until the brand is known.
 */
export function Logo({ className, withText = true }: { className?: string; withText?: boolean }) {
  const brand = useBrand();
  return (
    <span className={cn('inline-flex items-center gap-2', className)} data-testid="product-logo">
      {brand?.logoUrl ? (
        // biome-ignore lint/performance/noImgElement: a static export serves the hub's image as is
        <img src={brand.logoUrl} alt="" className="size-8 rounded-lg object-contain" />
      ) : (
        <span className="grid size-8 place-items-center rounded-lg bg-gradient-to-br from-brand to-cyan/70 shadow-lg shadow-cyan/20">
          <svg
            viewBox="0 0 24 24"
            className="size-5 text-white"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            aria-hidden
          >
            <circle cx="12" cy="12" r="2" fill="currentColor" />
            <path d="M7.8 16.2a6 6 0 0 1 0-8.4M16.2 7.8a6 6 0 0 1 0 8.4" strokeLinecap="round" />
            <path d="M4.9 19.1a10 10 0 0 1 0-14.2M19.1 4.9a10 10 0 0 1 0 14.2" strokeLinecap="round" opacity=".6" />
          </svg>
        </span>
      )}
      {withText && <span className="text-sm font-bold tracking-tight">{brand?.productName ?? ''}</span>}
    </span>
  );
}
