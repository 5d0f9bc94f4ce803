#!/usr/bin/env bash
# Go unit tests (with the race detector) and a short run of each fuzz target.
source "$(dirname "$0")/lib.sh"
go test -race -count=1 ./...
# A count, not a duration: with a duration, Go's fuzzer can report a spurious
# "context deadline exceeded" when the machine is busy at the deadline.
fuzz_time="${APIFW_FUZZTIME:-20000x}"
for target in $(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' pkg | sed 's/func //' | sort -u); do
  pkg_dir="$(grep -rlE "^func $target\(" --include='*_test.go' pkg | head -1 | xargs dirname)"
  say "fuzz $target ($fuzz_time)"
  go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzz_time" "./$pkg_dir"
done
