#!/usr/bin/env bash
# Idempotent: Debian's Chromium for the HTML report's browser test (driven by playwright-core).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then echo "[setup-chromium] chromium present"; exit 0; fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "[setup-chromium] installing chromium from apt"
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
echo "[setup-chromium] ok"
