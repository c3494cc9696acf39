#!/usr/bin/env bash
# A local stand-in for the public base image of deploy/docker/Dockerfile (node:<version>-bookworm-slim),
# because no image registry can be reached from this machine: a Debian bookworm rootfs made by
# debootstrap, with the project's pinned Node.js binary (node_modules/.bin/node) and npm, and the `node`
# user (uid 1000) the official image has, imported into the local Docker engine under the official name.
# Built only when the image is missing; the rootfs is cached outside the checkout.
#
#   scripts/infra/node-base-image.sh        prints the image name on stdout
#
# Needs root, debootstrap and a running Docker engine (scripts/infra/docker.sh).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
NODE_BIN=$REPO_ROOT/node_modules/node/bin/node
[ -x "$NODE_BIN" ] || { echo "[base-image] run npm ci first (the pinned Node.js is the node package)" >&2; exit 1; }
NODE_VERSION=$("$NODE_BIN" --version | sed 's/^v//')
IMAGE=node:$NODE_VERSION-bookworm-slim
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/necp-infra/rootfs
MIRROR=${NECP_DEBIAN_MIRROR:-http://deb.debian.org/debian}

log() { printf '[base-image] %s\n' "$*" >&2; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE"
  exit 0
fi
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
ROOTFS=$CACHE/bookworm-minbase
if [ ! -f "$ROOTFS/.complete" ]; then
  log "debootstrap bookworm (minbase) into $ROOTFS ..."
  rm -rf "$ROOTFS"
  mkdir -p "$CACHE"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >&2
  touch "$ROOTFS/.complete"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
log "adding Node.js $NODE_VERSION and npm ..."
cp -a "$ROOTFS/." "$WORK/"
rm -f "$WORK/.complete"
install -m 0755 "$NODE_BIN" "$WORK/usr/local/bin/node"
mkdir -p "$WORK/usr/local/lib/node_modules"
cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$WORK/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$WORK/usr/local/bin/npm"
# This machine reaches the registries through a TLS-inspecting egress: its CA bundle goes into the
# stand-in (the public image trusts the public CAs, which is all a user's network needs).
mkdir -p "$WORK/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$WORK/etc/ssl/certs/ca-certificates.crt"
chroot "$WORK" /usr/sbin/groupadd --gid 1000 node
chroot "$WORK" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
tar -C "$WORK" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV npm_config_cafile=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' - "$IMAGE" >&2
log "imported $IMAGE"
echo "$IMAGE"
