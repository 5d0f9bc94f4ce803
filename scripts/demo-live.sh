#!/usr/bin/env bash
# Keeps appending demo firewall traffic timed now to the logs in $1, as
# running firewalls do: about 50 calls a second over the demo's 5 APIs and
# 3 instances (same seed as scripts/demo-data.sh), with attacks on top so
# the provisioned alert rules fire: every 6 minutes a 2-minute spike of
# blocked calls on one API (the next blocking API each time), from 3 minutes
# into each cycle an enumeration burst (404 "path not defined in OAS") from
# one bot, and every other cycle a 429 storm. It first backfills the last 70
# minutes at the same rate, so the per-API alert rules compare each spike
# with a baseline of the live rate. Runs until stopped.
#   APIFW_LIVE_RATE   calls per second        (default 50)
#   APIFW_BURST_EVERY cycle between spikes    (default 6m; "0" for no attacks)
#   APIFW_BACKFILL    past traffic written first (default 70m; "0" for none)
set -euo pipefail
logs="${1:?usage: demo-live.sh <logs dir>}"
cd "$(dirname "$0")/.."
gen="${APIFW_GEN:-}"
if [[ -z "$gen" ]]; then
  gen="$(mktemp -d)/apifw-gen"
  go build -o "$gen" ./cmd/apifw-gen
fi
every="${APIFW_BURST_EVERY:-6m}"
bursts=(-bursts -burst-every "$every")
[[ "$every" == "0" ]] && bursts=()
exec "$gen" -live -out "$logs" -rate "${APIFW_LIVE_RATE:-50}" -backfill "${APIFW_BACKFILL:-70m}" -apis 5 -instances 3 -seed 42 -public-clients -draw-seed "$(date +%s)" "${bursts[@]}"
