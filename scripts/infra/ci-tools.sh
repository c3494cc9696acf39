#!/usr/bin/env bash
# The checkers of the GitOps and CI files (test/deploy/ci-files.test.ts), all offline once installed:
# check-jsonschema from PyPI, which vendors the GitHub workflow schema
# (`--builtin-schema vendor.github-workflows`), zizmor from PyPI (static security audit of workflows,
# run `--offline`), and from the npm registry @kubernetes-models/argo-cd (validators generated from
# Argo CD's Application API types) with `yaml` to read the manifest. Installed on first use into a
# cache outside the checkout; prints `CHECK_JSONSCHEMA=`, `ZIZMOR=` and `NODE_TOOLS=` (a node_modules
# folder) lines on stdout (eval them).
#
#   scripts/infra/ci-tools.sh          install what is missing, print the paths
#
# XDG_CACHE_HOME moves the cache (default ~/.cache/necp-infra/ci-tools).
set -euo pipefail

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/necp-infra/ci-tools
CHECK_JSONSCHEMA_REQUIREMENT='check-jsonschema>=0.33,<1'
ZIZMOR_REQUIREMENT='zizmor>=1.20,<2'
NODE_PACKAGES=('@kubernetes-models/argo-cd@4.0.0' 'yaml@2.9.1')

log() { printf '[ci-tools] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

mkdir -p "$CACHE"
VENV=$CACHE/venv
if [ ! -x "$VENV/bin/check-jsonschema" ] || [ ! -x "$VENV/bin/zizmor" ]; then
  command -v python3 >/dev/null || die "python3 is needed (apt-get install python3 python3-venv)"
  log "installing check-jsonschema and zizmor from PyPI ..."
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q "$CHECK_JSONSCHEMA_REQUIREMENT" "$ZIZMOR_REQUIREMENT" >&2
fi

NODE_PREFIX=$CACHE/node
if [ ! -f "$NODE_PREFIX/.complete" ]; then
  command -v npm >/dev/null || die "npm is needed"
  log "installing ${NODE_PACKAGES[*]} from the npm registry ..."
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  echo '{"private": true, "type": "module"}' >"$NODE_PREFIX/package.json"
  npm install --prefix "$NODE_PREFIX" --ignore-scripts --no-audit --no-fund --loglevel=error "${NODE_PACKAGES[@]}" >&2
  touch "$NODE_PREFIX/.complete"
fi

echo "CHECK_JSONSCHEMA=$VENV/bin/check-jsonschema"
echo "ZIZMOR=$VENV/bin/zizmor"
echo "NODE_TOOLS=$NODE_PREFIX/node_modules"
