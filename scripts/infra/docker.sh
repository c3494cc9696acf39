#!/usr/bin/env bash
# A running Docker engine for the image and compose tests: installs Debian's docker.io (and
# docker-compose) when missing and starts dockerd in the background when it does not answer. Needs root.
#
#   scripts/infra/docker.sh
set -euo pipefail

log() { printf '[docker] %s\n' "$*" >&2; }

if ! command -v dockerd >/dev/null; then
  log "installing docker.io (apt-get) ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >&2
fi
# deploy/compose's CLI: the v2 plugin when the engine has one, else Debian's docker-compose (v1).
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  log "installing docker-compose (apt-get) ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >&2
fi
if docker info >/dev/null 2>&1; then exit 0; fi
log "starting dockerd ..."
nohup dockerd >/tmp/necp-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine ready"
    exit 0
  fi
  sleep 1
done
log "error: dockerd did not answer in 60 s; its log: /tmp/necp-dockerd.log"
tail -20 /tmp/necp-dockerd.log >&2
exit 1
