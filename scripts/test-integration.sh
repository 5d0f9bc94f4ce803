#!/usr/bin/env bash
# Integration tests: the built plugin inside a real Grafana server.
source "$(dirname "$0")/lib.sh"
[[ -f dist/plugin.json ]] || build_plugin
ensure_grafana
export APIFW_ARTIFACTS="$REPO/test-results/integration"
go test -tags integration -count=1 -timeout 20m -v ./tests/integration/... 2>&1 | grep -Ev '^=== (RUN|PAUSE|CONT)' 
exit "${PIPESTATUS[0]}"
