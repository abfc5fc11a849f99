#!/usr/bin/env bash
# Idempotent: make sure a Redis server answers on 127.0.0.1 (loopback only) for BullMQ tests and workers.
set -euo pipefail

PORT="${REPOFORGE_REDIS_PORT:-6379}"
say() { echo "[setup-redis] $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ping_ok() { redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; }

if command -v redis-cli >/dev/null 2>&1 && ping_ok; then
  say "redis already answers on 127.0.0.1:$PORT"
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  say "installing redis-server from apt"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
fi
DIR="${REPOFORGE_REDIS_DIR:-/var/lib/repoforge-redis}"
as_root mkdir -p "$DIR"
say "starting redis-server on 127.0.0.1:$PORT (data in $DIR)"
# Loopback only, no persistence needed for queues in tests; daemonized so it outlives this script.
as_root redis-server --bind 127.0.0.1 --port "$PORT" --protected-mode yes --daemonize yes \
  --dir "$DIR" --save '' --appendonly no --logfile "$DIR/redis.log"
for _ in $(seq 1 50); do ping_ok && break; sleep 0.2; done
ping_ok || { say "redis did not answer" >&2; tail -n 20 "$DIR/redis.log" >&2 || true; exit 1; }
say "ok"
