#!/usr/bin/env bash
# Prometheus and promtool for the alert-rule checks and the scrape test (test/deploy/prometheus.test.ts):
# Debian's `prometheus` package, installed when missing (needs root). The package enables a system
# service on 9090; it is stopped and disabled here, since the tests start their own instance on a
# free port with a data dir of their own. Prints `PROMETHEUS=` and `PROMTOOL=` lines (eval them).
#
#   scripts/infra/prometheus.sh
set -euo pipefail

log() { printf '[prometheus] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  [ "$(id -u)" -eq 0 ] || die "missing: prometheus — apt-get install prometheus (or run this as root)"
  log "installing Debian's prometheus package (apt-get) ..."
  # Recommends would add node-exporter, another system service this project does not use.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >&2 || {
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >&2
  }
  # Where systemd runs, the package started its service on 9090: nothing here needs it.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl disable --now prometheus >&2 || log "warning: could not stop the prometheus system service"
  fi
fi

echo "PROMETHEUS=$(command -v prometheus)"
echo "PROMTOOL=$(command -v promtool)"
