#!/usr/bin/env bash
# `npm test`: typecheck and lint, unit tests, then the integration and end-to-end tests twice: on the
# embedded adapters (PGlite, in-process bus, memory) and on real PostgreSQL, Redis and Kafka started
# here by scripts/infra.sh (installed when missing); on the real servers the end-to-end tests run once
# more with the gateway forwarding over HTTP. After the embedded end-to-end tests, contract fuzzing
# (scripts/fuzz.ts: Schemathesis, installed by scripts/infra/schemathesis.sh). Last, the container image is
# built and run against the real servers (test/deploy, Docker from scripts/infra/docker.sh), and deploy/compose's
# stack is brought up on the same engine with a replica killed mid-journey (test/compose). Stops what it
# started, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

run_phase() { node scripts/run-tests.ts "$@"; }

npm run --silent typecheck
npm run --silent lint
# The typed client is generated from the services' OpenAPI documents: stale types fail the run.
node scripts/generate-client.ts --check
run_phase unit

echo "== embedded adapters: PGlite, in-process bus, in-memory cache =="
(
  unset DATABASE_URL REDIS_URL KAFKA_BROKERS
  run_phase integration
  run_phase e2e
  echo "== contract fuzzing: Schemathesis over every OpenAPI document (scripts/fuzz.ts) =="
  node scripts/fuzz.ts
)

echo "== real servers: PostgreSQL, Redis, Kafka (scripts/infra.sh) =="
if ! scripts/infra.sh status >/dev/null 2>&1; then
  trap 'scripts/infra.sh down >&2 || true' EXIT
fi
exports=$(scripts/infra.sh up)
eval "$exports"
# The Keycloak proof is required here: without Java 21+ and mvn it fails instead of skipping
# (KEYCLOAK=0 opts out explicitly).
export KEYCLOAK=${KEYCLOAK:-1}
run_phase integration
run_phase real
run_phase e2e
echo "== end to end again, the gateway reaching the services over HTTP and its channel, as when they run apart =="
# A deployment's key, as compose and the chart set it: the gateway vouches for callers and its front
# door forwards over its multiplexed channel to each service (GATEWAY_SERVICE_CHANNEL, on by default).
GATEWAY_UPSTREAM_TRANSPORT=http EDGE_VOUCH_KEY="e2e-edge-vouch-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" run_phase e2e
echo "== deployment: the container image on a Docker engine, against the same real servers =="
run_phase deploy
echo "== the distributed stack: deploy/compose on the Docker engine, a replica killed mid-journey =="
run_phase compose
