#!/usr/bin/env bash
# Idempotent: make sure a Docker engine answers and the base image repoforge/base:bookworm exists.
# Works on a bare Debian machine without any image registry: the base image is built with debootstrap
# from Debian's apt mirror and `docker import`ed. Never creates a bridge network (dockerd --bridge=none).
set -euo pipefail

BASE_IMAGE="${REPOFORGE_BASE_IMAGE:-repoforge/base:bookworm}"
SUITE="${REPOFORGE_BASE_SUITE:-bookworm}"
SOCK="${DOCKER_SOCK:-/var/run/docker.sock}"
LOG="${DOCKERD_LOG:-/var/log/repoforge-dockerd.log}"

say() { echo "[setup-docker] $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

engine_ok() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# bubblewrap: the local sandbox backend's isolation (private network/pid namespaces, read-only system).
if ! command -v bwrap >/dev/null 2>&1; then
  say "installing bubblewrap from apt (local sandbox backend)"
  apt_install bubblewrap
fi

if engine_ok; then
  say "engine already answers (server $(docker version --format '{{.Server.Version}}'))"
else
  if ! command -v dockerd >/dev/null 2>&1; then
    say "installing docker.io from apt"
    apt_install docker.io
  fi
  say "starting dockerd --bridge=none --iptables=false (log: $LOG)"
  # setsid + nohup: the daemon must outlive this script and the shell that ran it.
  as_root setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false >"$LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 120); do
    if [ -S "$SOCK" ] && engine_ok; then break; fi
    sleep 0.5
  done
  if ! engine_ok; then
    say "dockerd did not answer within 60 s; last log lines:" >&2
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  say "engine up (server $(docker version --format '{{.Server.Version}}'))"
fi

# A Debian base image: debootstrap --variant=minbase SUITE, docker import. Idempotent.
ensure_base() {
  if docker image inspect "$1" >/dev/null 2>&1; then
    say "base image $1 present"
  else
    command -v debootstrap >/dev/null 2>&1 || { say "installing debootstrap from apt"; apt_install debootstrap; }
    ROOTFS="$(mktemp -d /tmp/repoforge-rootfs.XXXXXX)"
    trap 'as_root rm -rf "$ROOTFS"' EXIT
    say "debootstrap --variant=minbase $2 into $ROOTFS"
    as_root debootstrap --variant=minbase "$2" "$ROOTFS" >/tmp/repoforge-debootstrap.log 2>&1 || {
      tail -n 30 /tmp/repoforge-debootstrap.log >&2; exit 1; }
    # Slim: no apt lists, no docs, no translations, no caches in the base layer.
    as_root rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/* "$ROOTFS"/usr/share/doc/* \
      "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/usr/share/locale/* || true
    say "docker import -> $1"
    as_root tar -C "$ROOTFS" -c . | docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' - "$1" >/dev/null
    say "base image $1 built ($(docker image inspect -f '{{.Size}}' "$1") bytes)"
    as_root rm -rf "$ROOTFS"
    trap - EXIT
  fi
}

ensure_base "$BASE_IMAGE" "$SUITE"
# bullseye's Python 3.9 serves the versions of SWE-bench repos that Python 3.11 breaks (the Debian recipes).
ensure_base "${REPOFORGE_OLD_BASE_IMAGE:-repoforge/base:bullseye}" bullseye

# The sandbox must never put traffic on a bridge: refuse to go on if one exists.
if docker network ls --format '{{.Driver}}' | grep -qx bridge; then
  say "WARNING: a bridge network exists; RepoForge never uses it (containers run with NetworkMode none/host)" >&2
fi
say "ok"
