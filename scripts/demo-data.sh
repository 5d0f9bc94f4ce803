#!/usr/bin/env bash
# Writes the demo data: 12 hours of firewall transaction history ending now
# (5 APIs, 3 instances) into $1 and 60 days of audit / scan / SQG reports
# with an inventory for the same APIs into $2. Both are emptied first.
# Used by `npm start` and by docker-compose.yml. The live generator
# (scripts/demo-live.sh) then keeps appending to the same files.
set -euo pipefail
logs="${1:?usage: demo-data.sh <logs dir> <reports dir>}"
reports="${2:?usage: demo-data.sh <logs dir> <reports dir>}"
cd "$(dirname "$0")/.."
gen="${APIFW_GEN:-}"
if [[ -z "$gen" ]]; then
  gen="$(mktemp -d)/apifw-gen"
  go build -o "$gen" ./cmd/apifw-gen
fi
mkdir -p "$logs" "$reports"
find "$logs" "$reports" -mindepth 1 -delete
"$gen" -out "$logs" -records 150000 -apis 5 -instances 3 -span 12h -seed 42 -public-clients
"$gen" -reports "$reports" -apis 5 -seed 42
