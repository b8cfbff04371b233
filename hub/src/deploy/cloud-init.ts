import { stringify } from 'yaml';

/** Hetzner refuses user data above 32 KiB. */
export const USER_DATA_LIMIT = 32 * 1024;

/** The sidecar's `--config` JSON (sidecar/src/config.ts keys). */
export interface SidecarJson {
  hub: string;
  instanceId: string;
  secret: string;
  hubKey: string;
  /** Pool servers: retry the first login every few seconds (their instance exists once taken). */
  firstConnectRetryMaxMs?: number;
}

export interface UserDataInput {
  /** RFC 1123 hostname, also the tailnet device name. */
  hostname: string;
  /** Single-use Tailscale auth key. */
  tailscaleAuthKey: string;
  sidecar: SidecarJson;
  /** The hub's HTTP base reachable over the tailnet (bundle and installer come from there). */
  hubHttpUrl: string;
  bundleSha256: string;
  installerSha256: string;
  openclawVersion: string;
  nodeMajor: number;
  /**
   * OpenClaw's own config for the client's agent: model, identity, gateway (loopback, token).
   * No provider keys or channel tokens: those arrive sealed in the first config.apply.
   */
  openclawConfig: Record<string, unknown>;
  /**
   * A warm-pool server: no client's config yet (the first config.apply brings it once a deploy
   * takes the server), and the sidecar retries its first login every few seconds.
   */
  pool?: boolean;
}

/** How often a pool server's sidecar tries to log in until a deploy gives it its instance. */
export const POOL_FIRST_CONNECT_RETRY_MS = 3000;

/** The bootstrap script run once by cloud-init; its settings come from /etc/deepsignal/bootstrap.env. */
const BOOTSTRAP = `#!/bin/bash
# Deep Signal bootstrap: turns a stock Debian/Ubuntu server into a client's agent.
# Secrets (auth key, instance secret) stay in root-only files and never reach this log.
set -euo pipefail
exec >>/var/log/deepsignal-bootstrap.log 2>&1
. /etc/deepsignal/bootstrap.env
say() { echo "$(date -u +%FT%TZ) deepsignal-bootstrap: $*"; }

say "tailscale: install and join as $DS_HOSTNAME"
if ! command -v tailscale >/dev/null 2>&1; then curl -fsSL https://tailscale.com/install.sh | sh; fi
tailscale up --auth-key=file:/etc/deepsignal/tailscale-authkey --hostname="$DS_HOSTNAME" --ssh
rm -f /etc/deepsignal/tailscale-authkey

say "node $DS_NODE_MAJOR"
if ! node --version 2>/dev/null | grep -q "^v$DS_NODE_MAJOR\\."; then
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) say "unsupported CPU $(uname -m)"; exit 1 ;; esac
  base="https://nodejs.org/dist/latest-v$DS_NODE_MAJOR.x"
  work=$(mktemp -d)
  curl -fsSL -o "$work/SHASUMS256.txt" "$base/SHASUMS256.txt"
  file=$(grep -o "node-v[0-9.]*-linux-$arch.tar.xz" "$work/SHASUMS256.txt" | head -1)
  curl -fsSL -o "$work/$file" "$base/$file"
  (cd "$work" && grep " $file\\$" SHASUMS256.txt | sha256sum -c -)
  tar -xJf "$work/$file" -C /usr/local --strip-components=1 --exclude='*.md' --exclude=LICENSE
  rm -rf "$work"
fi

say "openclaw $DS_OPENCLAW_VERSION"
npm install -g --no-fund --no-audit "openclaw@$DS_OPENCLAW_VERSION"
openclaw --version | grep -qF "$DS_OPENCLAW_VERSION" || { say "openclaw --version is not $DS_OPENCLAW_VERSION"; exit 1; }
install -d -o openclaw -g openclaw -m 0750 /var/lib/openclaw/.openclaw /var/lib/openclaw/.openclaw/workspace
chown openclaw:openclaw /var/lib/openclaw/.openclaw/openclaw.json
chmod 0640 /var/lib/openclaw/.openclaw/openclaw.json
systemctl daemon-reload
systemctl enable --now openclaw-gateway.service

say "sidecar from $DS_HUB_URL"
work=$(mktemp -d)
fetch() { # path file sha256
  curl -fsS --retry 20 --retry-all-errors --retry-delay 3 -o "$work/$2" "$DS_HUB_URL$1"
  echo "$3  $work/$2" | sha256sum -c - >/dev/null || { say "checksum mismatch for $1"; exit 1; }
}
fetch /deploy/sidecar.mjs deepsignal-sidecar.mjs "$DS_BUNDLE_SHA256"
fetch /deploy/install.sh install.sh "$DS_INSTALLER_SHA256"
conf() { node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync("/etc/deepsignal/sidecar.json","utf8"))[process.argv[1]]))' "$1"; }
bash "$work/install.sh" --hub "$(conf hub)" --instance "$(conf instanceId)" --secret "$(conf secret)" \\
  --hub-key "$(conf hubKey)" --bundle "$work/deepsignal-sidecar.mjs" \\
  --openclaw-user openclaw --openclaw-unit openclaw-gateway.service
rm -rf "$work"
say "done"
`;

/** OpenClaw's gateway as a hardened system service (the sidecar may restart it). */
const OPENCLAW_UNIT = `[Unit]
Description=OpenClaw gateway
After=network-online.target tailscaled.service
Wants=network-online.target

[Service]
Type=simple
User=openclaw
Group=openclaw
Environment=HOME=/var/lib/openclaw
Environment=OPENCLAW_NO_TELEMETRY=1
ExecStart=/usr/local/bin/openclaw gateway run
Restart=always
RestartSec=5
UMask=0027
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
ReadWritePaths=/var/lib/openclaw /tmp/openclaw
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes
CapabilityBoundingSet=
MemoryMax=2G

[Install]
WantedBy=multi-user.target
`;

const envLine = (k: string, v: string) => {
  if (!/^[A-Za-z0-9_.:/@+=,%-]*$/.test(v)) throw new Error(`${k} has characters a shell file cannot hold as is`);
  return `${k}=${v}`;
};

/**
 * The `#cloud-config` user data that makes a server into the client's agent: Tailscale joined
 * with a single-use key, Node and the pinned OpenClaw with the client's config, the sidecar's
 * settings in /etc/deepsignal/sidecar.json (0600), and the sidecar bundle and installer fetched
 * from the hub over the tailnet with their checksums checked. Throws when it would exceed 32 KiB.
 */
export function buildUserData(i: UserDataInput): string {
  const env = [
    envLine('DS_HOSTNAME', i.hostname),
    envLine('DS_HUB_URL', i.hubHttpUrl.replace(/\/+$/, '')),
    envLine('DS_BUNDLE_SHA256', i.bundleSha256),
    envLine('DS_INSTALLER_SHA256', i.installerSha256),
    envLine('DS_OPENCLAW_VERSION', i.openclawVersion),
    envLine('DS_NODE_MAJOR', String(i.nodeMajor)),
  ].join('\n');
  const doc = {
    hostname: i.hostname,
    preserve_hostname: false,
    package_update: true,
    packages: ['curl', 'ca-certificates', 'xz-utils'],
    users: [
      'default',
      { name: 'openclaw', system: true, homedir: '/var/lib/openclaw', shell: '/usr/sbin/nologin', lock_passwd: true },
    ],
    // SSH is reached only over the tailnet (Tailscale SSH); no password logins at all.
    ssh_pwauth: false,
    write_files: [
      {
        path: '/etc/deepsignal/sidecar.json',
        permissions: '0600',
        owner: 'root:root',
        content: `${JSON.stringify(i.pool ? { ...i.sidecar, firstConnectRetryMaxMs: POOL_FIRST_CONNECT_RETRY_MS } : i.sidecar, null, 2)}\n`,
      },
      {
        path: '/etc/deepsignal/tailscale-authkey',
        permissions: '0600',
        owner: 'root:root',
        content: `${i.tailscaleAuthKey}\n`,
      },
      { path: '/etc/deepsignal/bootstrap.env', permissions: '0600', owner: 'root:root', content: `${env}\n` },
      {
        path: '/var/lib/openclaw/.openclaw/openclaw.json',
        permissions: '0600',
        owner: 'root:root',
        content: `${JSON.stringify(i.openclawConfig, null, 2)}\n`,
      },
      { path: '/etc/systemd/system/openclaw-gateway.service', permissions: '0644', content: OPENCLAW_UNIT },
      { path: '/usr/local/lib/deepsignal/bootstrap.sh', permissions: '0700', owner: 'root:root', content: BOOTSTRAP },
      ...(i.pool
        ? [
            {
              // The installer writes its own sidecar.json; the setting reaches the unit as its environment.
              path: '/etc/systemd/system/deepsignal-sidecar.service.d/10-warm-pool.conf',
              permissions: '0644',
              content: `[Service]\nEnvironment=DS_FIRST_CONNECT_RETRY_MAX_MS=${POOL_FIRST_CONNECT_RETRY_MS}\n`,
            },
          ]
        : []),
    ],
    runcmd: [['bash', '/usr/local/lib/deepsignal/bootstrap.sh']],
  };
  const out = `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
  const size = Buffer.byteLength(out);
  if (size > USER_DATA_LIMIT) throw new Error(`user data is ${size} bytes; Hetzner accepts at most ${USER_DATA_LIMIT}`);
  return out;
}

/** What the user data writes to a path (the same parse a server does), e.g. /etc/deepsignal/sidecar.json. */
export function fileFromUserData(
  userData: string,
  path: string,
  parse: (s: string) => unknown,
): { content: string; permissions?: string } | null {
  const doc = parse(userData.replace(/^#cloud-config\n/, '')) as {
    write_files?: { path: string; content: string; permissions?: string }[];
  };
  const f = doc.write_files?.find((w) => w.path === path);
  return f ? { content: f.content, permissions: f.permissions } : null;
}

/** The Hetzner Firewall for client servers: nothing in from the internet but Tailscale's UDP port. */
export const CLIENT_FIREWALL_RULES = [
  {
    direction: 'in' as const,
    protocol: 'udp' as const,
    port: '41641',
    source_ips: ['0.0.0.0/0', '::/0'],
    description: 'Tailscale WireGuard (direct connections); SSH only over the tailnet',
  },
];

/** OpenClaw's config for a new agent from onboarding's desired state (no secrets). */
export function openclawConfigFor(o: {
  gatewayToken: string;
  model?: string;
  identity?: { name: string; theme: string; emoji: string; avatar?: string };
}): Record<string, unknown> {
  return {
    gateway: { mode: 'local', port: 18789, bind: 'loopback', auth: { mode: 'token', token: o.gatewayToken } },
    agents: {
      defaults: o.model ? { model: { primary: o.model } } : {},
      ...(o.identity ? { entries: { main: { identity: o.identity } } } : {}),
    },
  };
}
