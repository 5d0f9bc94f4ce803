#!/usr/bin/env bash
# `npm run test:scaleout`: the scale-out suite against a real VictoriaLogs
# cluster (2 storage nodes + 1 insert/select node on loopback, started by the
# tests: pkg/vlogs/vltest), built once from its Go module (pinned version).
#   * pkg/ship:   the shipper's exactly-once and restart test; the fault test
#                 (a storage node killed while shipping, then back: nothing lost)
#   * pkg/vlogs:  the differential test (every query type, dimension, metric and
#                 filter against the embedded engine on the same generated data)
#                 and the right-to-be-forgotten test (after restarts)
#   * pkg/plugin: the data source with store=victorialogs: every bundled
#                 dashboard and alert-rule query gives the same frames as the
#                 embedded store; a node down is a clear error and unhealthy
#   * tests/integration: the same through the plugin host (/api/ds/query)
# The race detector is off here (it slows the shippers and the cluster tests
# several times over on a shared machine; the packages' own unit tests run
# with -race in the go suite): APIFW_SCALEOUT_RACE=1 turns it on.
source "$(dirname "$0")/lib.sh"
export APIFW_VICTORIALOGS="${APIFW_VICTORIALOGS:-$(bash scripts/build-victorialogs.sh)}"
export APIFW_SCALEOUT=1
race=()
[[ "${APIFW_SCALEOUT_RACE:-}" == 1 ]] && race=(-race)
start=$SECONDS
go test "${race[@]}" -count=1 -timeout 15m -v ./pkg/ship ./pkg/vlogs/... 2>&1 | grep -Ev '^=== (RUN|PAUSE|CONT)'
rc=${PIPESTATUS[0]}
go test "${race[@]}" -count=1 -timeout 10m -v -run 'TestVictoriaLogs' ./pkg/plugin 2>&1 | grep -Ev '^=== (RUN|PAUSE|CONT)'
rc2=${PIPESTATUS[0]}
# Through the plugin host: the real plugin binary over Grafana's plugin
# protocol, provisioned with secure settings (dist/ when built, else a
# minimal one with the backend).
go test -tags integration -count=1 -timeout 10m -v -run 'TestScaleOut' ./tests/integration 2>&1 | grep -Ev '^=== (RUN|PAUSE|CONT)'
rc3=${PIPESTATUS[0]}
say "scale-out suite took $((SECONDS - start))s"
[[ $rc -eq 0 && $rc2 -eq 0 && $rc3 -eq 0 ]]
