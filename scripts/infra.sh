#!/usr/bin/env bash
# Private PostgreSQL, Redis and Apache Kafka 4 for tests and benchmarks, on this machine, without Docker.
#
#   scripts/infra.sh up [--no-kafka]   start them (or reuse the running ones); prints ONLY export lines:
#                                        eval "$(scripts/infra.sh up)"
#   scripts/infra.sh down              stop exactly what `up` started, remove its temp dirs and state
#   scripts/infra.sh status            what runs (exit 0 if up, 1 if not)
#   scripts/infra.sh env               the export lines of the running infra (exit 1 if not up)
#
# Every server listens on 127.0.0.1 only, on free ports picked at start, with its data in one temp dir
# (mktemp -d), so it never collides with a server already running here (a system PostgreSQL on 5432,
# another checkout's infra, ...). Progress goes to stderr; stdout of `up`/`env` carries only the exports.
#
# Environment:
#   NECP_INFRA_STATE          state file (default <repo>/.infra/state.env); one state file = one infra,
#                             so two checkouts (or a CI job beside a developer) can each run their own
#   NECP_PG_FSYNC=on          durable PostgreSQL for benchmarks (fsync, synchronous_commit,
#                             full_page_writes); default off: tests do not need to survive a power cut
#   NECP_KAFKA_HEAP_OPTS      default "-Xms256m -Xmx512m"
#   NECP_KAFKA_READY_TIMEOUT  seconds to wait for Kafka to answer metadata requests (default 90)
#   NECP_KAFKA_LOG_LEVEL      root level of the broker's log file (default INFO)
#   XDG_CACHE_HOME            the resolved Kafka classpath is cached in $XDG_CACHE_HOME/necp-infra
#                             (default ~/.cache/necp-infra); the jars themselves stay in ~/.m2
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd -P)
INFRA_DIR=$SCRIPT_DIR/infra
KAFKA_POM=$INFRA_DIR/kafka/pom.xml
STATE_FILE=${NECP_INFRA_STATE:-$REPO_ROOT/.infra/state.env}
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/necp-infra
KAFKA_READY_TIMEOUT=${NECP_KAFKA_READY_TIMEOUT:-90}
KAFKA_HEAP_OPTS=${NECP_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
# Short-lived Kafka tools (format, readiness check): a JVM tuned to start fast, not to run long.
KAFKA_TOOL_JVM_OPTS=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
  "-Dlog4j2.configurationFile=$INFRA_DIR/kafka/tools-log4j2.xml")

# Everything `up` knows about what it started; written to $STATE_FILE as KEY=value (printf %q).
STATE_VARS=(INFRA_TMP PG_BIN PG_USER PG_PORT PG_DATA PG_SOCK PG_PID
  REDIS_PORT REDIS_PID KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_PID KAFKA_CP_FILE)

# ---------------------------------------------------------------------------------------------------
# small helpers

log() { printf '[infra] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
now_ms() {
  local t=${EPOCHREALTIME/[.,]/}
  echo $((t / 1000))
}
since() { # human-readable seconds since a now_ms value
  local d=$(($(now_ms) - $1))
  printf '%d.%ds' $((d / 1000)) $((d % 1000 / 100))
}
# Show the end of a log file on stderr: when a server does not come up, the reason is in there.
show_log() {
  if [ -s "$1" ]; then
    log "--- last lines of $1 ---"
    tail -n "${2:-25}" "$1" >&2 || true
    log "---"
  fi
}

# True if pid is a live (not zombie) process whose command line contains $2. The pattern guards
# against pid reuse: a state file older than a reboot must not make us signal a stranger.
proc_matches() {
  local pid=${1:-} want=$2 cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null </proc/"$pid"/cmdline) || return 1
  [[ -n $cmd && $cmd == *"$want"* ]] # a zombie has an empty command line
}
# Wait until the process is gone; false after $3 seconds.
wait_gone() {
  local pid=$1 want=$2 deadline=$((SECONDS + $3))
  while proc_matches "$pid" "$want"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# A TCP port on 127.0.0.1 is taken if something accepts there, or if ss lists any listener on it
# (e.g. bound to another address: it would still block 0.0.0.0 users). ss may be absent (no iproute2).
port_busy() {
  (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
  if have ss && [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; then return 0; fi
  return 1
}
port_accepts() { (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
# Sets PICKED to a free port. The range stays below Linux's ephemeral range (32768+), so outgoing
# connections of other processes cannot grab it between our check and the server's bind.
PICKED=
pick_free_port() {
  local p i taken=" ${PG_PORT:-} ${REDIS_PORT:-} ${KAFKA_PORT:-} ${KAFKA_CONTROLLER_PORT:-} "
  for ((i = 0; i < 500; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    [[ $taken == *" $p "* ]] && continue
    port_busy "$p" && continue
    PICKED=$p
    return 0
  done
  die "found no free TCP port on 127.0.0.1"
}

# ---------------------------------------------------------------------------------------------------
# state file

clear_state_vars() {
  local v
  for v in "${STATE_VARS[@]}"; do printf -v "$v" '%s' ''; done
}
save_state() {
  local v tmp
  mkdir -p "$(dirname "$STATE_FILE")"
  tmp=$(mktemp "$STATE_FILE.XXXXXX")
  {
    echo "# written by scripts/infra.sh up; removed by scripts/infra.sh down"
    for v in "${STATE_VARS[@]}"; do
      if [ -n "${!v:-}" ]; then printf '%s=%q\n' "$v" "${!v}"; fi
    done
  } >"$tmp"
  mv -f "$tmp" "$STATE_FILE" # atomic: a concurrent reader never sees half a file
}
load_state() {
  clear_state_vars
  [ -f "$STATE_FILE" ] || return 1
  # shellcheck disable=SC1090 # our own file, written by save_state
  source "$STATE_FILE"
}
# Serialize up/down on one state file: parallel test jobs may all call `up` at once.
# fd 9 holds the lock; every server we spawn gets 9>&- so it does not inherit (and keep) the lock.
lock_state() {
  mkdir -p "$(dirname "$STATE_FILE")"
  exec 9>"$STATE_FILE.lock"
  if ! flock -w 600 9; then die "another scripts/infra.sh holds $STATE_FILE.lock for 10 minutes"; fi
}

pg_alive() { [ -n "${PG_DATA:-}" ] && proc_matches "${PG_PID:-}" "$PG_DATA"; }
redis_alive() { [ -n "${REDIS_PORT:-}" ] && proc_matches "${REDIS_PID:-}" ":$REDIS_PORT"; }
kafka_alive() { [ -n "${INFRA_TMP:-}" ] && proc_matches "${KAFKA_PID:-}" "$INFRA_TMP/kafka/server.properties"; }

# Every component the state file records is alive (a component is recorded once its port is set).
recorded_alive() {
  [ -n "${INFRA_TMP:-}" ] && [ -d "$INFRA_TMP" ] || return 1
  if [ -n "${PG_PORT:-}" ] && ! pg_alive; then return 1; fi
  if [ -n "${REDIS_PORT:-}" ] && ! redis_alive; then return 1; fi
  if [ -n "${KAFKA_PORT:-}" ] && ! kafka_alive; then return 1; fi
  return 0
}
# Up = PostgreSQL and Redis (and Kafka when it was asked for) recorded and alive.
fully_up() {
  [ -n "${PG_PORT:-}" ] && [ -n "${REDIS_PORT:-}" ] && recorded_alive
}

print_exports() { # $1=1: include Kafka if it runs
  printf 'export DATABASE_URL=postgres://necp:necp@127.0.0.1:%s/necp\n' "$PG_PORT"
  printf 'export REDIS_URL=redis://127.0.0.1:%s\n' "$REDIS_PORT"
  if [ "${1:-1}" = 1 ] && [ -n "${KAFKA_PORT:-}" ]; then
    printf 'export KAFKA_BROKERS=127.0.0.1:%s\n' "$KAFKA_PORT"
  fi
  printf 'export PGBENCH=%q\n' "$PG_BIN/pgbench"
}

# ---------------------------------------------------------------------------------------------------
# packages (Debian)

APT_UPDATED=0
# Pids of the Debian packages' own services (pid files of their init scripts), to notice if an
# installation started one.
package_service_pids() {
  cat /run/redis/redis-server.pid /run/postgresql/*.pid 2>/dev/null | grep -E '^[0-9]+$' || true
}
apt_install() {
  [ "$(id -u)" -eq 0 ] || die "missing: $* — install them (apt-get install $*) or run this as root"
  have apt-get || die "missing: $* and no apt-get to install them"
  mkdir -p "$CACHE_DIR"
  local apt_log=$CACHE_DIR/apt.log policy=/usr/sbin/policy-rc.d made_policy=0 rc=0 before pid
  log "installing Debian packages: $* (log: $apt_log) ..."
  before=" $(package_service_pids | tr '\n' ' ') "
  # policy-rc.d exit 101 = "do not start services": the packages' postinst would otherwise start a
  # system PostgreSQL on 5432 and a system Redis on 6379 (no systemd here, so via init.d). We run
  # private instances instead. Docker-style images already have such a file; we leave theirs alone.
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from scripts/infra.sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ "$APT_UPDATED" != 1 ]; then
    apt-get update -q >"$apt_log" 2>&1 || rc=$?
    APT_UPDATED=1
  fi
  if [ "$rc" -eq 0 ]; then
    apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >>"$apt_log" 2>&1 || rc=$?
  fi
  if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi
  if [ "$rc" -ne 0 ]; then
    show_log "$apt_log"
    die "apt-get failed to install $*"
  fi
  # Belt and braces: if a service got started anyway (a permissive policy-rc.d), stop the one the
  # installation started, and only that one.
  for pid in $(package_service_pids); do
    if [[ $before != *" $pid "* ]] && kill -0 "$pid" 2>/dev/null; then
      log "stopping service pid $pid that the package installation started"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
}

# Newest /usr/lib/postgresql/<version>/bin that has everything we run.
find_pg_bin() {
  local d best=
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ] &&
      [ -x "$d/pgbench" ]; then
      best=$d
    fi
  done
  [ -n "$best" ] && printf '%s\n' "$best"
}

# Install whatever the servers we are about to start need, in one apt-get run.
ensure_packages() { # $1=1: Kafka wanted
  local pkgs=()
  if [ -z "${PG_PORT:-}" ] && [ -z "$(find_pg_bin)" ]; then pkgs+=(postgresql postgresql-contrib); fi
  if [ -z "${REDIS_PORT:-}" ] && ! { have redis-server && have redis-cli; }; then pkgs+=(redis-server); fi
  if [ "$1" = 1 ] && [ -z "${KAFKA_PORT:-}" ] && ! have java; then pkgs+=(default-jre-headless); fi
  if [ ${#pkgs[@]} -gt 0 ]; then apt_install "${pkgs[@]}"; fi
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL

# PostgreSQL refuses to run as root: run it as `postgres` (the Debian package creates it), else as a
# system user of our own.
pg_os_user() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    id necpinfra >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin necpinfra
    echo necpinfra
  fi
}
# Run a PostgreSQL server program as PG_USER (from /, since root's cwd may be unreadable to it).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$PG_USER" -- "$@")
  else
    "$@"
  fi
}

start_postgres() {
  local t0 dir fsync
  t0=$(now_ms)
  dir=$INFRA_TMP/pg
  fsync=${NECP_PG_FSYNC:-off} # checked in cmd_up
  PG_BIN=$(find_pg_bin) || die "no PostgreSQL binaries in /usr/lib/postgresql/*/bin"
  PG_USER=$(pg_os_user)
  pick_free_port
  PG_PORT=$PICKED
  PG_DATA=$dir/data
  PG_SOCK=$dir/run
  rm -rf "$dir"
  mkdir -p "$dir" "$PG_SOCK"
  printf 'necp\n' >"$dir/pwfile"
  if [ "$(id -u)" -eq 0 ]; then chown -R "$PG_USER:" "$dir"; fi
  save_state # from here on, `down` (or a failed `up`) knows what to clean up
  log "postgres: initdb in $PG_DATA (as $PG_USER, fsync=$fsync) ..."
  # The bootstrap superuser is `necp` itself (password from pwfile). Local socket: trust (for our
  # own setup below); TCP: SCRAM. C locale: a fresh machine may have no locales generated.
  # --no-sync: a throw-away cluster need not be flushed to disk.
  if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U necp --pwfile="$dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 </dev/null 3>&- 9>&-; then
    show_log "$dir/initdb.log"
    die "initdb failed"
  fi
  rm -f "$dir/pwfile"
  cat >>"$PG_DATA/postgresql.conf" <<EOF

# ---- scripts/infra.sh ----
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 200
# Debezium (logical decoding of the outbox) needs logical WAL and replication slots
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
# off = fast tests (a crash loses the cluster, which is thrown away anyway); NECP_PG_FSYNC=on for benchmarks
fsync = $fsync
synchronous_commit = $fsync
full_page_writes = $fsync
EOF
  log "postgres: starting on 127.0.0.1:$PG_PORT ..."
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$dir/postgres.log" -w -t 60 start \
    >"$dir/pg_ctl.log" 2>&1 </dev/null 3>&- 9>&-; then
    show_log "$dir/postgres.log"
    show_log "$dir/pg_ctl.log"
    die "PostgreSQL did not start"
  fi
  PG_PID=$(head -n 1 "$PG_DATA/postmaster.pid")
  save_state
  if ! "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U necp -d postgres \
    -c 'CREATE DATABASE necp' >"$dir/setup.log" 2>&1 </dev/null; then
    show_log "$dir/setup.log"
    die "could not create database necp"
  fi
  # Ready = the URL the tests get works: TCP, password auth, the necp database.
  if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 30 ||
    ! "$PG_BIN/psql" -X -q -At -c 'select 1' "postgres://necp:necp@127.0.0.1:$PG_PORT/necp" \
      >/dev/null 2>>"$dir/setup.log" </dev/null; then
    show_log "$dir/setup.log"
    show_log "$dir/postgres.log"
    die "PostgreSQL does not answer on 127.0.0.1:$PG_PORT"
  fi
  log "postgres: ready on 127.0.0.1:$PG_PORT ($(since "$t0"))"
}

stop_postgres() {
  [ -n "${PG_DATA:-}" ] || return 0
  if [ -f "$PG_DATA/postmaster.pid" ] && [ -n "${PG_BIN:-}" ] && [ -n "${PG_USER:-}" ]; then
    log "postgres: stopping (pid ${PG_PID:-?}) ..."
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 </dev/null 3>&- 9>&- || true
  fi
  # pg_ctl needs the data dir; if that is gone, signal the postmaster we recorded (immediate shutdown).
  if pg_alive; then
    kill -QUIT "$PG_PID" 2>/dev/null || true
    wait_gone "$PG_PID" "$PG_DATA" 10 || kill -KILL "$PG_PID" 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------------------------------------------
# Redis

start_redis() {
  local t0 dir i
  t0=$(now_ms)
  dir=$INFRA_TMP/redis
  if ! have redis-server || ! have redis-cli; then die "redis-server / redis-cli not found"; fi
  pick_free_port
  REDIS_PORT=$PICKED
  rm -rf "$dir"
  mkdir -p "$dir"
  save_state
  log "redis: starting on 127.0.0.1:$REDIS_PORT ..."
  # No persistence at all (--save "" --appendonly no): test data is throw-away.
  if ! redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    >"$dir/start.log" 2>&1 </dev/null 3>&- 9>&-; then
    show_log "$dir/start.log"
    show_log "$dir/redis.log"
    die "redis-server did not start"
  fi
  for ((i = 0; i < 100; i++)); do
    if [ -s "$dir/redis.pid" ] &&
      [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null </dev/null)" = PONG ]; then
      REDIS_PID=$(<"$dir/redis.pid")
      save_state
      log "redis: ready on 127.0.0.1:$REDIS_PORT ($(since "$t0"))"
      return 0
    fi
    sleep 0.1
  done
  show_log "$dir/redis.log"
  die "Redis does not answer PING on 127.0.0.1:$REDIS_PORT"
}

stop_redis() {
  [ -n "${REDIS_PORT:-}" ] || return 0
  if [ -z "${REDIS_PID:-}" ] && [ -s "${INFRA_TMP:-/nonexistent}/redis/redis.pid" ]; then
    REDIS_PID=$(<"$INFRA_TMP/redis/redis.pid")
  fi
  redis_alive || return 0
  log "redis: stopping (pid $REDIS_PID) ..."
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 </dev/null || true
  if ! wait_gone "$REDIS_PID" ":$REDIS_PORT" 10; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait_gone "$REDIS_PID" ":$REDIS_PORT" 5 || kill -KILL "$REDIS_PID" 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------------------------------------------
# Kafka 4 (KRaft, one node that is both broker and controller)

# All jars come from Maven Central through Maven (~/.m2 keeps them). The resolved classpath is cached
# per pom hash, so later runs start Kafka without calling Maven at all.
kafka_classpath() {
  local key cp_file tmp j ok=1 jars=()
  key=$(sha256sum "$KAFKA_POM" | cut -c1-16)
  cp_file=$CACHE_DIR/kafka-$key.classpath
  if [ -s "$cp_file" ]; then
    # still valid only if every jar is still there (~/.m2 may have been wiped)
    IFS=: read -r -a jars <"$cp_file" || true # (no trailing newline: read "fails" but fills jars)
    for j in "${jars[@]}"; do [ -f "$j" ] || ok=0; done
    if [ "$ok" = 1 ]; then
      KAFKA_CP_FILE=$cp_file
      return 0
    fi
    log "kafka: cached classpath $cp_file names missing jars; resolving again"
  fi
  have mvn || apt_install maven
  mkdir -p "$CACHE_DIR"
  tmp=$(mktemp "$cp_file.XXXXXX")
  log "kafka: resolving jars with Maven (once; log: $CACHE_DIR/mvn.log) ..."
  if ! mvn -B -q -f "$KAFKA_POM" dependency:build-classpath -Dmdep.outputFile="$tmp" \
    >"$CACHE_DIR/mvn.log" 2>&1 </dev/null 3>&- 9>&- || [ ! -s "$tmp" ]; then
    rm -f "$tmp"
    show_log "$CACHE_DIR/mvn.log" 40
    die "Maven could not resolve the Kafka jars ($KAFKA_POM)"
  fi
  mv -f "$tmp" "$cp_file"
  KAFKA_CP_FILE=$cp_file
}

# A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what
# `kafka-storage.sh random-uuid` prints), made here to spare a JVM start. Kafka never hands out ids
# starting with '-' (they look like options on a command line), so neither do we.
kafka_random_uuid() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    if [ "${id:0:1}" != - ]; then break; fi
  done
  printf '%s\n' "$id"
}

kafka_tool() { # run a Kafka command-line class with the cached classpath
  java "${KAFKA_TOOL_JVM_OPTS[@]}" -cp "$(<"$KAFKA_CP_FILE")" "$@"
}

start_kafka() {
  local t0 dir cluster_id deadline remaining
  t0=$(now_ms)
  dir=$INFRA_TMP/kafka
  have java || die "java not found"
  kafka_classpath
  pick_free_port
  KAFKA_PORT=$PICKED
  pick_free_port
  KAFKA_CONTROLLER_PORT=$PICKED
  rm -rf "$dir"
  mkdir -p "$dir/data" "$dir/logs"
  save_state
  # Combined broker+controller. The quorum is dynamic (controller.quorum.bootstrap.servers +
  # `format --standalone`), the way Kafka 4 sets up a new single-node cluster.
  # Internal topics get replication factor 1 / min ISR 1: there is only one broker.
  cat >"$dir/server.properties" <<EOF
# written by scripts/infra.sh
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# consumers in tests join at once instead of waiting 3 s for more members
group.initial.rebalance.delay.ms=0
EOF
  cluster_id=$(kafka_random_uuid)
  log "kafka: formatting storage (cluster id $cluster_id) ..."
  if ! kafka_tool kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$dir/server.properties" \
    >"$dir/logs/format.log" 2>&1 </dev/null 3>&- 9>&-; then
    show_log "$dir/logs/format.log"
    die "kafka-storage format failed"
  fi
  log "kafka: starting broker+controller on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT) ..."
  # nohup + all fds redirected/closed: it must outlive this script and must not hold the stdout pipe
  # of `eval "$(scripts/infra.sh up)"` (which would then never return) nor our lock (fd 9).
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM options
  nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$INFRA_DIR/kafka/log4j2.xml" \
    "-Dnecp.kafka.log.level=${NECP_KAFKA_LOG_LEVEL:-INFO}" \
    "-Dkafka.logs.dir=$dir/logs" \
    -cp "$(<"$KAFKA_CP_FILE")" kafka.Kafka "$dir/server.properties" \
    >"$dir/logs/kafka.out" 2>&1 </dev/null 3>&- 9>&- &
  KAFKA_PID=$!
  save_state

  # Ready = the port accepts AND a metadata request is answered (listing topics goes through the
  # broker's metadata, which only answers once the controller quorum has elected itself).
  deadline=$((SECONDS + KAFKA_READY_TIMEOUT))
  until port_accepts "$KAFKA_PORT"; do
    kafka_alive || { kafka_failed "Kafka exited during startup"; }
    ((SECONDS < deadline)) || kafka_failed "Kafka did not open 127.0.0.1:$KAFKA_PORT within ${KAFKA_READY_TIMEOUT}s"
    sleep 0.2
  done
  while :; do
    remaining=$((deadline - SECONDS))
    ((remaining > 0)) || kafka_failed "Kafka did not answer a metadata request within ${KAFKA_READY_TIMEOUT}s"
    if timeout "$remaining" java "${KAFKA_TOOL_JVM_OPTS[@]}" -cp "$(<"$KAFKA_CP_FILE")" \
      org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list \
      >/dev/null 2>>"$dir/logs/ready.log" </dev/null 3>&- 9>&-; then
      break
    fi
    kafka_alive || kafka_failed "Kafka exited during startup"
    sleep 1
  done
  log "kafka: ready on 127.0.0.1:$KAFKA_PORT ($(since "$t0"))"
}
kafka_failed() {
  show_log "$INFRA_TMP/kafka/logs/kafka.out"
  show_log "$INFRA_TMP/kafka/logs/server.log" 40
  show_log "$INFRA_TMP/kafka/logs/ready.log"
  die "$1"
}

stop_kafka() {
  kafka_alive || return 0
  log "kafka: stopping (pid $KAFKA_PID) ..."
  # SIGTERM = controlled shutdown; the data is thrown away, so do not wait long before SIGKILL.
  kill -TERM "$KAFKA_PID" 2>/dev/null || true
  if ! wait_gone "$KAFKA_PID" "$INFRA_TMP/kafka/server.properties" 20; then
    log "kafka: still running after 20s, killing it"
    kill -KILL "$KAFKA_PID" 2>/dev/null || true
    wait_gone "$KAFKA_PID" "$INFRA_TMP/kafka/server.properties" 10 || true
  fi
}

# ---------------------------------------------------------------------------------------------------
# commands

# Stop everything the state file records, remove the temp dir and the state file.
stop_all() {
  stop_kafka
  stop_redis
  stop_postgres
  # only ever delete a dir that mktemp made for us
  if [ -n "${INFRA_TMP:-}" ] && [[ $(basename "$INFRA_TMP") == necp-infra.* ]] && [ -d "$INFRA_TMP" ]; then
    rm -rf "$INFRA_TMP"
  fi
  rm -f "$STATE_FILE"
  clear_state_vars
}

UP_OK=1
on_up_exit() {
  if [ "$UP_OK" != 1 ]; then
    log "up failed: stopping what was started"
    stop_all || true
  fi
}

cmd_up() {
  local want_kafka=1 arg t0
  for arg in "$@"; do
    case $arg in
      --no-kafka) want_kafka=0 ;;
      *) die "unknown option for up: $arg (usage: scripts/infra.sh up [--no-kafka])" ;;
    esac
  done
  case ${NECP_PG_FSYNC:-off} in on | off) ;; *) die "NECP_PG_FSYNC must be on or off, not '$NECP_PG_FSYNC'" ;; esac
  t0=$(now_ms)
  # fd 3 = the caller's stdout, for the export lines only; anything else any command prints goes to
  # stderr. Every server we spawn gets 3>&- so it cannot keep the caller's $(...) pipe open.
  exec 3>&1 1>&2
  lock_state
  if load_state && ! recorded_alive; then
    log "state file $STATE_FILE is stale (a server died or the machine restarted): cleaning up"
    stop_all
  fi
  if fully_up && { [ "$want_kafka" = 0 ] || [ -n "$KAFKA_PORT" ]; }; then
    print_exports "$want_kafka" >&3 # already up: the fast path
    return 0
  fi

  UP_OK=0
  trap on_up_exit EXIT
  trap 'exit 130' INT TERM HUP
  ensure_packages "$want_kafka"
  if [ -z "${INFRA_TMP:-}" ]; then
    INFRA_TMP=$(mktemp -d -t necp-infra.XXXXXX)
    chmod 755 "$INFRA_TMP" # the PostgreSQL user must reach its data dir inside
    save_state
  fi
  if [ -z "${PG_PORT:-}" ]; then start_postgres; fi
  if [ -z "${REDIS_PORT:-}" ]; then start_redis; fi
  if [ "$want_kafka" = 1 ] && [ -z "${KAFKA_PORT:-}" ]; then start_kafka; fi
  UP_OK=1
  log "up in $(since "$t0") (state: $STATE_FILE, data: $INFRA_TMP)"
  print_exports "$want_kafka" >&3
}

cmd_down() {
  local t0
  t0=$(now_ms)
  lock_state
  if ! load_state; then
    log "nothing runs (no $STATE_FILE)"
    return 0
  fi
  stop_all
  log "down in $(since "$t0")"
}

cmd_status() {
  if ! load_state; then
    echo "infra: not running (no $STATE_FILE)"
    return 1
  fi
  local rc=0
  echo "infra: state $STATE_FILE, data in ${INFRA_TMP:-?}"
  if [ -n "${PG_PORT:-}" ]; then
    if pg_alive; then echo "  postgres  running  pid $PG_PID  127.0.0.1:$PG_PORT  (as $PG_USER, $PG_BIN)"; else
      echo "  postgres  DEAD     (was 127.0.0.1:$PG_PORT)"
      rc=1
    fi
  else
    echo "  postgres  not started"
    rc=1
  fi
  if [ -n "${REDIS_PORT:-}" ]; then
    if redis_alive; then echo "  redis     running  pid $REDIS_PID  127.0.0.1:$REDIS_PORT"; else
      echo "  redis     DEAD     (was 127.0.0.1:$REDIS_PORT)"
      rc=1
    fi
  else
    echo "  redis     not started"
    rc=1
  fi
  if [ -n "${KAFKA_PORT:-}" ]; then
    if kafka_alive; then
      echo "  kafka     running  pid $KAFKA_PID  127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT)"
    else
      echo "  kafka     DEAD     (was 127.0.0.1:$KAFKA_PORT)"
      rc=1
    fi
  else
    echo "  kafka     not started (up --no-kafka)"
  fi
  if [ "$rc" = 0 ]; then
    echo "infra: up"
    print_exports 1
  else
    echo "infra: not fully up; run: scripts/infra.sh down && scripts/infra.sh up"
  fi
  return "$rc"
}

cmd_env() {
  if load_state && fully_up; then
    print_exports 1
  else
    log "not up (run: scripts/infra.sh up)"
    return 1
  fi
}

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
