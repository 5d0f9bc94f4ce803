"""Load generated firewall logs into an in-memory DuckDB and time the SQL
equivalents of the index's goal queries. Prints progress to stderr and writes
the figures as JSON."""

import argparse
import json
import os
import random
import statistics
import sys
import time

import duckdb


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# The columns the index holds, with the outcome derived as ingest does
# (docs/query-model.md, "Outcome").
LOAD = """
CREATE TABLE t AS
SELECT uuid,
       make_timestamp(date_epoch) AS ts,
       duration,
       pod.instance_name AS instance,
       api, api_name, hostname, method,
       uri_path AS path, oas_path AS operation, status, (status // 100) || 'xx' AS status_class,
       non_blocking_mode,
       source_ip,
       errors[-1].step AS error_step,
       errors[-1].message AS error_message,
       CASE WHEN filename LIKE '%api-unknown.transaction.log' OR api = 'n/a' OR api = '' THEN 'unmatched'
            WHEN len(errors) > 0 AND NOT non_blocking_mode THEN 'blocked'
            WHEN len(errors) > 0 THEN 'wouldBlock'
            ELSE 'allowed' END AS outcome
FROM read_json(?, format = 'newline_delimited', filename = true,
  columns = {uuid: 'VARCHAR', date_epoch: 'BIGINT', duration: 'BIGINT',
             pod: 'STRUCT(instance_name VARCHAR)', api: 'VARCHAR', api_name: 'VARCHAR',
             hostname: 'VARCHAR', method: 'VARCHAR', uri_path: 'VARCHAR', oas_path: 'VARCHAR',
             status: 'INTEGER', non_blocking_mode: 'BOOLEAN', source_ip: 'VARCHAR',
             errors: 'STRUCT(step VARCHAR, message VARCHAR)[]'})
"""

OUTCOMES = """count(*) AS count,
  count(*) FILTER (WHERE outcome = 'allowed') AS allowed,
  count(*) FILTER (WHERE outcome = 'blocked') AS blocked,
  count(*) FILTER (WHERE outcome = 'wouldBlock') AS wouldBlock,
  count(*) FILTER (WHERE outcome = 'unmatched') AS unmatched"""

# Every dimension our topN ranks, and the column (or expression) DuckDB groups by.
DIMENSIONS = {
    "clientIp": "source_ip",
    "path": "path",
    "operation": "operation",
    "method": "method",
    "status": "status",
    "statusClass": "status_class",
    "errorStep": "error_step",
    "errorMessage": "error_message",
    "api": "api",
    "instance": "instance",
    "hostname": "hostname",
    "outcome": "outcome",
}

QUERIES = {}
for _dim, _col in DIMENSIONS.items():
    # plain: DuckDB's own GROUP BY … ORDER BY count DESC LIMIT 10 (the brief's figure);
    # full: what our topN returns (counts by outcome and a total), as a second row
    QUERIES["topN/" + _dim] = f"SELECT {_col}, count(*) AS c FROM t GROUP BY 1 ORDER BY c DESC LIMIT 10"
    QUERIES["topNFull/" + _dim] = f"SELECT {_col}, {OUTCOMES} FROM t GROUP BY 1 ORDER BY count DESC LIMIT 10"
QUERIES["trafficPerMinute"] = "SELECT time_bucket(INTERVAL 1 minute, ts) AS b, outcome, count(*) FROM t GROUP BY ALL"
QUERIES["alert5m"] = "SELECT api, count(*) FROM t WHERE outcome = 'blocked' AND ts > TIMESTAMP '{last}' - INTERVAL 5 minute GROUP BY api"


def timed(con, sql, params=None, rounds=1):
    wall, cpu = [], []
    for _ in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        con.execute(sql, params or []).fetchall()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--roots", required=True, help="comma-separated generated roots")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--load-only", action="store_true", help="time the load alone (load.sh alternates it with ours)")
    args = ap.parse_args()
    globs = [os.path.join(r, "*", "*.transaction.log") for r in args.roots.split(",")]

    # An in-memory database, DuckDB's native NDJSON reader, a fixed thread count.
    con = duckdb.connect(":memory:", config={"threads": args.threads})
    before = rss_bytes()
    w, c = time.perf_counter(), time.process_time()
    con.execute(LOAD, [globs])
    load_s = time.perf_counter() - w
    load_cpu_s = time.process_time() - c
    n = con.execute("SELECT count(*) FROM t").fetchone()[0]
    mem = rss_bytes() - before
    engine_mem = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0]
    last = con.execute("SELECT max(ts) FROM t").fetchone()[0]
    uuids = [r[0] for r in con.execute("SELECT uuid FROM t USING SAMPLE 500 ROWS").fetchall()]
    print(f"loaded {n} rows in {load_s:.2f}s ({load_cpu_s:.2f} s CPU), RSS +{mem / 2**20:.0f} MiB ({mem / n:.0f} B/row), "
          f"DuckDB buffers {engine_mem / 2**20:.0f} MiB", file=sys.stderr)

    res = {"duckdb": duckdb.__version__, "rows": n, "load_s": load_s, "load_cpu_s": load_cpu_s, "rss_bytes": mem, "engine_bytes": engine_mem,
           "threads": con.execute("SELECT current_setting('threads')").fetchone()[0], "queries": {}}
    if args.load_only:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1, default=str)
        return
    for name, sql in QUERIES.items():
        sql = sql.format(last=last)
        timed(con, sql)  # warm
        # each round: several runs, their median; spread over rounds
        walls, cpus = [], []
        for _ in range(args.rounds):
            wl, cp = timed(con, sql, rounds=7)
            walls.append(statistics.median(wl))
            cpus.append(statistics.median(cp))
        res["queries"][name] = {"wall_ms": walls, "cpu_ms": cpus}
        print(f"{name:18s} wall ms {statistics.median(walls):8.2f} (rounds {', '.join(f'{x:.2f}' for x in walls)})", file=sys.stderr)

    # one UUID at a time: p50 and p99 per round
    rng = random.Random(1)
    p50s, p99s = [], []
    for _ in range(args.rounds):
        lat = []
        for _ in range(200):
            wl, _ = timed(con, "SELECT * FROM t WHERE uuid = ?", [rng.choice(uuids)])
            lat.append(wl[0])
        lat.sort()
        p50s.append(lat[len(lat) // 2])
        p99s.append(lat[int(len(lat) * 0.99)])
    res["queries"]["uuid"] = {"wall_ms": p50s, "p99_ms": p99s}
    print(f"{'uuid':18s} p50 ms {statistics.median(p50s):8.2f}  p99 ms {statistics.median(p99s):.2f}", file=sys.stderr)

    with open(args.json, "w") as f:
        json.dump(res, f, indent=1, default=str)


if __name__ == "__main__":
    main()
