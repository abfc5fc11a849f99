#!/usr/bin/env bash
# The README's first command (`npm run demo`): on a fresh machine, installs and builds what is missing, makes
# sure a Docker engine and the base image exist, then runs `repoforge demo` (the whole pipeline end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install
[ -f apps/cli/dist/bin.js ] || NX_DAEMON=false npx nx run-many -t build --output-style=static
bash tools/setup-docker.sh
exec node apps/cli/dist/bin.js demo "$@"
