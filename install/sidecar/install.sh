#!/usr/bin/env bash
# Installs (or uninstalls) the Deep Signal sidecar as a systemd service on a client VPS.
# Idempotent: running it again with the same arguments changes nothing but the config it is given.
set -euo pipefail

PROG=$(basename "$0")
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
SOURCE=$(cd "$SCRIPT_DIR/../.." && pwd)

HUB="" INSTANCE="" SECRET="" HUB_KEY=""
STATE_DIR=/var/lib/deepsignal
PREFIX=/opt/deepsignal
CONF_DIR=/etc/deepsignal
UNIT_DIR=/etc/systemd/system
UNIT=deepsignal-sidecar.service
SVC_USER=deepsignal
OPENCLAW_USER=""
OPENCLAW_URL=ws://127.0.0.1:18789
CA_FILE=""
OPENCLAW_UNIT=""
BUNDLE=""
NODE_MODULES=""
# V8 limits measured in BENCHMARKS.md (sidecar.rss_mb_v8_flags): a 1 MB young generation, 32 MB heap.
NODE_FLAGS="--max-semi-space-size=1 --max-old-space-size=32"
DESTDIR=""
DRY_RUN=0
ACTION=install
PURGE=0

usage() {
  cat <<EOF
Usage: $PROG --hub URL --instance ID --secret SECRET --hub-key KEY [options]
       $PROG --uninstall [--purge] [options]

Installs the Deep Signal sidecar next to OpenClaw: a system user, the sidecar under PREFIX as
one bundled file (PREFIX/deepsignal-sidecar.mjs, built from the checkout with esbuild unless
--bundle gives one) plus its two optional runtime modules in PREFIX/node_modules, its config
(mode 0600) and a systemd unit (restart always, hardened, small V8 heap, allowed to read
OpenClaw's config and logs), then starts it. Nothing is compiled or downloaded on the machine.

Optional runtime modules, copied when found (from --node-modules, else node_modules beside
--bundle, else the checkout's): systeminformation (only used where /proc is missing) and
@lydell/node-pty with its platform package (remote console sessions). Without them the sidecar
runs; the features that need them report an error.

Required for install:
  --hub URL              broker URL, mqtt://host:1883 or mqtts://host:8883
  --instance ID          instance id (from POST /instances)
  --secret SECRET        instance secret (shown once by the hub)
  --hub-key KEY          hub public key, ed25519:<43 base64url characters>

Options:
  --openclaw-user USER   user that runs OpenClaw (default: owner of ~/.openclaw found, else root)
  --openclaw-url URL     gateway WebSocket (default $OPENCLAW_URL)
  --ca-file PATH         CA certificate for mqtts:// (copied to $CONF_DIR/ca.pem)
  --openclaw-unit UNIT   systemd unit openclaw.restart may restart when the gateway is unreachable
                         (default: openclaw-gateway.service if it is a system unit here, else none:
                         the command then fails instead of touching systemd)
  --bundle FILE          a prebuilt deepsignal-sidecar.mjs (node sidecar/scripts/build.mjs)
  --node-modules DIR     where to copy the optional runtime modules from
  --node-flags FLAGS     node options in the unit (default: $NODE_FLAGS)
  --state-dir DIR        outbox and journal (default $STATE_DIR)
  --prefix DIR           install location (default $PREFIX)
  --source DIR           checkout to install from (default $SOURCE)
  --destdir DIR          render every file under DIR and run nothing (packaging, tests)
  --dry-run              print what would be done, change nothing
  --uninstall            stop and remove the service, config and program
  --purge                with --uninstall: also remove the state directory and the user
  -h, --help             this text

Exit codes: 0 done, 1 failure, 2 bad arguments.
EOF
}

die() { echo "$PROG: $*" >&2; exit 1; }
bad() { echo "$PROG: bad argument $1: $2" >&2; exit 2; }

while [ $# -gt 0 ]; do
  opt=$1
  case "$opt" in
    -h|--help) usage; exit 0 ;;
    --uninstall) ACTION=uninstall; shift; continue ;;
    --purge) PURGE=1; shift; continue ;;
    --dry-run) DRY_RUN=1; shift; continue ;;
  esac
  [ $# -ge 2 ] || bad "$opt" "needs a value (or unknown option; see --help)"
  val=$2
  case "$opt" in
    --hub) HUB=$val ;;
    --instance) INSTANCE=$val ;;
    --secret) SECRET=$val ;;
    --hub-key) HUB_KEY=$val ;;
    --openclaw-user) OPENCLAW_USER=$val ;;
    --openclaw-url) OPENCLAW_URL=$val ;;
    --ca-file) CA_FILE=$val ;;
    --openclaw-unit) OPENCLAW_UNIT=$val ;;
    --bundle) BUNDLE=$val ;;
    --node-modules) NODE_MODULES=$val ;;
    --node-flags) NODE_FLAGS=$val ;;
    --state-dir) STATE_DIR=$val ;;
    --prefix) PREFIX=$val ;;
    --source) SOURCE=$val ;;
    --destdir) DESTDIR=$val ;;
    *) bad "$opt" "unknown option (see --help)" ;;
  esac
  shift 2
done

# Commands that change the system go through run(): skipped with --dry-run or --destdir.
run() {
  if [ "$DRY_RUN" = 1 ] || [ -n "$DESTDIR" ]; then
    echo "would run: $*"
  else
    "$@"
  fi
}

json_escape() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  printf '%s' "$s"
}

validate() {
  [ -n "$HUB" ] || bad --hub "is required"
  [ -n "$INSTANCE" ] || bad --instance "is required"
  [ -n "$SECRET" ] || bad --secret "is required"
  [ -n "$HUB_KEY" ] || bad --hub-key "is required"
  [[ "$HUB" =~ ^(mqtt|mqtts|ws|wss)://[^[:space:]/]+(/[^[:space:]]*)?$ ]] || bad --hub "must be an mqtt://, mqtts://, ws:// or wss:// URL"
  if ! [[ "$INSTANCE" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || [ "$INSTANCE" = . ] || [ "$INSTANCE" = .. ]; then
    bad --instance "must be 1-64 of A-Z a-z 0-9 . _ -"
  fi
  [[ "$HUB_KEY" =~ ^ed25519:[A-Za-z0-9_-]{43}$ ]] || bad --hub-key "must look like ed25519:<43 base64url characters>"
  [ "${#SECRET}" -le 512 ] || bad --secret "is too long"
  [[ "$SECRET" != *$'\n'* ]] || bad --secret "must be one line"
  [[ "$OPENCLAW_URL" =~ ^wss?://[^[:space:]]+$ ]] || bad --openclaw-url "must be a ws:// or wss:// URL"
  [[ "$STATE_DIR" == /* ]] || bad --state-dir "must be an absolute path"
  [[ "$PREFIX" == /* ]] || bad --prefix "must be an absolute path"
  if [ -n "$OPENCLAW_USER" ]; then
    [[ "$OPENCLAW_USER" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || bad --openclaw-user "is not a user name"
  fi
  if [ -n "$CA_FILE" ] && [ ! -r "$CA_FILE" ]; then bad --ca-file "cannot read $CA_FILE"; fi
  if [ -n "$OPENCLAW_UNIT" ]; then
    [[ "$OPENCLAW_UNIT" =~ ^[A-Za-z0-9@._:-]+$ ]] || bad --openclaw-unit "must be a systemd unit name"
  fi
  if [ -n "$BUNDLE" ] && [ ! -r "$BUNDLE" ]; then bad --bundle "cannot read $BUNDLE"; fi
  if [ -n "$NODE_MODULES" ] && [ ! -d "$NODE_MODULES" ]; then bad --node-modules "no such directory $NODE_MODULES"; fi
  [[ "$NODE_FLAGS" =~ ^[A-Za-z0-9=_.\ -]*$ ]] || bad --node-flags "only node options like --max-old-space-size=32"
}

# A system unit of that name here means openclaw.restart may fall back to it. (OpenClaw's own
# installer makes a user unit, which a system service cannot restart: then there is no fallback.)
detect_openclaw_unit() {
  [ -n "$OPENCLAW_UNIT" ] && return
  local d
  for d in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
    if [ -f "$DESTDIR$d/openclaw-gateway.service" ]; then OPENCLAW_UNIT=openclaw-gateway.service; return; fi
  done
}

detect_openclaw_user() {
  [ -n "$OPENCLAW_USER" ] && return
  local d
  for d in /root/.openclaw /home/*/.openclaw; do
    if [ -d "$d" ]; then OPENCLAW_USER=$(stat -c %U "$d"); return; fi
  done
  OPENCLAW_USER=root
}

openclaw_home() {
  if [ "$OPENCLAW_USER" = root ]; then echo /root; return; fi
  getent passwd "$OPENCLAW_USER" | cut -d: -f6 || echo "/home/$OPENCLAW_USER"
}

render_config() {
  local home=$1 ca="" unit=""
  [ -n "$OPENCLAW_UNIT" ] && unit=$(printf ',\n  "openclawUnit": "%s"' "$(json_escape "$OPENCLAW_UNIT")")
  [ -n "$CA_FILE" ] && ca=$(printf ',\n  "caFile": "%s"' "$(json_escape "$CONF_DIR/ca.pem")")
  cat <<EOF
{
  "hub": "$(json_escape "$HUB")",
  "instanceId": "$(json_escape "$INSTANCE")",
  "secret": "$(json_escape "$SECRET")",
  "hubKey": "$(json_escape "$HUB_KEY")",
  "stateDir": "$(json_escape "$STATE_DIR")",
  "openclawUrl": "$(json_escape "$OPENCLAW_URL")",
  "openclawConfig": "$(json_escape "$home/.openclaw/openclaw.json")",
  "openclawLogDir": "/tmp/openclaw"$unit$ca
}
EOF
}

render_unit() {
  local home=$1 group=$2
  cat <<EOF
# Deep Signal sidecar: telemetry and signed commands for the OpenClaw gateway on this machine.
[Unit]
Description=Deep Signal sidecar
Documentation=https://github.com/deepsignal
After=network-online.target
Wants=network-online.target
StartLimitIntervalSec=0

[Service]
Type=simple
User=$SVC_USER
Group=$SVC_USER
SupplementaryGroups=$group
ExecStart=/usr/bin/env node $NODE_FLAGS $PREFIX/deepsignal-sidecar.mjs --config $CONF_DIR/sidecar.json
Restart=always
RestartSec=5
TimeoutStopSec=20
Environment=NODE_ENV=production
Environment=HOME=$STATE_DIR
StateDirectory=$(basename "$STATE_DIR")
StateDirectoryMode=0700
UMask=0077
# Hardening that still lets it read OpenClaw's logs (/tmp/openclaw) and manage its state: the home
# is read-only except OpenClaw's state directory, which backup.restore swaps in place (it unpacks
# into $home/.openclaw/.restore-<id> and keeps the old files in $home/.openclaw/.pre-restore-<t>);
# /tmp is the real one. A sidecar.update installs the new bundle into $STATE_DIR/bundle (PREFIX stays
# read-only): the bundle named in ExecStart hands over to it, and back when it does not get online.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths=$STATE_DIR
ReadWritePaths=-$home/.openclaw
PrivateTmp=no
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native
CapabilityBoundingSet=
AmbientCapabilities=
MemoryMax=256M
TasksMax=64

[Install]
WantedBy=multi-user.target
EOF
}

write_file() { # path mode content
  local path=$1 mode=$2 content=$3
  if [ "$DRY_RUN" = 1 ]; then echo "would write $path (mode $mode)"; return; fi
  mkdir -p "$(dirname "$path")"
  local tmp
  tmp=$(mktemp "$(dirname "$path")/.ds-XXXXXX")
  printf '%s\n' "$content" > "$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
}

install_program() {
  local dest=$DESTDIR$PREFIX bundle=$BUNDLE work modules
  if [ "$DRY_RUN" = 1 ]; then
    if [ -n "$bundle" ]; then echo "would copy $bundle to $dest/deepsignal-sidecar.mjs"
    else echo "would build $SOURCE/sidecar into $dest/deepsignal-sidecar.mjs (node sidecar/scripts/build.mjs)"; fi
    echo "would copy the optional runtime modules (systeminformation, @lydell/node-pty) to $dest/node_modules"
    return
  fi
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the path is local
  trap "rm -rf '$work'" EXIT
  if [ -z "$bundle" ]; then
    [ -f "$SOURCE/sidecar/scripts/build.mjs" ] || die "no sidecar checkout at $SOURCE to build from (use --bundle FILE or --source DIR)"
    command -v node >/dev/null 2>&1 || die "node (>= 20) is required to build the bundle (or use --bundle FILE)"
    node "$SOURCE/sidecar/scripts/build.mjs" --outfile "$work/deepsignal-sidecar.mjs" >/dev/null ||
      die "building the sidecar bundle failed (is the checkout's npm install done?)"
    bundle=$work/deepsignal-sidecar.mjs
  fi
  modules=$NODE_MODULES
  if [ -z "$modules" ] && [ -n "$BUNDLE" ] && [ -d "$(dirname "$BUNDLE")/node_modules" ]; then modules=$(dirname "$BUNDLE")/node_modules; fi
  [ -n "$modules" ] || modules=$SOURCE/node_modules
  mkdir -p "$dest"
  # an older install shipped the source tree and tsx: remove it
  rm -rf "$dest/protocol" "$dest/sidecar" "$dest/package.json" "$dest/package-lock.json" "$dest/node_modules"
  cp -f "$bundle" "$dest/.deepsignal-sidecar.mjs.tmp"
  chmod 644 "$dest/.deepsignal-sidecar.mjs.tmp"
  mv -f "$dest/.deepsignal-sidecar.mjs.tmp" "$dest/deepsignal-sidecar.mjs"
  copy_module "$modules" systeminformation "$dest" "only needed where /proc is missing" || true
  if copy_module "$modules" @lydell/node-pty "$dest" "remote console sessions will fail"; then
    local p found=0
    for p in "$modules"/@lydell/node-pty-*; do
      [ -d "$p" ] || continue
      cp -R "$p" "$dest/node_modules/@lydell/"
      found=1
    done
    [ "$found" = 1 ] || echo "$PROG: note: no @lydell/node-pty platform package in $modules; remote console sessions will fail"
  fi
}

copy_module() { # from name dest why
  local from=$1 name=$2 dest=$3 why=$4
  if [ ! -d "$from/$name" ]; then
    echo "$PROG: note: optional module $name not found in $from ($why)"
    return 1
  fi
  mkdir -p "$dest/node_modules/$(dirname "$name")"
  cp -R "$from/$name" "$dest/node_modules/$name"
}

do_install() {
  validate
  detect_openclaw_user
  detect_openclaw_unit
  local home group
  home=$(openclaw_home)
  group=$(id -gn "$OPENCLAW_USER" 2>/dev/null || echo "$OPENCLAW_USER")
  command -v node >/dev/null 2>&1 || [ -n "$DESTDIR" ] || [ "$DRY_RUN" = 1 ] || die "node (>= 20) is required"
  if ! id "$SVC_USER" >/dev/null 2>&1; then
    run useradd --system --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin "$SVC_USER"
  fi
  install_program
  write_file "$DESTDIR$CONF_DIR/sidecar.json" 600 "$(render_config "$home")"
  if [ -n "$CA_FILE" ]; then write_file "$DESTDIR$CONF_DIR/ca.pem" 644 "$(cat "$CA_FILE")"; fi
  run chown -R "$SVC_USER:$SVC_USER" "$CONF_DIR"
  run chmod 700 "$CONF_DIR"
  run install -d -m 0700 -o "$SVC_USER" -g "$SVC_USER" "$STATE_DIR"
  # A self-updated bundle left in the state dir would take over from the one installed now.
  run rm -rf "$STATE_DIR/bundle"
  write_file "$DESTDIR$UNIT_DIR/$UNIT" 644 "$(render_unit "$home" "$group")"
  run systemctl daemon-reload
  run systemctl enable "$UNIT"
  run systemctl restart "$UNIT"
  echo "$PROG: installed $UNIT for instance $INSTANCE (OpenClaw user $OPENCLAW_USER, restart fallback unit ${OPENCLAW_UNIT:-none})"
}

do_uninstall() {
  run systemctl disable --now "$UNIT" || true
  if [ "$DRY_RUN" = 1 ]; then
    echo "would remove $DESTDIR$UNIT_DIR/$UNIT $DESTDIR$CONF_DIR $DESTDIR$PREFIX"
  else
    rm -f "$DESTDIR$UNIT_DIR/$UNIT"
    rm -rf "$DESTDIR$CONF_DIR" "$DESTDIR$PREFIX"
  fi
  run systemctl daemon-reload
  if [ "$PURGE" = 1 ]; then
    if [ "$DRY_RUN" = 1 ]; then echo "would remove $DESTDIR$STATE_DIR"; else rm -rf "$DESTDIR$STATE_DIR"; fi
    if id "$SVC_USER" >/dev/null 2>&1; then run userdel "$SVC_USER"; fi
  fi
  echo "$PROG: uninstalled $UNIT"
}

if [ -z "$DESTDIR" ] && [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
  # argument errors first, so --help-style mistakes are reported the same way for everyone
  [ "$ACTION" = install ] && validate
  die "must run as root (or use --dry-run / --destdir)"
fi

case "$ACTION" in
  install) do_install ;;
  uninstall) do_uninstall ;;
esac
