#!/usr/bin/env bash
# Idempotent: make sure an image registry (Debian's docker-registry, the distribution server) answers on
# 127.0.0.1 only, as the stand-in for Docker Hub in the image-pull tests. The engine trusts 127.0.0.0/8
# registries over plain HTTP, so no certificate is needed.
set -euo pipefail

PORT="${REPOFORGE_REGISTRY_PORT:-5000}"
DIR="${REPOFORGE_REGISTRY_DIR:-/var/lib/repoforge-registry}"
say() { echo "[setup-registry] $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

answers() { curl -fsS "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1; }

if answers; then
  say "registry already answers on 127.0.0.1:$PORT"
  exit 0
fi
if ! command -v docker-registry >/dev/null 2>&1; then
  say "installing docker-registry from apt"
  as_root apt-get update -qq
  # --no-install-recommends: the package alone; its service is not wanted (we start our own, loopback only).
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends docker-registry curl >/dev/null
  as_root systemctl disable --now docker-registry >/dev/null 2>&1 || true
  as_root pkill -x docker-registry >/dev/null 2>&1 || true
fi
as_root mkdir -p "$DIR/data"
as_root tee "$DIR/config.yml" >/dev/null <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
YML
say "starting docker-registry on 127.0.0.1:$PORT (data in $DIR)"
as_root setsid nohup docker-registry serve "$DIR/config.yml" >"$DIR/registry.log" 2>&1 </dev/null &
for _ in $(seq 1 50); do answers && break; sleep 0.2; done
answers || { say "the registry did not answer" >&2; tail -n 20 "$DIR/registry.log" >&2 || true; exit 1; }
say "ok"
