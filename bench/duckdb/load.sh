#!/usr/bin/env bash
# Load time, ours against DuckDB's, alternating: on a shared 2-core VM the
# machine's speed drifts by tens of percent within minutes, so one load per
# side minutes apart (run.sh) can favour either. Here each pair is DuckDB's
# load, then ours, in fresh processes, each after warming the page cache;
# the table gives every pair's ratio and the median of each side.
#
#   bench/duckdb/load.sh [RECORDS] [PAIRS] [PROFILES]   # default 1000000 5 "demo realistic"
#
# Ours is the data source's own path (tailer, collector, index: a first scan,
# BenchmarkRestart's first-load figure). The roots are those run.sh makes:
# run it first (APIFW_BENCH_KEEP=1 above 1 M).
set -euo pipefail
cd "$(dirname "$0")/../.."
records="${1:-1000000}"
pairs="${2:-5}"
profiles="${3:-demo realistic}"
cache="${APIFW_CACHE:-$HOME/.cache/apifw-monitor}"
venv="$cache/venv-duckdb"
out="$cache/bench/results"
mkdir -p "$out"
source bench/duckdb/roots.sh
[ -x "$venv/bin/python" ] || { echo "run bench/duckdb/run.sh first (it makes the DuckDB venv and the data)" >&2; exit 1; }
go test -c -o "$cache/bench/query.test" ./pkg/query/

for profile in $profiles; do
  roots=()
  for (( seed = 1; seed * 1000000 <= records; seed++ )); do
    root=$(bench_root "$profile" "$seed" 1000000)
    [ -e "$root/.complete" ] || { echo "$root is missing: run bench/duckdb/run.sh $records 1 $profile with APIFW_BENCH_KEEP=1" >&2; exit 1; }
    roots+=("$root")
  done
  dirs=$(IFS=,; echo "${roots[*]}")
  tag="$profile-$records-$(date -u +%Y%m%dT%H%M%SZ)"
  log="$out/load-$tag.txt"
  : > "$log"
  for (( k = 1; k <= pairs; k++ )); do
    warm "${roots[@]}"
    "$venv/bin/python" bench/duckdb/duckdb_bench.py --roots "$dirs" --rounds 1 --threads 2 --load-only --json "$out/load-duck.json" 2> /dev/null
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("duckdb", d["load_s"], d["load_cpu_s"], d["rows"])' "$out/load-duck.json" >> "$log"
    warm "${roots[@]}"
    (cd pkg/query && APIFW_BENCH_DIR="$dirs" GOMAXPROCS=2 "$cache/bench/query.test" -test.run '^$' -test.count 1 \
      -test.benchtime 1x -test.cpu 2 -test.bench 'BenchmarkRestart$') |
      awk '/^BenchmarkRestart/ { for (i = 3; i < NF; i++) { if ($(i+1) == "first-load-s") w = $i; if ($(i+1) == "first-load-cpu-s") c = $i; if ($(i+1) == "transactions") n = $i } print "ours", w, c, n }' >> "$log"
    echo "pair $k of $pairs ($profile): $(tail -2 "$log" | tr '\n' ' ') load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  done
  python3 - "$log" "$profile" "$records" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
duck = [(float(r[1]), float(r[2])) for r in rows if r[0] == "duckdb"]
ours = [(float(r[1]), float(r[2])) for r in rows if r[0] == "ours"]
print(f"{sys.argv[2]} profile, {sys.argv[3]} transactions: load, alternating pairs (DuckDB then ours, fresh processes, warm page cache); s; ratio = DuckDB / ours")
print()
print("| pair | ours wall (CPU) | DuckDB wall (CPU) | ratio wall | ratio CPU |")
print("|---|---|---|---|---|")
for k, ((dw, dc), (ow, oc)) in enumerate(zip(duck, ours), 1):
    print(f"| {k} | {ow:.3g} ({oc:.3g}) | {dw:.3g} ({dc:.3g}) | {dw / ow:.2f}× | {dc / oc:.2f}× |")
med = statistics.median
dw, dc = med([d[0] for d in duck]), med([d[1] for d in duck])
ow, oc = med([o[0] for o in ours]), med([o[1] for o in ours])
rw = med([d[0] / o[0] for d, o in zip(duck, ours)])
rc = med([d[1] / o[1] for d, o in zip(duck, ours)])
print(f"| median | {ow:.3g} ({oc:.3g}) | {dw:.3g} ({dc:.3g}) | {dw / ow:.2f}× (pairs' median {rw:.2f}×) | {dc / oc:.2f}× (pairs' median {rc:.2f}×) |")
PY
  echo
done
