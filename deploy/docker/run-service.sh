#!/bin/sh
# The container's entry point: runs the service SERVICE names (or the one given as the first argument).
set -eu
# Secrets rendered into a file (the Vault Agent injector's `export NAME="value"` lines) join the environment.
if [ -n "${NECP_ENV_FILE:-}" ]; then
  # shellcheck disable=SC1090
  . "$NECP_ENV_FILE"
fi
service=${1:-$SERVICE}
case "$service" in
  all-in-one) exec node apps/all-in-one/src/main.ts ;;
  migrate) exec node apps/all-in-one/src/migrate.ts ;;
  gateway | auth | character | gameplay | social | economy | world) exec node "services/$service/src/main.ts" ;;
  *)
    echo "SERVICE must be one of gateway, auth, character, gameplay, social, economy, world, all-in-one, migrate (got '$service')" >&2
    exit 64
    ;;
esac
