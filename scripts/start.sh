#!/usr/bin/env bash
# `npm start`: builds the plugin and runs Grafana with it and provisioning/,
# over $APIFW_LOGS (or generated demo data), on http://localhost:${GRAFANA_PORT:-3000}.
# Grafana comes from, in this order: $GRAFANA_HOME (an installed Grafana),
# Docker when an engine runs (docker-compose.yml), else the server built from
# Grafana's Go modules (scripts/build-grafana.sh).
source "$(dirname "$0")/lib.sh"
port="${GRAFANA_PORT:-3000}"
ensure_node_modules
build_plugin

if [[ -z "${APIFW_LOGS:-}" ]]; then
  APIFW_LOGS="$APIFW_CACHE/demo/logs"
  say "generating demo firewall logs in $APIFW_LOGS (set APIFW_LOGS to use your own)"
  rm -rf "$APIFW_LOGS"
  go run ./cmd/apifw-gen -out "$APIFW_LOGS" -records 50000 -apis 5 -instances 3 -span 24h -seed 42
fi
if [[ -z "${APIFW_REPORTS:-}" ]]; then
  APIFW_REPORTS="$APIFW_CACHE/demo/reports"
  say "generating demo audit / scan / SQG reports in $APIFW_REPORTS (set APIFW_REPORTS to use your own)"
  rm -rf "$APIFW_REPORTS"
  go run ./cmd/apifw-gen -reports "$APIFW_REPORTS" -apis 5 -seed 42
fi
export APIFW_LOGS APIFW_REPORTS GRAFANA_PORT="$port"
[[ -d "$APIFW_LOGS" ]] || { echo "APIFW_LOGS=$APIFW_LOGS is not a directory" >&2; exit 1; }

banner() {
  say "Grafana: http://localhost:$port  (login admin / admin)"
  say "firewall logs: $APIFW_LOGS   reports: $APIFW_REPORTS"
}

run_local() { # $@: grafanarun flags selecting the server
  banner
  exec go run ./tests/grafanatest/cmd/grafanarun -port "$port" -dist dist -provisioning provisioning \
    -data "$APIFW_CACHE/run/grafana-data" "$@"
}

if [[ -n "${GRAFANA_HOME:-}" ]]; then
  bin="$(command -v grafana || true)"
  for candidate in "$GRAFANA_HOME/bin/grafana" "$GRAFANA_HOME/bin/grafana-server"; do
    [[ -x "$candidate" ]] && { bin="$candidate"; break; }
  done
  [[ -n "$bin" ]] || { echo "no grafana binary under GRAFANA_HOME=$GRAFANA_HOME" >&2; exit 1; }
  say "using the Grafana installed in $GRAFANA_HOME"
  run_local -bin "$bin" -home "$GRAFANA_HOME"
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  say "using Docker (docker-compose.yml)"
  banner
  exec docker compose up
else
  ensure_grafana
  say "using the Grafana server built from source ($APIFW_GRAFANA_DIR)"
  run_local -grafana-dir "$APIFW_GRAFANA_DIR"
fi
