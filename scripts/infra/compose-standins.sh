#!/usr/bin/env bash
# Local stand-ins for the third-party images deploy/compose/compose.yaml names (postgres, redis,
# apache/kafka), because no image registry can be reached from this machine: each is built from
# deploy/compose/standins/<name> on a Debian bookworm base imported from the debootstrap rootfs that
# scripts/infra/node-base-image.sh caches, and tagged with the official name, so `docker compose up`
# finds them locally instead of pulling. Kafka's jars are the ones scripts/infra.sh resolves from Maven Central.
# An image is rebuilt only when its stand-in's files (or the jars) change: the hash is the image's label.
# An official image already here (pulled where a registry answers, as CI does) is used as it is.
#
#   scripts/infra/compose-standins.sh      prints NAME=image lines (POSTGRES_IMAGE, REDIS_IMAGE, KAFKA_IMAGE)
#
# Needs root, debootstrap, a running Docker engine (scripts/infra/docker.sh) and, for Kafka, the classpath
# scripts/infra.sh caches (run `scripts/infra.sh up` once).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
STANDINS=$REPO_ROOT/deploy/compose/standins
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/necp-infra
MIRROR=${NECP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_IMAGE=debian:bookworm-slim
# The official names compose.yaml uses (the versions of what Debian bookworm and scripts/infra/kafka ship).
POSTGRES_IMAGE=postgres:15
REDIS_IMAGE=redis:7.0
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$REPO_ROOT/scripts/infra/kafka/pom.xml")
KAFKA_IMAGE=apache/kafka:$KAFKA_VERSION

log() { printf '[standins] %s\n' "$*" >&2; }

debian_base() {
  if docker image inspect "$DEBIAN_IMAGE" >/dev/null 2>&1; then return 0; fi
  local rootfs=$CACHE/rootfs/bookworm-minbase
  if [ ! -f "$rootfs/.complete" ]; then
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
    log "debootstrap bookworm (minbase) into $rootfs ..."
    rm -rf "$rootfs"
    mkdir -p "$(dirname "$rootfs")"
    debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >&2
    touch "$rootfs/.complete"
  fi
  log "importing $DEBIAN_IMAGE ..."
  tar -C "$rootfs" --exclude=./.complete -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >&2
}

# The official image itself is here (pulled, where a registry answers, as CI does): no stand-in for it.
pulled() {
  local label
  label=$(docker image inspect --format '{{index .Config.Labels "necp.standin"}}' "$1" 2>/dev/null) || return 1
  [ -z "$label" ] || [ "$label" = '<no value>' ]
}

# build <stand-in directory> <image>: the directory is the build context.
build() {
  local context=$1 image=$2 hash
  if pulled "$image"; then return 0; fi
  hash=$(cd "$context" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  if [ "$(docker image inspect --format '{{index .Config.Labels "necp.standin"}}' "$image" 2>/dev/null)" = "$hash" ]; then
    return 0
  fi
  log "building $image from $context ..."
  docker build --network host --label "necp.standin=$hash" --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" \
    -t "$image" "$context" >&2
}

docker info >/dev/null 2>&1 || "$REPO_ROOT/scripts/infra/docker.sh"
debian_base
build "$STANDINS/postgres" "$POSTGRES_IMAGE"
build "$STANDINS/redis" "$REDIS_IMAGE"

if ! pulled "$KAFKA_IMAGE"; then
  classpath=$(ls -t "$CACHE"/kafka-*.classpath 2>/dev/null | head -1 || true)
  [ -n "$classpath" ] || { log "no cached Kafka classpath: run scripts/infra.sh up once"; exit 1; }
  kafka_context=$(mktemp -d)
  trap 'rm -rf "$kafka_context"' EXIT
  cp -a "$STANDINS/kafka/." "$kafka_context/"
  mkdir "$kafka_context/jars"
  tr ':' '\n' <"$classpath" | xargs -I{} cp {} "$kafka_context/jars/"
  build "$kafka_context" "$KAFKA_IMAGE"
fi

printf 'POSTGRES_IMAGE=%s\nREDIS_IMAGE=%s\nKAFKA_IMAGE=%s\n' "$POSTGRES_IMAGE" "$REDIS_IMAGE" "$KAFKA_IMAGE"
