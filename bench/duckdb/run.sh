#!/usr/bin/env bash
# Compare the index with DuckDB on the same generated firewall logs, in one run.
#
#   bench/duckdb/run.sh [RECORDS] [ROUNDS]     # default 1000000 3
#
# Generates RECORDS transactions with cmd/apifw-gen (one root of 1 M per seed
# 1, 2, … when RECORDS is above 1 M: the generator holds a root in memory),
# loads the indexed columns into an in-memory DuckDB (Python duckdb from PyPI,
# in a venv under $APIFW_CACHE), runs the equivalent SQL, then runs our Go
# benchmarks on the same files, ROUNDS times each, and prints both figures and
# their ratio. Set APIFW_BENCH_KEEP=1 to keep generated data above 1 M.
set -euo pipefail
cd "$(dirname "$0")/../.."
records="${1:-1000000}"
rounds="${2:-3}"
cache="${APIFW_CACHE:-$HOME/.cache/apifw-monitor}"
venv="$cache/venv-duckdb"
end="2026-01-02T00:00:00Z" # fixed: the same seed writes the same files
out="$cache/bench/results"
mkdir -p "$out"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import duckdb' 2>/dev/null || "$venv/bin/pip" install --quiet 'duckdb>=1.1'

per_root=$(( records < 1000000 ? records : 1000000 ))
roots=()
for (( seed = 1; seed * per_root <= records; seed++ )); do
  root="$cache/bench/$( [ "$per_root" = 1000000 ] && echo 1m || echo "$per_root" )-seed$seed"
  if [ ! -e "$root/.complete" ]; then
    echo "generating $per_root transactions (seed $seed) into $root" >&2
    rm -rf "$root"
    go run ./cmd/apifw-gen -out "$root" -records "$per_root" -seed "$seed" -span 24h -end "$end" >&2
    touch "$root/.complete"
  fi
  roots+=("$root")
done
dirs=$(IFS=,; echo "${roots[*]}")
du -sh "${roots[@]}" >&2

stamp=$(date -u +%Y%m%dT%H%M%SZ)
echo "== DuckDB ($records transactions, $rounds rounds)" >&2
"$venv/bin/python" bench/duckdb/duckdb_bench.py --roots "$dirs" --rounds "$rounds" --json "$out/duckdb-$records-$stamp.json" >&2

echo "== apifw index (Go benchmarks on the same files)" >&2
APIFW_BENCH_DIR="$dirs" go test -run '^$' -timeout 3h -count "$rounds" -benchtime 2s \
  -bench 'Load|TopNClientIP|TopNPath|TrafficPerMinuteByOutcome|TraceLookup|AlertBlockedPerAPI5m' \
  ./pkg/query/ | tee "$out/go-$records-$stamp.txt" >&2
if [ "${APIFW_BENCH_LIVE:-1}" = 1 ]; then
  APIFW_BENCH_DIR="$dirs" go test -run '^$' -timeout 3h -count 1 -benchtime 1x \
    -bench 'QueryWhileIngesting' -v ./pkg/query/ | tee -a "$out/go-$records-$stamp.txt" >&2
fi

"$venv/bin/python" bench/duckdb/compare.py "$out/duckdb-$records-$stamp.json" "$out/go-$records-$stamp.txt" | tee "$out/table-$records-$stamp.txt"

if [ "$records" -gt 1000000 ] && [ "${APIFW_BENCH_KEEP:-0}" != 1 ]; then
  rm -rf "${roots[@]:1}" # keep seed 1 (the 1 M data set), drop the rest
fi
