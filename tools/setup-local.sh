#!/usr/bin/env bash
# Idempotent: what the local sandbox backend needs on a machine without Docker — bubblewrap for isolation,
# git and patch for checkouts, and the Debian python3 + pytest the demo's Python repo tests with (local
# environments use the host's system packages; Node comes from the npm registry), plus tmux, the real terminal
# the CLI's progress-bar test draws in, and build-essential for native npm addons built in local environments.
set -euo pipefail
say() { echo "[setup-local] $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

PKGS=(bubblewrap git patch python3 python3-pytest python3-pip python3-venv build-essential ca-certificates tmux)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "already installed: ${PKGS[*]}"
else
  say "installing ${missing[*]} from apt"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if bwrap --unshare-net --ro-bind / / --dev /dev /bin/true 2>/dev/null; then
  say "bubblewrap works"
else
  say "WARNING: bubblewrap cannot make namespaces here (user namespaces disabled?): local sandboxes get no isolation"
fi
