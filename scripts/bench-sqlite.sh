#!/usr/bin/env bash
# Raw SQLite against the use cases (issue 6):
#   bash scripts/bench-sqlite.sh [city|province] [SAMPLES=11]
# Replays, in Debian's sqlite3 shell, the statements each use case executed — captured with their
# parameters by `cargo bench -p reopen-core --bench scale` into target/scale/sql-<scale>/<name>.sql
# (run that first) — and prints a table: the use case's criterion median, the raw SQLite median, the
# ratio. Each sample is one sqlite3 process (the app's pragmas, output to /dev/null) running the file
# 1 + REPS times (REPS so that a sample takes ≥ 0.3 s, at least 10); the median time of a process
# running it once (start, schema, the first pass's cache misses) is subtracted and the rest divided
# by REPS: warm passes, as the bench's warm connection runs them. Writes are replayed
# between BEGIN IMMEDIATE and ROLLBACK (the captured COMMIT became ROLLBACK): their raw figure has
# no commit (WAL append and fsync), the use case's has. The app's own SQL functions reopen_seal and
# reopen_unseal (roster sealing, store/seal.rs) do not exist in the shell: without a roster key they
# pass values through, so the replay drops them (the row is marked *).
# The database: REOPEN_BENCH_DB, else target/scale/<scale>.db.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-city}
samples=${2:-11}
db=${REOPEN_BENCH_DB:-target/scale/$scale.db}
sqldir=target/scale/sql-$scale
[ -f "$db" ] || { echo "no database $db: run the bench first" >&2; exit 2; }
[ -d "$sqldir" ] || { echo "no captured SQL in $sqldir: run the bench first" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed (apt-get install sqlite3)" >&2; exit 2; }

python3 - "$db" "$sqldir" "target/criterion/scale-$scale" "$samples" <<'PY'
import json, os, re, statistics, subprocess, sys, time

db, sqldir, crit, samples = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
# The pragmas store::open sets on every connection (journal_mode is persistent in the file).
pre = ".output /dev/null\nPRAGMA foreign_keys=ON;\nPRAGMA synchronous=FULL;\nPRAGMA busy_timeout=5000;\nPRAGMA cache_size=-32768;\n"
warm = "SELECT count(*) FROM sqlite_master;\n"

def run(script):
    t = time.perf_counter()
    p = subprocess.run(["sqlite3", "-batch", db], input=script.encode(), capture_output=True)
    dt = time.perf_counter() - t
    if p.returncode != 0 or p.stderr:
        sys.exit(f"sqlite3 failed: {p.stderr.decode()[:500]}")
    return dt

base = statistics.median(run(pre + warm) for _ in range(samples))  # shown only
order = ["queue", "search_name", "search_2chars", "search_code", "stats", "app_list", "audit_log", "submit", "cert_issue"]
names = sorted((f[:-4] for f in os.listdir(sqldir) if f.endswith(".sql")),
               key=lambda n: (order.index(n) if n in order else 99, n))
print(f"database {db} ({os.path.getsize(db) / 2**20:.0f} MiB); sqlite3 process baseline {base * 1e3:.1f} ms\n")
print("| use case | statements | use case median | raw SQLite median | ratio |")
print("|---|---:|---:|---:|---:|")
for name in names:
    body = open(os.path.join(sqldir, name + ".sql")).read()
    body, own = re.subn(r"\breopen_(?:un)?seal\(", "(", body)
    stmts = body.count(";\n")
    once = statistics.median(run(pre + warm + body) for _ in range(5))
    per = (run(pre + warm + body * 11) - once) / 10
    reps = max(10, min(2000, int(0.3 / max(per, 1e-4))))
    raw = statistics.median((run(pre + warm + body * (reps + 1)) - once) / reps for _ in range(samples))
    try:
        est = json.load(open(os.path.join(crit, name, "new", "estimates.json")))
        uc = est["median"]["point_estimate"] / 1e9
        ucs, ratio = f"{uc * 1e3:.2f} ms", f"{uc / raw:.2f}×"
    except OSError:
        ucs, ratio = "—", "—"
    print(f"| {name}{' *' if own else ''} | {stmts} | {ucs} | {raw * 1e3:.2f} ms | {ratio} |")
PY
