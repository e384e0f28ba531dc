# Sourced by scripts/test.sh and the benchmark scripts: a throwaway PostgreSQL cluster for the
# tests, started by the scripts themselves (no server is assumed to run): initdb and pg_ctl as an
# unprivileged user (initdb refuses root), listening only on a Unix socket in a temporary folder,
# the cluster's superuser trusted on that socket (other roles give their passwords), stopped and
# removed on exit. Databases are created with collation C (text sorts bytewise, as in SQLite) and
# LC_CTYPE C.UTF-8 (pg_trgm needs it for Chinese). fsync is off: the cluster is thrown away after
# the run.
#
# Sets REOPEN_PG_URL, the URL of the cluster's maintenance database (its superuser reopen_admin,
# trust on the socket). Tests run against it when REOPEN_TEST_PG is set to it; they create a fresh
# database per test from a migrated template.
PG_DEBS=(postgresql postgresql-contrib)

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { command -v pg_ctl >/dev/null && d=$(dirname "$(command -v pg_ctl)"); }
  [ -x "$d/initdb" ] || { echo "PostgreSQL's initdb was not found (Debian: apt-get install postgresql)" >&2; return 1; }
  echo "$d"
}

# Runs a command as the cluster's owner: the postgres user when we are root, else ourselves.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_test_pg() {
  local bin
  bin=$(pg_bindir) || return 1
  REOPEN_PG_DIR=$(mktemp -d /tmp/reopen-pg.XXXXXX)
  chmod 0755 "$REOPEN_PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$REOPEN_PG_DIR"
  pg_as_owner "$bin/initdb" -D "$REOPEN_PG_DIR/data" -U reopen_admin --auth=trust -E UTF8 \
    --locale=C --lc-ctype=C.UTF-8 >"$REOPEN_PG_DIR/initdb.log" 2>&1 \
    || { cat "$REOPEN_PG_DIR/initdb.log" >&2; return 1; }
  # The cluster's superuser is trusted on the socket; every other role gives its password, so
  # that the tests see what a wrong one does.
  printf 'local all reopen_admin trust\nlocal all all scram-sha-256\n' >"$REOPEN_PG_DIR/data/pg_hba.conf"
  resume_test_pg || return 1
  REOPEN_PG_URL="postgres://reopen_admin@/postgres?host=$REOPEN_PG_DIR"
  export REOPEN_PG_DIR REOPEN_PG_URL
  echo "PostgreSQL test cluster: $REOPEN_PG_URL"
}

# Starts the cluster of REOPEN_PG_DIR (again, after pause_test_pg).
resume_test_pg() {
  local bin
  bin=$(pg_bindir) || return 1
  pg_as_owner "$bin/pg_ctl" -D "$REOPEN_PG_DIR/data" -l "$REOPEN_PG_DIR/server.log" -w \
    -o "-c listen_addresses='' -k $REOPEN_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$REOPEN_PG_DIR/server.log" >&2; return 1; }
}

# Stops the cluster of REOPEN_PG_DIR, keeping its data (a test of a database that goes away).
pause_test_pg() {
  local bin
  bin=$(pg_bindir) || return 1
  pg_as_owner "$bin/pg_ctl" -D "$REOPEN_PG_DIR/data" -m fast -w stop >/dev/null
}

stop_test_pg() {
  [ -n "${REOPEN_PG_DIR:-}" ] && [ -d "$REOPEN_PG_DIR" ] || return 0
  local bin
  bin=$(pg_bindir) || return 0
  pg_as_owner "$bin/pg_ctl" -D "$REOPEN_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$REOPEN_PG_DIR"
  unset REOPEN_PG_DIR REOPEN_PG_URL
}
