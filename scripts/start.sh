#!/usr/bin/env bash
# `npm start`: builds the plugin and runs it with provisioning/, over
# $APIFW_LOGS (or generated demo data), on http://localhost:${GRAFANA_PORT:-3000}.
# With the demo data, the generator keeps appending live traffic (about 50
# calls/s, a blocked-traffic spike every 6 minutes: scripts/demo-live.sh) so
# the dashboards move and the provisioned alert rules fire; APIFW_LIVE=0 turns
# that off.
# Where it runs, in this order: the Grafana installed in $GRAFANA_HOME; Docker
# when an engine answers (docker-compose.yml, the official Grafana image);
# otherwise the plugin host (cmd/apifw-host), which is not Grafana: it runs
# the same plugin binary over Grafana's plugin protocol and serves the app
# pages, panels, bundled dashboards and alert rule states in a preview page.
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
# Client geography: the country database an npm package installs (never downloaded at run time).
demo_geo="$PWD/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb"
if [[ -z "${APIFW_GEO_DB:-}" && -f "$demo_geo" ]] && ! use_docker; then APIFW_GEO_DB="$demo_geo"; fi
export APIFW_LOGS APIFW_REPORTS APIFW_GEO_DB="${APIFW_GEO_DB:-}" GRAFANA_PORT="$port"

banner() {
  [[ -n "${APIFW_LOGS:-}" ]] && say "firewall logs: $APIFW_LOGS   reports: $APIFW_REPORTS"
  say "dashboards: Security /d/apifw-security, Collection /d/apifw-collection, Executive /d/apifw-executive; alert rules: /alerting/list"
}

live_pid=""
stop_live() {
  [[ -n "$live_pid" ]] && kill "$live_pid" 2>/dev/null; wait "$live_pid" 2>/dev/null || true
  if declare -F stop_vl >/dev/null; then stop_vl; fi
}
start_live() {
  if [[ -n "$demo" && "${APIFW_LIVE:-1}" != "0" ]]; then
    say "live demo traffic: ~${APIFW_LIVE_RATE:-50} calls/s, a blocked-traffic spike every ${APIFW_BURST_EVERY:-6m} (APIFW_LIVE=0 to stop it)"
    bash scripts/demo-live.sh "$APIFW_LOGS" &
    live_pid=$!
    trap stop_live EXIT
    trap 'exit 130' INT TERM
  fi
}

# An installed Grafana, configured through its environment as the Docker
# image is: our dist/ as the only plugin, this repository's provisioning,
# loopback only, unsigned plugins allowed, nothing that calls out.
run_grafana_home() {
  local bin="" data="$APIFW_CACHE/run/grafana-data"
  for candidate in "$GRAFANA_HOME/bin/grafana" "$GRAFANA_HOME/bin/grafana-server" "$(command -v grafana || true)"; do
    [[ -n "$candidate" && -x "$candidate" ]] && { bin="$candidate"; break; }
  done
  [[ -n "$bin" ]] || { echo "no grafana binary under GRAFANA_HOME=$GRAFANA_HOME" >&2; exit 1; }
  mkdir -p "$data/plugins"
  ln -sfn "$REPO/dist" "$data/plugins/apifw-monitor-app"
  local args=(server --homepath "$GRAFANA_HOME")
  [[ "$(basename "$bin")" == grafana-server ]] && args=(--homepath "$GRAFANA_HOME")
  say "using the Grafana installed in $GRAFANA_HOME: http://localhost:$port  (login admin / admin)"
  banner
  start_live
  GF_PATHS_DATA="$data" GF_PATHS_LOGS="$data/log" GF_PATHS_PLUGINS="$data/plugins" \
    GF_PATHS_PROVISIONING="$REPO/provisioning" GF_SERVER_HTTP_ADDR=127.0.0.1 GF_SERVER_HTTP_PORT="$port" \
    GF_SECURITY_ADMIN_USER=admin GF_SECURITY_ADMIN_PASSWORD=admin \
    GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=apifw-monitor-app,apifw-monitor-datasource,apifw-topn-panel,apifw-trace-panel \
    GF_PLUGINS_PUBLIC_KEY_RETRIEVAL_DISABLED=true GF_ANALYTICS_REPORTING_ENABLED=false GF_ANALYTICS_CHECK_FOR_UPDATES=false \
    GF_NEWS_NEWS_FEED_ENABLED=false "$bin" "${args[@]}"
}

# The plugin host with the preview page (the host page bundled from
# tests/browser/host), anonymous users as Admin on loopback.
run_plugin_host() {
  ensure_host
  local web="$APIFW_CACHE/run/hostpage"
  say "bundling the preview page (tests/browser/host) into $web"
  HOSTPAGE_OUT="$web" npx ts-node --transpile-only -O '{"module":"commonjs"}' -e \
    "require('./tests/browser/build-host').buildHost(process.env.HOSTPAGE_OUT).catch((e) => { console.error(e); process.exit(1); })"
  cat >&2 <<TXT

  ┌────────────────────────────────────────────────────────────────────────────┐
  │ This is the PLUGIN HOST, not Grafana: neither GRAFANA_HOME nor Docker was   │
  │ found. It runs the real plugin binary over Grafana's plugin protocol and    │
  │ shows the app pages, panels, bundled dashboards and alert rule states in a  │
  │ preview page built from @grafana/ui. To use the plugin in a real Grafana,   │
  │ see "Installing into an existing Grafana" in README.md, or run with         │
  │ GRAFANA_HOME=/usr/share/grafana npm start, or with Docker.                  │
  └────────────────────────────────────────────────────────────────────────────┘

TXT
  say "preview: http://localhost:$port/  (no login; API: curl -u admin:admin localhost:$port/api/health)"
  banner
  start_live
  trap stop_live EXIT
  "$APIFW_HOST" -port "$port" -dist dist -provisioning provisioning -data "$APIFW_CACHE/run/host-data" \
    -web "$web" -icons node_modules/@grafana/ui/dist/public/img/icons,tests/browser/host/icons -anonymous-role Admin
}

# APIFW_STORE=victorialogs: the scale-out store (docs/scale-out.md): a
# VictoriaLogs cluster and the shipper; the data source reads from it.
if [[ "${APIFW_STORE:-}" == victorialogs ]]; then
  if [[ -z "${GRAFANA_HOME:-}" ]] && use_docker; then
    export APIFW_VL_URL="${APIFW_VL_URL:-http://vlselect:9428}"
  else
    source scripts/vl-local.sh
  fi
fi
export APIFW_STORE="${APIFW_STORE:-}"

if [[ -n "${GRAFANA_HOME:-}" ]]; then
  run_grafana_home
elif use_docker; then
  say "using Docker (docker-compose.yml): http://localhost:$port  (login admin / admin)"
  banner
  profile=()
  [[ -n "$demo" && "${APIFW_LIVE:-1}" != "0" ]] && profile=(--profile live)
  [[ "$APIFW_STORE" == victorialogs ]] && profile+=(--profile scale)
  exec docker compose "${profile[@]}" up
else
  run_plugin_host
fi
