#!/usr/bin/env bash
# The use cases on PostgreSQL against the same statements run raw (issue 13):
#   bash scripts/bench-pg.sh [city|province]
# Starts a throwaway PostgreSQL cluster (scripts/lib/pg.sh) unless REOPEN_BENCH_PG names one, runs
# `cargo bench -p reopen-core --bench scale` on it — the city database is the SQLite one
# (target/scale/<scale>.db, generated first if missing) carried over by `reopen migrate` — which
# records the statements each use case ran, arguments written in, in target/scale/sql-<scale>-pg/.
# Each file is then replayed by pgbench on one connection for 5 seconds (reads as they are;
# writes between the use case's own BEGIN and a ROLLBACK, so the database stays as it was), and a
# table prints the use case's criterion median, pgbench's mean latency and the ratio.
# The cluster (and so the migrated database) is removed at the end when this script started it.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-city}
. scripts/lib/pg.sh
if [ -z "${REOPEN_BENCH_PG:-}" ]; then
  start_test_pg
  trap stop_test_pg EXIT
  REOPEN_BENCH_PG=$REOPEN_PG_URL
fi
export REOPEN_BENCH_PG
bindir=$(pg_bindir)
REOPEN_BENCH_SCALE=$scale cargo bench -p reopen-core --bench scale

db_url=$(python3 -c 'import re,sys; print(re.sub(r"^(\w+://[^/?]*)(/[^?]*)?", r"\1/reopen_bench_" + sys.argv[2], sys.argv[1], count=1))' "$REOPEN_BENCH_PG" "$scale")
sqldir=target/scale/sql-$scale-pg
crit=target/criterion/scale-$scale-pg
echo
echo "| use case | statements | use case median | raw PostgreSQL mean (pgbench) | ratio |"
echo "|---|---:|---:|---:|---:|"
for name in queue search_name search_2chars search_code stats app_list audit_log submit cert_issue; do
  f=$sqldir/$name.sql
  [ -f "$f" ] || continue
  stmts=$(grep -c ';$' "$f" || true)
  out=$("$bindir/pgbench" -n -c 1 -T 5 -f "$f" "$db_url" 2>&1) || { echo "pgbench failed on $f: $out" >&2; exit 1; }
  raw=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' <<<"$out")
  uc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["median"]["point_estimate"]/1e6)' "$crit/$name/new/estimates.json" 2>/dev/null || echo "")
  if [ -n "$uc" ] && [ -n "$raw" ]; then
    printf '| %s | %s | %.2f ms | %.2f ms | %.2f× |\n' "$name" "$stmts" "$uc" "$raw" "$(python3 -c "print($uc/$raw)")"
  else
    printf '| %s | %s | %s | %s ms | |\n' "$name" "$stmts" "${uc:-?}" "${raw:-?}"
  fi
done
