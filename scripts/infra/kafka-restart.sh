#!/usr/bin/env bash
# Stops and starts the Kafka broker that `scripts/infra.sh up` started, keeping its data directory,
# so tests can prove that nothing is lost across a broker outage.
#
#   scripts/infra/kafka-restart.sh stop           stop the broker (SIGTERM: controlled shutdown)
#   scripts/infra/kafka-restart.sh start          start it again with the very same command line
#   scripts/infra/kafka-restart.sh restart [secs] stop, stay down for secs (default 0), start
#
# The command line is taken from the running process at `stop` and kept beside the state file, so
# the restarted broker is byte-for-byte the one infra.sh configured. The new pid is written into the
# state file (under infra.sh's lock) so that `scripts/infra.sh down` still stops it.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd -P)
STATE_FILE=${NECP_INFRA_STATE:-$REPO_ROOT/.infra/state.env}
CMDLINE_FILE=$STATE_FILE.kafka-cmdline
READY_TIMEOUT=${NECP_KAFKA_READY_TIMEOUT:-90}

log() { printf '[kafka-restart] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

[ -f "$STATE_FILE" ] || die "no $STATE_FILE: run scripts/infra.sh up first"
# shellcheck disable=SC1090 # written by scripts/infra.sh
source "$STATE_FILE"
[ -n "${KAFKA_PORT:-}" ] && [ -n "${INFRA_TMP:-}" ] || die "the infra runs without Kafka"
PROPERTIES=$INFRA_TMP/kafka/server.properties

# The same pid-reuse guard as infra.sh: only ever signal a process whose command line names our broker.
broker_pid_alive() {
  local pid=${1:-} cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null </proc/"$pid"/cmdline) || return 1
  [[ -n $cmd && $cmd == *"$PROPERTIES"* ]]
}

# Rewrites KAFKA_PID in the state file atomically, holding the lock infra.sh takes for up/down.
record_pid() {
  local pid=$1 tmp
  exec 9>"$STATE_FILE.lock"
  flock -w 60 9 || die "could not lock $STATE_FILE.lock"
  tmp=$(mktemp "$STATE_FILE.XXXXXX")
  sed "s/^KAFKA_PID=.*/KAFKA_PID=$pid/" "$STATE_FILE" >"$tmp"
  mv -f "$tmp" "$STATE_FILE"
  exec 9>&-
}

cmd_stop() {
  if ! broker_pid_alive "${KAFKA_PID:-}"; then
    log "broker not running (pid ${KAFKA_PID:-?})"
    [ -s "$CMDLINE_FILE" ] || die "and no saved command line to start it again"
    return 0
  fi
  cp "/proc/$KAFKA_PID/cmdline" "$CMDLINE_FILE"
  log "stopping broker pid $KAFKA_PID ..."
  kill -TERM "$KAFKA_PID"
  local deadline=$((SECONDS + 30))
  while broker_pid_alive "$KAFKA_PID"; do
    if ((SECONDS >= deadline)); then
      log "still running after 30s: SIGKILL"
      kill -KILL "$KAFKA_PID" 2>/dev/null || true
    fi
    sleep 0.1
  done
  log "stopped"
}

cmd_start() {
  if broker_pid_alive "${KAFKA_PID:-}"; then
    log "already running (pid $KAFKA_PID)"
    return 0
  fi
  [ -s "$CMDLINE_FILE" ] || die "no saved command line ($CMDLINE_FILE): stop it with this script first"
  local -a argv
  mapfile -d '' -t argv <"$CMDLINE_FILE"
  log "starting broker on 127.0.0.1:$KAFKA_PORT ..."
  nohup "${argv[@]}" >>"$INFRA_TMP/kafka/logs/kafka.out" 2>&1 </dev/null 3>&- 9>&- &
  local pid=$!
  record_pid "$pid"
  local deadline=$((SECONDS + READY_TIMEOUT))
  until (: </dev/tcp/127.0.0.1/"$KAFKA_PORT") 2>/dev/null; do
    broker_pid_alive "$pid" || die "broker exited during start (see $INFRA_TMP/kafka/logs)"
    ((SECONDS < deadline)) || die "broker did not open its port within ${READY_TIMEOUT}s"
    sleep 0.2
  done
  log "listening again (pid $pid)"
}

case ${1:-} in
  stop) cmd_stop ;;
  start) cmd_start ;;
  restart)
    cmd_stop
    sleep "${2:-0}"
    # reload: cmd_stop does not change the state, but a concurrent `up` might have
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    cmd_start
    ;;
  *)
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
