#!/usr/bin/env bash
# `npm run bench`: every benchmark, each printing its figures and its ratio to a baseline measured
# in the same run. Runs on real servers of scripts/infra.sh of its own (started here when not
# running, stopped again at the end), apart from the tests' ones and with durable PostgreSQL
# (NECP_PG_FSYNC=on: fsync, synchronous_commit), because a ledger is measured as it would run: a
# commit that a power cut can lose is not a transfer. BENCH_SECONDS sets the length of each HTTP load.
set -euo pipefail
cd "$(dirname "$0")/.."

export NECP_INFRA_STATE=${NECP_BENCH_INFRA_STATE:-$PWD/.infra/bench-state.env}
export NECP_PG_FSYNC=on
if ! scripts/infra.sh status >/dev/null 2>&1; then
  trap 'scripts/infra.sh down >&2 || true' EXIT
fi
exports=$(scripts/infra.sh up)
eval "$exports"

# Every table is also recorded as JSON (scripts/bench/results.ts) into bench-results/latest.json.
mkdir -p bench-results
export BENCH_RESULTS_FILE=$PWD/bench-results/.lines.jsonl
rm -f "$BENCH_RESULTS_FILE"

echo "== HTTP: framework, service, gateway (embedded adapters) =="
(unset DATABASE_URL REDIS_URL KAFKA_BROKERS; node scripts/bench/http.ts)

for bench in scripts/bench/*.ts; do
  case "$bench" in
    scripts/bench/http.ts | scripts/bench/load.ts | scripts/bench/cpu-use.ts | scripts/bench/results.ts | \
      scripts/bench/collect-results.ts | scripts/bench/pg-statements.ts) continue ;;
  esac
  echo
  echo "== $(basename "$bench" .ts) =="
  node "$bench"
done

node scripts/bench/collect-results.ts "$BENCH_RESULTS_FILE" bench-results/latest.json
rm -f "$BENCH_RESULTS_FILE"
