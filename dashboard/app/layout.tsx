import './globals.css';
import type { Metadata, Viewport } from 'next';
import type * as React from 'react';
import { Providers } from '@/components/providers';
import { THEME_SCRIPT } from '@/lib/theme';

export const metadata: Metadata = {
  title: 'Deep Signal',
  description: 'Managed OpenClaw fleet: Mission Control and client dashboards',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#0f172a' };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" className="dark" suppressHydrationWarning>
      <body>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: constant script that sets the theme before paint */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} suppressHydrationWarning />
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
