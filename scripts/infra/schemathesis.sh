#!/usr/bin/env bash
# Schemathesis (the contract fuzzer of scripts/fuzz.ts) in a virtual environment of its own,
# installed from PyPI on first use; prints the path of its `schemathesis` command on stdout.
#
#   scripts/infra/schemathesis.sh            install when missing (or of another major), print the path
#
# The environment lives in <repo>/.infra/schemathesis (NECP_SCHEMATHESIS_VENV overrides it); a second
# run installs nothing. Python 3.10+ with its venv module is needed: Debian's python3-venv is
# installed with apt-get when the module is missing (as root).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
VENV=${NECP_SCHEMATHESIS_VENV:-$REPO_ROOT/.infra/schemathesis}
# The major the configuration (scripts/fuzz/schemathesis.toml) and the checks' names are written for.
REQUIREMENT='schemathesis>=4,<5'
MAJOR=4

log() { printf '[schemathesis] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

installed_major() {
  "$VENV/bin/schemathesis" --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p'
}

if [ "$(installed_major)" = "$MAJOR" ]; then
  echo "$VENV/bin/schemathesis"
  exit 0
fi

command -v python3 >/dev/null || die "python3 is needed (apt-get install python3 python3-venv)"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  die "schemathesis 4 needs Python 3.10 or later; python3 is $(python3 --version 2>&1)"
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  [ "$(id -u)" -eq 0 ] || die "python3's venv module is missing: apt-get install python3-venv (or run this as root)"
  log "installing python3-venv (apt-get) ..."
  DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >&2
fi

started=$SECONDS
log "installing $REQUIREMENT into $VENV (PyPI) ..."
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
python3 -m venv "$VENV" >&2
"$VENV/bin/pip" install --quiet --disable-pip-version-check "$REQUIREMENT" >&2 ||
  die "pip could not install $REQUIREMENT"
[ "$(installed_major)" = "$MAJOR" ] || die "the installed schemathesis is not major $MAJOR"
log "$("$VENV/bin/schemathesis" --version) installed in $((SECONDS - started)) s"
echo "$VENV/bin/schemathesis"
