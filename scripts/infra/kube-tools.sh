#!/usr/bin/env bash
# The Kubernetes tooling of the chart checks (there is no cluster here): helm, built from the Go module
# proxy, kubernetes-validate (offline schemas of Kubernetes releases) and checkov (static checks of
# charts and Dockerfiles) from PyPI. Installed on first use into a cache outside the checkout, so clean
# clones (CI) on this machine reuse them; prints `HELM=`, `KUBERNETES_VALIDATE=` and `CHECKOV=` lines
# with their paths on stdout (eval them).
#
#   scripts/infra/kube-tools.sh        install what is missing, print the paths
#
# XDG_CACHE_HOME moves the cache (default ~/.cache/necp-infra/kube-tools).
set -euo pipefail

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/necp-infra/kube-tools
HELM_VERSION=v4.3.2
# The major the chart checks are written for.
VALIDATE_REQUIREMENT='kubernetes-validate>=1.31,<2'
CHECKOV_REQUIREMENT='checkov>=3,<4'

log() { printf '[kube-tools] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

mkdir -p "$CACHE"
HELM=$CACHE/helm-$HELM_VERSION/helm
if [ ! -x "$HELM" ]; then
  command -v go >/dev/null || die "go is needed to build helm (the Go module proxy serves helm.sh/helm/v4)"
  log "building helm $HELM_VERSION from the Go module proxy (a few minutes, once) ..."
  GOBIN=$CACHE/helm-$HELM_VERSION go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
fi

VENV=$CACHE/venv
if [ ! -x "$VENV/bin/kubernetes-validate" ]; then
  log "installing kubernetes-validate from PyPI ..."
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q "$VALIDATE_REQUIREMENT" >&2
fi

if [ ! -x "$VENV/bin/checkov" ]; then
  log "installing checkov from PyPI (a minute or two, once) ..."
  "$VENV/bin/pip" install -q "$CHECKOV_REQUIREMENT" >&2
fi

echo "HELM=$HELM"
echo "KUBERNETES_VALIDATE=$VENV/bin/kubernetes-validate"
echo "CHECKOV=$VENV/bin/checkov"
