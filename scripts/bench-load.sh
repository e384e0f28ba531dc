#!/usr/bin/env bash
# The bounded load test of `reopen serve` (issue 14):
#   bash scripts/bench-load.sh [USERS] [SECONDS]        (default 200 users for 60 s)
# Starts a throwaway PostgreSQL cluster (scripts/lib/pg.sh), carries the city-scale SQLite
# database (target/scale/city.db; `cargo bench -p reopen-core --bench scale` makes it) over with
# `reopen migrate`, starts a release `reopen serve` on loopback, runs the generator
# (crates/client/examples/load.rs) and prints its table: per operation, how many were done, per
# second, p50/p95/p99, expected conflicts and errors; then the server's peak memory. The server,
# the database and the generator share this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
# REOPEN_LOAD_PACE=flat: every user acts every 0.5-1.5 s (the machine's saturation) instead of an
# office's pace; REOPEN_LOAD_CONNECTIONS: the server's database connections (default 4).
users=${1:-200}
secs=${2:-60}
. scripts/lib/pg.sh
start_test_pg
trap 'kill "${server_pid:-}" 2>/dev/null || true; stop_test_pg' EXIT
[ -f target/scale/city.db ] || { echo "target/scale/city.db is missing: run cargo bench -p reopen-core --bench scale first (it generates the city-scale database)" >&2; exit 1; }
# One build for both, so that the core is compiled once with the features of both.
cargo build --release -p reopen-cli -p reopen-client --bin reopen --example load
reopen=target/release/reopen
work=$(mktemp -d)
cp -a target/scale/city.db "$work/city.db"
cp -a target/scale/city.db.keys "$work/city.db.keys"
"$(pg_bindir)/psql" -q "$REOPEN_PG_URL" -c "CREATE DATABASE city TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
db="postgres://reopen_admin@/city?host=$REOPEN_PG_DIR"
export REOPEN_NOW=2020-02-05T09:00:00+08:00
REOPEN_PASSWORD=Bench-2020-pw "$reopen" --user admin migrate --from "$work/city.db" --to "$db"
"$(pg_bindir)/psql" -q "$db" -c "ANALYZE"
"$reopen" --db "$db" --keys "$work/city.db.keys" --json serve --listen 127.0.0.1:0 --connections "${REOPEN_LOAD_CONNECTIONS:-4}" \
  > "$work/serve.out" 2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/serve.out" ] && break; sleep 0.2; done
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listening"])' "$work/serve.out")
fp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fingerprint"])' "$work/serve.out")
echo "server $url (pid $server_pid)"
REOPEN_LOAD_URL=$url REOPEN_LOAD_FINGERPRINT=$fp REOPEN_LOAD_ADMIN_PASSWORD=Bench-2020-pw \
  REOPEN_LOAD_SERVER_PID=$server_pid REOPEN_LOAD_USERS=$users REOPEN_LOAD_SECONDS=$secs \
  target/release/examples/load
grep -c '"op"\| op ' "$work/serve.log" | sed 's/^/requests logged by the server: /' || true
rm -rf "$work"
