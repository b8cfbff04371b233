import type { NextConfig } from 'next';

// Static export served by the hub on its own port: every page becomes out/<path>/index.html.
const config: NextConfig = {
  output: 'export',
  trailingSlash: true,
  images: { unoptimized: true },
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ['@deepsignal/protocol'],
  devIndicators: false,
  // The protocol package is TypeScript with NodeNext `.js` import suffixes; let webpack map them.
  webpack: (cfg) => {
    cfg.resolve.extensionAlias = { '.js': ['.ts', '.tsx', '.js'] };
    return cfg;
  },
};

export default config;
