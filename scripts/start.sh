#!/usr/bin/env bash
# `npm start`: builds the plugin and runs Grafana with it and provisioning/,
# over $APIFW_LOGS (or generated demo data), on http://localhost:${GRAFANA_PORT:-3000}.
# With the demo data, the generator keeps appending live traffic (about 50
# calls/s, a blocked-traffic spike every 6 minutes: scripts/demo-live.sh) so
# the dashboards move and the provisioned alert rules fire; APIFW_LIVE=0 turns
# that off.
# Grafana comes from, in this order: $GRAFANA_HOME (an installed Grafana),
# Docker when an engine runs (docker-compose.yml), else the server built from
# Grafana's Go modules (scripts/build-grafana.sh).
source "$(dirname "$0")/lib.sh"
port="${GRAFANA_PORT:-3000}"
ensure_node_modules
build_plugin

demo=""  # set when the logs are the generated demo logs (then the live generator runs)
[[ -z "${APIFW_LOGS:-}" ]] && demo=1
use_docker() { [[ -z "${GRAFANA_HOME:-}" ]] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

if ! use_docker; then # with Docker, docker-compose.yml's generator services write the demo data
  export APIFW_GEN="$APIFW_CACHE/bin/apifw-gen"
  mkdir -p "$APIFW_CACHE/bin"
  go build -o "$APIFW_GEN" ./cmd/apifw-gen
  if [[ -n "$demo" || -z "${APIFW_REPORTS:-}" ]]; then
    say "generating demo data in $APIFW_CACHE/demo (set APIFW_LOGS / APIFW_REPORTS to use your own)"
    bash scripts/demo-data.sh "$APIFW_CACHE/demo/logs" "$APIFW_CACHE/demo/reports" >/dev/null
  fi
  APIFW_LOGS="${APIFW_LOGS:-$APIFW_CACHE/demo/logs}" APIFW_REPORTS="${APIFW_REPORTS:-$APIFW_CACHE/demo/reports}"
  [[ -d "$APIFW_LOGS" ]] || { echo "APIFW_LOGS=$APIFW_LOGS is not a directory" >&2; exit 1; }
fi
export APIFW_LOGS APIFW_REPORTS GRAFANA_PORT="$port"

banner() {
  say "Grafana: http://localhost:$port  (login admin / admin)"
  [[ -n "${APIFW_LOGS:-}" ]] && say "firewall logs: $APIFW_LOGS   reports: $APIFW_REPORTS"
  say "dashboards: Security /d/apifw-security, Collection /d/apifw-collection, Executive /d/apifw-executive; alert rules: /alerting/list"
}

live_pid=""
stop_live() { [[ -n "$live_pid" ]] && kill "$live_pid" 2>/dev/null; wait "$live_pid" 2>/dev/null || true; }

run_local() { # $@: grafanarun flags selecting the server
  banner
  if [[ -n "$demo" && "${APIFW_LIVE:-1}" != "0" ]]; then
    say "live demo traffic: ~${APIFW_LIVE_RATE:-50} calls/s, a blocked-traffic spike every ${APIFW_BURST_EVERY:-6m} (APIFW_LIVE=0 to stop it)"
    bash scripts/demo-live.sh "$APIFW_LOGS" &
    live_pid=$!
    trap stop_live EXIT
    trap 'exit 130' INT TERM
  fi
  go run ./tests/grafanatest/cmd/grafanarun -port "$port" -dist dist -provisioning provisioning \
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
elif use_docker; then
  say "using Docker (docker-compose.yml)"
  banner
  profile=()
  [[ -n "$demo" && "${APIFW_LIVE:-1}" != "0" ]] && profile=(--profile live)
  exec docker compose "${profile[@]}" up
else
  ensure_grafana
  say "using the Grafana server built from source ($APIFW_GRAFANA_DIR)"
  run_local -grafana-dir "$APIFW_GRAFANA_DIR"
fi
