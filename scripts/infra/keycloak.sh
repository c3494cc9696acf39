#!/usr/bin/env bash
# A throwaway Keycloak (dev mode) for the compatibility test of services/auth/test/real/keycloak.test.ts.
#
#   scripts/infra/keycloak.sh up <realm.json> <port> <state-dir>   start it with the realm imported; prints
#                                                                     KEYCLOAK_URL and KEYCLOAK_PID exports
#   scripts/infra/keycloak.sh down <state-dir>                       stop the one started there
#
# The distribution comes from Maven Central (org.keycloak:keycloak-quarkus-dist:<ver>:zip) through
# Maven's local repository and is unzipped once into ~/.cache/necp-infra/keycloak-<ver>. The H2
# database lives in the state dir; the realm file is placed in the distribution's data/import (the
# only place --import-realm reads) for the start and removed once the realm is served.
set -euo pipefail

KEYCLOAK_VERSION=${NECP_KEYCLOAK_VERSION:-26.7.3}
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/necp-infra
DIST=$CACHE_DIR/keycloak-$KEYCLOAK_VERSION
JAVA_HOME=${NECP_KEYCLOAK_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
READY_TIMEOUT=${NECP_KEYCLOAK_READY_TIMEOUT:-170}

log() { printf '[keycloak] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

fetch() {
  [ -x "$DIST/bin/kc.sh" ] && return 0
  command -v mvn >/dev/null || die "mvn is needed to fetch Keycloak from Maven Central"
  [ -x "$JAVA_HOME/bin/java" ] || die "Keycloak needs Java 21+; none at $JAVA_HOME (set NECP_KEYCLOAK_JAVA_HOME)"
  local tmp
  tmp=$(mktemp -d)
  log "fetching org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip"
  mvn -q dependency:copy "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" \
    "-DoutputDirectory=$tmp" >&2 || die "Maven could not fetch Keycloak $KEYCLOAK_VERSION"
  mkdir -p "$CACHE_DIR"
  (cd "$tmp" && unzip -q "keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip")
  rm -rf "$DIST"
  mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$DIST"
  rm -rf "$tmp"
}

up() {
  local realm=$1 port=$2 state=$3
  fetch
  mkdir -p "$state" "$DIST/data/import"
  local imported="$DIST/data/import/necp-test-$$.json"
  cp "$realm" "$imported"
  export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
  export JAVA_OPTS_KC_HEAP=${JAVA_OPTS_KC_HEAP:--Xms64m -Xmx512m}
  export KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=${KC_BOOTSTRAP_ADMIN_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}
  log "starting Keycloak $KEYCLOAK_VERSION on 127.0.0.1:$port"
  # The realm comes from the state dir, and the H2 files go there too: the cached distribution stays clean.
  setsid "$DIST/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$port" --import-realm \
    --db=dev-file "--db-url=jdbc:h2:file:$state/h2/keycloakdb;NON_KEYWORDS=VALUE" \
    --health-enabled=false \
    >"$state/keycloak.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$state/pid"
  local deadline=$((SECONDS + READY_TIMEOUT)) realm_name
  realm_name=$(sed -n 's/.*"realm" *: *"\([^"]*\)".*/\1/p' "$realm" | head -1)
  until curl -fsS "http://127.0.0.1:$port/realms/$realm_name/.well-known/openid-configuration" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$state/keycloak.log" >&2
      rm -f "$imported"
      die "Keycloak exited during start"
    fi
    if ((SECONDS > deadline)); then
      tail -n 30 "$state/keycloak.log" >&2
      down "$state"
      rm -f "$imported"
      die "Keycloak did not serve realm $realm_name within ${READY_TIMEOUT}s"
    fi
    sleep 1
  done
  rm -f "$imported"
  log "ready"
  printf 'export KEYCLOAK_URL=%q\nexport KEYCLOAK_PID=%q\n' "http://127.0.0.1:$port" "$pid"
}

down() {
  local state=$1 pid
  pid=$(cat "$state/pid" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  # kc.sh execs java under its own session (setsid): signal that process group only.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$state/pid"
}

case ${1:-} in
  fetch) fetch && echo "$DIST" ;;
  up) up "$2" "$3" "$4" ;;
  down) down "$2" ;;
  *) die "usage: keycloak.sh fetch | up <realm.json> <port> <state-dir> | down <state-dir>" ;;
esac
