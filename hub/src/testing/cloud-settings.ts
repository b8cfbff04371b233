import type { FakeHetzner } from './hetzner-fake.js';
import type { FakeTailscale } from './tailscale-fake.js';

/** Hub settings that aim deployments at the local Hetzner and Tailscale fakes. */
export function fakeCloudSettings(hetzner: FakeHetzner, tailscale: FakeTailscale, tailnet = 'example.com') {
  return {
    hetznerToken: 'test-token',
    hetznerUrl: hetzner.url,
    tailscaleApiKey: 'tskey-api-test',
    tailscaleTailnet: tailnet,
    tailscaleUrl: tailscale.url,
  };
}
