"""Print DuckDB's and our figures side by side: median over rounds, the
spread (min–max) and the ratio DuckDB / ours (above 1: we are faster)."""

import json
import re
import statistics
import sys
from collections import defaultdict


def spread(xs):
    return f"{statistics.median(xs):8.2f} ({min(xs):.2f}–{max(xs):.2f})"


def main(duck_json, go_txt):
    duck = json.load(open(duck_json))
    go = defaultdict(lambda: defaultdict(list))
    line = re.compile(r"^Benchmark(\w+)-\d+\s+\d+\s+(.*)$")
    for text in open(go_txt):
        m = line.match(text.strip())
        if not m:
            continue
        fields = m.group(2).split()
        for value, unit in zip(fields[0::2], fields[1::2]):
            go[m.group(1)][unit].append(float(value))

    rows = [  # label, duckdb query, our benchmark, our metric (ms)
        ("top-10 client IPs", "topNClientIp", "TopNClientIP", "ns/op"),
        ("  same, with counts by outcome", "topNClientIpFull", "TopNClientIP", "ns/op"),
        ("top-10 paths", "topNPath", "TopNPath", "ns/op"),
        ("  same, with counts by outcome", "topNPathFull", "TopNPath", "ns/op"),
        ("per-minute counts by outcome", "trafficPerMinute", "TrafficPerMinuteByOutcome", "ns/op"),
        ("blocked per API, last 5 min", "alert5m", "AlertBlockedPerAPI5m", "ns/op"),
        ("one UUID, p50", "uuid", "TraceLookup", "p50-ns"),
    ]
    print(f"{duck['rows']} transactions; DuckDB {duck['threads']} threads; wall time in ms, median (min–max) over rounds")
    print(f"{'query':34s} {'DuckDB':>24s} {'apifw index':>24s} {'ratio':>7s}")
    for label, dq, gb, unit in rows:
        d = duck["queries"][dq]["wall_ms"]
        g = [v / 1e6 for v in go[gb][unit]]
        if not g:
            continue
        print(f"{label:34s} {spread(d):>24s} {spread(g):>24s} {statistics.median(d) / statistics.median(g):6.1f}x")
    print()
    print("process CPU time per query (all threads), ms: less sensitive to other work on the machine")
    for label, dq, gb, unit in rows:
        d = duck["queries"][dq].get("cpu_ms")
        g = go[gb].get("cpu-ms/op")
        if d and g:
            print(f"{label:34s} {spread(d):>24s} {spread(g):>24s} {statistics.median(d) / statistics.median(g):6.1f}x")
    print()
    d99 = duck["queries"]["uuid"]["p99_ms"]
    g99 = [v / 1e6 for v in go["TraceLookup"]["p99-ns"]]
    if g99:
        print(f"{'one UUID, p99':34s} {spread(d99):>24s} {spread(g99):>24s} {statistics.median(d99) / statistics.median(g99):6.1f}x")
    print()
    n = duck["rows"]
    gl = statistics.median(go["Load"]["load-s"])
    print(f"load (the indexed columns, from the NDJSON files): DuckDB {duck['load_s']:.2f} s = {n / duck['load_s'] / 1e6:.2f} M/s; "
          f"ours {gl:.2f} s = {n / gl / 1e6:.2f} M/s; ratio {duck['load_s'] / gl:.2f}x (our ingest parses and validates every record in Go)")
    if "load_cpu_s" in duck and go["Load"].get("load-cpu-s"):
        gc = statistics.median(go["Load"]["load-cpu-s"])
        print(f"load, process CPU time: DuckDB {duck['load_cpu_s']:.2f} s; ours {gc:.2f} s; ratio {duck['load_cpu_s'] / gc:.2f}x")
    n = duck["rows"]
    print(f"memory per transaction: DuckDB RSS {duck['rss_bytes'] / n:.0f} B (buffers {duck['engine_bytes'] / n:.0f} B); "
          f"ours heap {statistics.median(go['Load']['heap-B/tx']):.1f} B, estimate {statistics.median(go['Load']['est-B/tx']):.1f} B, "
          f"RSS {statistics.median(go['Load']['rss-B/tx']):.1f} B")
    live = go["QueryWhileIngesting"]
    names = sorted({k.split("-")[0] for k in live if k.endswith("-idle-p99-µs")})
    if names:
        print()
        print("query p99 while another goroutine appends 20 k transactions/s vs idle (phases alternate), µs")
        for q in names:
            idle, busy = statistics.median(live[q + "-idle-p99-µs"]), statistics.median(live[q + "-ingest-p99-µs"])
            print(f"{q:34s} {idle:>12.0f} {busy:>12.0f} {busy / max(idle, 1):6.2f}x")


if __name__ == "__main__":
    main(*sys.argv[1:])
