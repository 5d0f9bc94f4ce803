#!/usr/bin/env bash
# Integration tests: the built plugin on the plugin host (pkg/host), which
# speaks Grafana's plugin protocol and HTTP API.
source "$(dirname "$0")/lib.sh"
[[ -f dist/plugin.json ]] || build_plugin
export APIFW_ARTIFACTS="$REPO/test-results/integration"
go test -tags integration -count=1 -timeout 20m -v ./tests/integration/... 2>&1 | grep -Ev '^=== (RUN|PAUSE|CONT)' 
exit "${PIPESTATUS[0]}"
