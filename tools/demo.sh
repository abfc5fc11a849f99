#!/usr/bin/env bash
# The README's first command (`npm run demo`): on a fresh machine, installs and builds what is missing, makes
# sure a Docker engine and the base image exist, then runs `repoforge demo` (the whole pipeline end to end).
# Where Docker cannot be set up (no root, no apt, nested without privileges) the demo runs on the local
# backend instead, and says so. REPOFORGE_BACKEND=local (the CLI reads it as --backend) skips Docker entirely.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install
[ -f apps/cli/dist/bin.js ] || NX_DAEMON=false npx nx run-many -t build --output-style=static
if [ "${REPOFORGE_BACKEND:-auto}" = local ]; then
  bash tools/setup-local.sh
elif ! bash tools/setup-docker.sh; then
  echo "[demo] Docker could not be set up here: the demo will use the local backend (bubblewrap)" >&2
  bash tools/setup-local.sh || echo "[demo] warning: the local backend's prerequisites could not be installed" >&2
fi
exec node apps/cli/dist/bin.js demo "$@"
