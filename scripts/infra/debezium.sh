#!/usr/bin/env bash
# Kafka Connect 4 and the Debezium PostgreSQL connector, for the test of the Debezium outbox path
# (apps/all-in-one/test/real/debezium-outbox.test.ts) and for trying deploy/debezium/ by hand.
#
#   scripts/infra/debezium.sh fetch   resolve the jars (once; cached), print
#                                     CONNECT_CLASSPATH_FILE, DEBEZIUM_PLUGIN_PATH and CONNECT_LOG4J exports
#
# Both come from Maven Central through Maven (~/.m2 keeps the jars): the worker's classpath
# (debezium/connect-pom.xml, Kafka Connect 4.3.1) is cached as a file, and the connector
# (debezium/plugin-pom.xml, debezium-connector-postgres 3.7.1.Final) is copied with its runtime
# dependencies into a plugin directory, which the worker loads from `plugin.path` in a class loader of
# its own, as a user installs the connector's archive. Both caches are keyed by their pom's hash.
# Run the worker with
#   java -Dlog4j2.configurationFile=$CONNECT_LOG4J -Dnecp.connect.log=<file> -cp "$(<"$CONNECT_CLASSPATH_FILE")" \
#     org.apache.kafka.connect.cli.ConnectStandalone <worker.properties>
# with `plugin.path=$DEBEZIUM_PLUGIN_PATH` in the worker properties.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CONNECT_POM=$HERE/debezium/connect-pom.xml
PLUGIN_POM=$HERE/debezium/plugin-pom.xml
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/necp-infra

log() { printf '[debezium] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# The worker's classpath, resolved once per connect-pom.xml; resolved again if a jar it names is gone.
connect_classpath() {
  local key file tmp j jars=()
  key=$(sha256sum "$CONNECT_POM" | cut -c1-16)
  file=$CACHE_DIR/connect-$key.classpath
  if [ -s "$file" ]; then
    IFS=: read -r -a jars <"$file" || true # (no trailing newline: read "fails" but fills jars)
    for j in "${jars[@]}"; do [ -f "$j" ] || rm -f "$file"; done
  fi
  if [ ! -s "$file" ]; then
    tmp=$(mktemp "$file.XXXXXX")
    log "resolving Kafka Connect with Maven (once; log: $CACHE_DIR/connect-mvn.log) ..."
    if ! mvn -B -q -f "$CONNECT_POM" dependency:build-classpath -Dmdep.outputFile="$tmp" \
      >"$CACHE_DIR/connect-mvn.log" 2>&1 </dev/null || [ ! -s "$tmp" ]; then
      rm -f "$tmp"
      tail -n 40 "$CACHE_DIR/connect-mvn.log" >&2
      die "Maven could not resolve Kafka Connect ($CONNECT_POM)"
    fi
    mv -f "$tmp" "$file"
  fi
  CONNECT_CLASSPATH_FILE=$file
}

# The connector's plugin directory, copied once per plugin-pom.xml. The Kafka and SLF4J jars the
# connector depends on are the worker's (Connect loads those classes from the worker, never a plugin).
debezium_plugin() {
  local key dir tmp
  key=$(sha256sum "$PLUGIN_POM" | cut -c1-16)
  dir=$CACHE_DIR/debezium-plugins-$key
  if [ ! -f "$dir/.complete" ]; then
    tmp=$(mktemp -d "$CACHE_DIR/debezium-plugins.XXXXXX")
    log "fetching the Debezium PostgreSQL connector with Maven (once; log: $CACHE_DIR/debezium-mvn.log) ..."
    if ! mvn -B -q -f "$PLUGIN_POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DexcludeGroupIds=org.apache.kafka,org.slf4j -DoutputDirectory="$tmp/debezium-connector-postgres" \
      >"$CACHE_DIR/debezium-mvn.log" 2>&1 </dev/null; then
      rm -rf "$tmp"
      tail -n 40 "$CACHE_DIR/debezium-mvn.log" >&2
      die "Maven could not fetch the Debezium connector ($PLUGIN_POM)"
    fi
    touch "$tmp/.complete"
    rm -rf "$dir"
    mv "$tmp" "$dir"
  fi
  DEBEZIUM_PLUGIN_PATH=$dir
}

fetch() {
  command -v mvn >/dev/null || die "mvn is needed to fetch Kafka Connect and Debezium from Maven Central"
  command -v java >/dev/null || die "java (17+) is needed to run Kafka Connect"
  mkdir -p "$CACHE_DIR"
  connect_classpath
  debezium_plugin
  printf 'export CONNECT_CLASSPATH_FILE=%q\nexport DEBEZIUM_PLUGIN_PATH=%q\nexport CONNECT_LOG4J=%q\n' \
    "$CONNECT_CLASSPATH_FILE" "$DEBEZIUM_PLUGIN_PATH" "$HERE/debezium/log4j2.xml"
}

case ${1:-} in
  fetch) fetch ;;
  *) die "usage: debezium.sh fetch" ;;
esac
