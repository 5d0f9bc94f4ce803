#!/usr/bin/env bash
# Compare the index with DuckDB on the same generated firewall logs, in one run.
#
#   bench/duckdb/run.sh [RECORDS] [ROUNDS] [PROFILES]   # default 1000000 3 "demo realistic"
#
# For each generator profile (demo: the original, few distinct paths;
# realistic: ids in paths, ~280 k distinct paths per 1 M, heavy-tailed IPv4/IPv6
# clients, 21 APIs), generates RECORDS transactions with cmd/apifw-gen (one
# root of 1 M per seed 1, 2, … when RECORDS is above 1 M: the generator holds a
# root in memory), loads them into an in-memory DuckDB with its native
# read_json (Python duckdb 1.x from PyPI, in a venv under $APIFW_CACHE; 2
# threads), times DuckDB's plain GROUP BY … ORDER BY count DESC LIMIT 10 for
# every dimension our topN ranks (and the per-outcome variant), then runs our
# Go benchmarks on the same files, ROUNDS times each, and prints a Markdown
# table of both with their ratio. Set APIFW_BENCH_KEEP=1 to keep generated
# data above 1 M, APIFW_BENCH_LIVE=1 to add the query-while-ingesting figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
records="${1:-1000000}"
rounds="${2:-3}"
profiles="${3:-demo realistic}"
cache="${APIFW_CACHE:-$HOME/.cache/apifw-monitor}"
venv="$cache/venv-duckdb"
end="2026-01-02T00:00:00Z" # fixed: the same seed writes the same files
out="$cache/bench/results"
mkdir -p "$out"
source bench/duckdb/roots.sh

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import duckdb' 2>/dev/null || "$venv/bin/pip" install --quiet 'duckdb>=1.1,<2'
go build -o "$cache/apifw-gen" ./cmd/apifw-gen

for profile in $profiles; do
  per_root=$(( records < 1000000 ? records : 1000000 ))
  apis=4
  if [ "$profile" = realistic ]; then apis=21; fi
  roots=()
  for (( seed = 1; seed * per_root <= records; seed++ )); do
    root=$(bench_root "$profile" "$seed" "$per_root")
    if [ ! -e "$root/.complete" ]; then
      echo "generating $per_root $profile transactions (seed $seed) into $root" >&2
      rm -rf "$root"
      "$cache/apifw-gen" -out "$root" -records "$per_root" -seed "$seed" -apis "$apis" -profile "$profile" -span 24h -end "$end" >&2
      touch "$root/.complete"
    fi
    roots+=("$root")
  done
  dirs=$(IFS=,; echo "${roots[*]}")
  du -sh "${roots[@]}" >&2

  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  tag="$profile-$records-$stamp"
  # Both sides read the files from the page cache (warm, roots.sh).
  warm "${roots[@]}"
  echo "== $profile: DuckDB ($records transactions, $rounds rounds), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  "$venv/bin/python" bench/duckdb/duckdb_bench.py --roots "$dirs" --rounds "$rounds" --threads 2 --json "$out/duckdb-$tag.json" >&2

  go test -c -o "$cache/bench/query.test" ./pkg/query/ # built before the files are warmed
  warm "${roots[@]}"
  echo "== $profile: apifw index (Go benchmarks on the same files, GOMAXPROCS=2), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  (cd pkg/query && APIFW_BENCH_DIR="$dirs" GOMAXPROCS=2 "$cache/bench/query.test" -test.run '^$' -test.timeout 3h \
    -test.count "$rounds" -test.benchtime 1s -test.cpu 2 \
    -test.bench 'Load|Restart|TopN|TrafficPerMinuteByOutcome|TraceLookup|AlertBlockedPerAPI5m') | tee "$out/go-$tag.txt" >&2
  if [ "${APIFW_BENCH_LIVE:-0}" = 1 ]; then
    APIFW_BENCH_DIR="$dirs" go test -run '^$' -timeout 3h -count 1 -benchtime 1x \
      -bench 'QueryWhileIngesting' -v ./pkg/query/ | tee -a "$out/go-$tag.txt" >&2
  fi
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

  "$venv/bin/python" bench/duckdb/compare.py "$out/duckdb-$tag.json" "$out/go-$tag.txt" "$profile profile: " | tee "$out/table-$tag.md"
  echo

  if [ "$records" -gt 1000000 ] && [ "${APIFW_BENCH_KEEP:-0}" != 1 ]; then
    rm -rf "${roots[@]:1}" # keep seed 1 (the 1 M data set), drop the rest
  fi
done
