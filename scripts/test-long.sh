#!/usr/bin/env bash
# The long checks, behind a flag in the ordinary test command:
#   scripts/test-long.sh [fuzz|load|all]   (default all)
# fuzz: every Go fuzz target for APIFW_FUZZ_LONG (default 2m) each; the
#       summary line of each run (execs, new interesting inputs) is printed;
#       a crash stops the script with the failing input under testdata/fuzz.
# load: tests/integration TestLoad on the plugin host for
#       APIFW_LOAD_DURATION (default 3m): 50 concurrent dashboard queries,
#       alert-style stats every 10 s, the generator appending 20 k
#       transactions/s; prints p50/p99 per query type and the plugin's RSS.
source "$(dirname "$0")/lib.sh"
what="${1:-all}"
fuzz_long="${APIFW_FUZZ_LONG:-2m}"

if [[ $what == fuzz || $what == all ]]; then
  for target in $(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' pkg | sed 's/func //' | sort -u); do
    pkg_dir="$(grep -rlE "^func $target\(" --include='*_test.go' pkg | head -1 | xargs dirname)"
    say "fuzz $target ($fuzz_long)"
    out="$(go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzz_long" "./$pkg_dir" 2>&1)" || {
      printf '%s\n' "$out"
      exit 1
    }
    summary="$(printf '%s\n' "$out" | grep -E '^fuzz: elapsed' | tail -1)"
    printf '%s\n' "${summary:-$(printf '%s\n' "$out" | tail -3)}"
  done
fi

if [[ $what == load || $what == all ]]; then
  [[ -f "${APIFW_DIST:-dist}/plugin.json" ]] || build_plugin
  APIFW_LONG=1 go test -tags integration -count=1 -timeout 60m -run '^TestLoad$' -v ./tests/integration/ 2>&1 |
    grep -Ev '^=== (RUN|PAUSE|CONT)'
  exit "${PIPESTATUS[0]}"
fi
