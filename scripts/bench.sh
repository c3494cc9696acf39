#!/usr/bin/env bash
# `npm run bench`: every benchmark, each printing its figures and its ratio to a baseline measured
# in the same run. Runs on the real servers of scripts/infra.sh (started here when not running,
# stopped again at the end). BENCH_SECONDS sets the length of each HTTP load (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! scripts/infra.sh status >/dev/null 2>&1; then
  trap 'scripts/infra.sh down >&2 || true' EXIT
fi
exports=$(scripts/infra.sh up)
eval "$exports"

echo "== HTTP: framework, service, gateway (embedded adapters) =="
(unset DATABASE_URL REDIS_URL KAFKA_BROKERS; node scripts/bench/http.ts)

for bench in scripts/bench/*.ts; do
  case "$bench" in
    scripts/bench/http.ts | scripts/bench/load.ts) continue ;;
  esac
  echo
  echo "== $(basename "$bench" .ts) =="
  node "$bench"
done
