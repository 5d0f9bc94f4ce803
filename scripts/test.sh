#!/usr/bin/env bash
# `npm test`: every suite once (static checks, Go, TypeScript unit,
# integration and browser on the plugin host); non-zero on any failure.
source "$(dirname "$0")/lib.sh"
ensure_node_modules

suites=(static go scaleout unit integration browser)
passed=0 failed=0 failures=()
run_suite() {
  local name="$1"; shift
  say "suite: $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); say "suite $name passed in $((SECONDS - start))s"
  else
    failed=$((failed + 1)); failures+=("$name"); say "suite $name FAILED after $((SECONDS - start))s"
  fi
}

static_checks() {
  bash scripts/check-licences.sh && bash scripts/check-compat.sh && npx tsc --noEmit && npx tsc --noEmit -p tests/browser && npx eslint --cache . && go vet ./... && go vet -tags integration ./tests/... &&
    GOOS=linux GOARCH=arm go build ./pkg/... && GOOS=windows GOARCH=amd64 go build ./pkg/... &&
    test -z "$(gofmt -l pkg cmd tests)" || { echo "gofmt: $(gofmt -l pkg cmd tests)"; return 1; }
}

run_suite static static_checks
run_suite go bash scripts/test-go.sh
# The scale-out suite in full (a real VictoriaLogs cluster; docs/scale-out.md).
run_suite scaleout bash scripts/test-scaleout.sh
run_suite unit npx jest --passWithNoTests --maxWorkers 2 --ci
build_plugin
ensure_host
run_suite integration bash scripts/test-integration.sh
run_suite browser bash scripts/test-browser.sh
# The long load test and long fuzzing (minutes each) only when asked for.
if [[ "${APIFW_LONG:-}" == 1 ]]; then
  run_suite long bash scripts/test-long.sh
fi

echo
echo "suites: $passed passed, $failed failed${failures:+ (${failures[*]})}"
[[ $failed -eq 0 ]]
