"""Print DuckDB's and our figures side by side as a Markdown table: median over
rounds (min–max when there are several) and the ratio DuckDB / ours (above 1:
we are faster). Wall time, then process CPU time in parentheses."""

import json
import re
import statistics
import sys
from collections import defaultdict

DIMENSIONS = ["clientIp", "path", "operation", "method", "status", "statusClass",
              "errorStep", "errorMessage", "api", "instance", "hostname", "outcome"]


def med(xs):
    return statistics.median(xs)


def fmt(xs, unit=""):
    if not xs:
        return "–"
    return f"{med(xs):.3g}{unit}"


def ratio(d, g):
    if not d or not g or med(g) == 0:
        return "–"
    r = med(d) / med(g)
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def main(duck_json, go_txt, label=""):
    duck = json.load(open(duck_json))
    go = defaultdict(lambda: defaultdict(list))
    line = re.compile(r"^Benchmark([\w/]+?)(?:-\d+)?\s+\d+\s+(.*)$")
    for text in open(go_txt):
        m = line.match(text.strip())
        if not m:
            continue
        fields = m.group(2).split()
        for value, unit in zip(fields[0::2], fields[1::2]):
            go[m.group(1)][unit].append(float(value))

    n = duck["rows"]
    q = duck["queries"]
    print(f"{label}{n} transactions; DuckDB {duck.get('duckdb', '?')}, {duck['threads']} threads; "
          f"ms, median over rounds; CPU time (all threads) in parentheses; ratio = DuckDB / ours")
    print()
    print("| figure | ours | DuckDB | ratio (wall) | ratio (CPU) |")
    print("|---|---|---|---|---|")
    load = go["Load"]
    print(f"| load, bench harness (ReadFile, Append), wall s (CPU s) | {fmt(load['load-s'])} ({fmt(load['load-cpu-s'])}) | "
          f"{duck['load_s']:.3g} ({duck['load_cpu_s']:.3g}) | {ratio([duck['load_s']], load['load-s'])} | "
          f"{ratio([duck['load_cpu_s']], load['load-cpu-s'])} |")

    first = go["Restart"]
    if first.get("first-load-s"):
        # The data source's own path (tailer, collector, index: what a first
        # scan costs in Grafana), measured by BenchmarkRestart.
        print(f"| load through the data source (tailer, collector, index), wall s (CPU s) | "
              f"{fmt(first['first-load-s'])} ({fmt(first['first-load-cpu-s'])}) | "
              f"{duck['load_s']:.3g} ({duck['load_cpu_s']:.3g}) | {ratio([duck['load_s']], first['first-load-s'])} | "
              f"{ratio([duck['load_cpu_s']], first['first-load-cpu-s'])} |")

    def row(label, dq, gb):
        d, dc = q.get(dq, {}).get("wall_ms", []), q.get(dq, {}).get("cpu_ms", [])
        g = [v / 1e6 for v in go[gb]["ns/op"]]
        gc = go[gb]["cpu-ms/op"]
        alloc = go[gb]["B/op"]
        extra = f", {med(alloc) / 1e3:.0f} kB alloc" if alloc else ""
        print(f"| {label} | {fmt(g)} ({fmt(gc)}{extra}) | {fmt(d)} ({fmt(dc)}) | {ratio(d, g)} | {ratio(dc, gc)} |")

    for dim in DIMENSIONS:
        row(f"top-10 {dim}", "topN/" + dim, "TopN/" + dim)
        row(f"top-10 {dim}, DuckDB with counts by outcome", "topNFull/" + dim, "TopN/" + dim)
    row("per-minute counts by outcome", "trafficPerMinute", "TrafficPerMinuteByOutcome")
    row("alert: blocked per API, last 5 min", "alert5m", "AlertBlockedPerAPI5m")
    d50, d99 = q["uuid"]["wall_ms"], q["uuid"]["p99_ms"]
    g50 = [v / 1e6 for v in go["TraceLookup"]["p50-ns"]]
    g99 = [v / 1e6 for v in go["TraceLookup"]["p99-ns"]]
    print(f"| one UUID, p50 / p99 (µs) | {fmt([x * 1e3 for x in g50])} / {fmt([x * 1e3 for x in g99])} | "
          f"{fmt([x * 1e3 for x in d50])} / {fmt([x * 1e3 for x in d99])} | {ratio(d50, g50)} / {ratio(d99, g99)} | |")
    print(f"| bytes per transaction | {fmt(load['heap-B/tx'])} heap, {fmt(load['rss-B/tx'])} RSS, "
          f"{fmt(load['est-B/tx'])} estimate | {duck['rss_bytes'] / n:.0f} RSS ({duck['engine_bytes'] / n:.0f} buffers) | "
          f"{duck['rss_bytes'] / n / med(load['rss-B/tx']):.1f}× (RSS) | |")
    rs = go["Restart"]
    if rs.get("restart-s"):
        # The share is of the first load the same benchmark made of the same
        # files (through the data source's collector), not of the Load row.
        first, first_cpu = rs.get("first-load-s") or load["load-s"], rs.get("first-load-cpu-s") or load["load-cpu-s"]
        cpu_share = (f", CPU {med(rs['restart-cpu-s']) / med(first_cpu) * 100:.1f}%"
                     if rs.get("restart-cpu-s") and first_cpu else "")
        print(f"| restart from the snapshot, wall s (CPU s); share of the first load | {fmt(rs['restart-s'])} "
              f"({fmt(rs.get('restart-cpu-s', []))}); {med(rs['restart-s']) / med(first) * 100:.1f}% of "
              f"{fmt(first)} s{cpu_share} | – | | |")
        if rs.get("snapshot-B/tx"):
            print(f"| snapshot: write s, bytes per transaction | {fmt(rs['snapshot-write-s'])}, "
                  f"{fmt(rs['snapshot-B/tx'])} | – | | |")
    live = go["QueryWhileIngesting"]
    names = sorted({k.split("-")[0] for k in live if k.endswith("-idle-p99-µs")})
    if names:
        print()
        print("query p99 while another goroutine appends 20 k transactions/s vs idle (phases alternate), µs")
        for name in names:
            idle, busy = med(live[name + "-idle-p99-µs"]), med(live[name + "-ingest-p99-µs"])
            print(f"{name:34s} {idle:>12.0f} {busy:>12.0f} {busy / max(idle, 1):6.2f}x")


if __name__ == "__main__":
    main(*sys.argv[1:])
