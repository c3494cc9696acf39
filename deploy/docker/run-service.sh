#!/bin/sh
# The container's entry point: runs the service SERVICE names (or the one given as the first argument).
set -eu
service=${1:-$SERVICE}
case "$service" in
  all-in-one) exec node apps/all-in-one/src/main.ts ;;
  gateway | auth | character | gameplay | social | economy | world) exec node "services/$service/src/main.ts" ;;
  *)
    echo "SERVICE must be one of gateway, auth, character, gameplay, social, economy, world, all-in-one (got '$service')" >&2
    exit 64
    ;;
esac
