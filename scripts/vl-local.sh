# Sourced by scripts/start.sh for `APIFW_STORE=victorialogs npm start`
# without Docker: a local VictoriaLogs cluster (2 storage nodes and 1
# insert/select node on loopback, data in $APIFW_CACHE/run/vl) and the
# shipper over $APIFW_LOGS; exports APIFW_VL_URL for the provisioned data
# source. stop_vl stops what it started.
# shellcheck shell=bash
vl_bin="$(bash scripts/build-victorialogs.sh)"
vl_dir="$APIFW_CACHE/run/vl"
vl_port="${VL_PORT:-9428}"
mkdir -p "$vl_dir" "$APIFW_CACHE/bin"
vl_pids=()
stop_vl() {
  for p in "${vl_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${vl_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  vl_pids=()
}
trap stop_vl EXIT
for i in 1 2; do
  "$vl_bin" -storageDataPath="$vl_dir/storage$i" -httpListenAddr="127.0.0.1:$((vl_port + i))" \
    -retentionPeriod=100y -internaldelete.enable -loggerLevel=WARN >>"$vl_dir/storage$i.log" 2>&1 &
  vl_pids+=($!)
done
"$vl_bin" -storageNode="127.0.0.1:$((vl_port + 1)),127.0.0.1:$((vl_port + 2))" -httpListenAddr="127.0.0.1:$vl_port" \
  -storageDataPath="$vl_dir/front" -delete.enable -loggerLevel=WARN >>"$vl_dir/front.log" 2>&1 &
vl_pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$vl_port/health" >/dev/null 2>&1 && break; sleep 0.2; done
go build -o "$APIFW_CACHE/bin/apifw-ship" ./cmd/apifw-ship
"$APIFW_CACHE/bin/apifw-ship" -roots "$APIFW_LOGS" -spool "$APIFW_CACHE/run/ship-spool" \
  -insert-url "http://127.0.0.1:$vl_port" -metrics-addr "${APIFW_SHIP_METRICS:-127.0.0.1:9477}" >>"$vl_dir/ship.log" 2>&1 &
vl_pids+=($!)
export APIFW_VL_URL="http://127.0.0.1:$vl_port"
say "VictoriaLogs cluster: select/insert $APIFW_VL_URL, storage :$((vl_port + 1)) :$((vl_port + 2)); shipper metrics http://${APIFW_SHIP_METRICS:-127.0.0.1:9477}/metrics (logs in $vl_dir)"
