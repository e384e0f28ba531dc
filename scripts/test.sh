#!/usr/bin/env bash
# Runs every test:
#   1. the UI's type check, Vitest and build (the build is what the desktop app embeds);
#   2. the whole Rust workspace — unit tests beside the code, integration tests against real
#      temporary SQLite files, PDFs checked with qpdf/poppler/zbar, the CLI end to end, the app's
#      commands through Tauri's mock runtime. Built with the UI embedded (tauri/custom-protocol),
#      so the app binary these builds produce is the one the end-to-end tests drive;
#   3. the CLI's tests again through `reopen serve` (two servers on the one database);
#   4. the core's integration tests and the CLI's journey again on PostgreSQL, directly and through
#      two servers: a throwaway cluster started here (scripts/lib/pg.sh: initdb + pg_ctl as an
#      unprivileged user, a Unix socket in a temporary folder, removed on exit), a fresh database
#      per test;
#   5. end to end: WebdriverIO drives the real app window through tauri-driver and WebKitWebDriver
#      under Xvfb (tests/e2e): on its own database, then as a client of `reopen serve` on the
#      throwaway PostgreSQL (network mode).
# Ends with one summary line over all of them.
# On Debian/Ubuntu it installs missing system packages (root or sudo), and tauri-driver with cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/debs.sh
. scripts/lib/pg.sh
ensure_debs "${APP_DEBS[@]}" "${TEST_DEBS[@]}" "${PG_DEBS[@]}"
command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed (UI build, end-to-end tests)" >&2; exit 1; }
TAURI_DRIVER=${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}
[ -x "$TAURI_DRIVER" ] || cargo install tauri-driver --version '^2' --locked
export TAURI_DRIVER

logs=$(mktemp -d)
trap 'stop_test_pg; rm -rf "$logs"' EXIT

# Every suite runs, whatever an earlier one did: a failing step is recorded and the script goes on,
# so one run reports every failure; it exits non-zero at the end if any step failed.
failed_steps=()
step() {
  local name=$1 log=$2
  shift 2
  echo "== $name: $*"
  if ! "$@" 2>&1 | tee -a "$logs/$log"; then
    failed_steps+=("$name")
  fi
}
touch "$logs/ui" "$logs/rust" "$logs/e2e"

[ -d ui/node_modules ] || npm ci --prefix ui --no-audit --no-fund
step "ui type check" ui-build npm run --prefix ui typecheck
step "ui unit tests" ui npm run --prefix ui test
step "ui build" ui-build npm run --prefix ui build

# --no-fail-fast: every test binary runs even when one fails (cargo stops at the first otherwise).
# REOPEN_TEST_PG unset: these run on SQLite files.
step "rust" rust env -u REOPEN_TEST_PG cargo test --workspace --locked --no-fail-fast --features tauri/custom-protocol "$@"
# Every CLI test again through a server on the SQLite file, but three whose subject is this PC
# itself: the CLI's own clock (REOPEN_NOW), the key file of this PC, and the wait after wrong
# passwords (a server also counts failures per client address, and the tests share one).
step "CLI through two servers" rust env -u REOPEN_TEST_PG REOPEN_TEST_SERVER=1 \
  cargo test --locked --no-fail-fast -p reopen-cli --test cli "$@" -- \
  --skip malformed_reopen_now_is_refused --skip a_sealed_roster_needs_the_key_file \
  --skip wrong_passwords_make_the_next_attempt_wait

# The same core tests and the CLI's journey on PostgreSQL (cargo test -p reopen-core --test core
# with REOPEN_TEST_PG set runs them there by hand).
if start_test_pg; then
  step "rust on PostgreSQL" rust env REOPEN_TEST_PG="$REOPEN_PG_URL" \
    cargo test --locked --no-fail-fast -p reopen-core --test core "$@"
  step "CLI on PostgreSQL" rust env REOPEN_TEST_PG="$REOPEN_PG_URL" \
    cargo test --locked --no-fail-fast -p reopen-cli --test cli "$@" -- journey certs:: forms:: concurrency:: server::
  # The same through `reopen serve` (REOPEN_TEST_SERVER=1): user commands go to --server, and
  # processes started at once go to two servers on the one database in turn.
  step "CLI through two servers on PostgreSQL" rust env REOPEN_TEST_PG="$REOPEN_PG_URL" REOPEN_TEST_SERVER=1 \
    cargo test --locked --no-fail-fast -p reopen-cli --test cli "$@" -- journey certs:: forms:: concurrency:: permissions:: \
    --skip wrong_passwords_make_the_next_attempt_wait
else
  failed_steps+=("PostgreSQL cluster")
fi

[ -d tests/e2e/node_modules ] || npm ci --prefix tests/e2e --no-audit --no-fund
step "end-to-end" e2e xvfb-run -a -s "-screen 0 1280x800x24" npm test --prefix tests/e2e
# The window again as a client of `reopen serve` on the throwaway cluster (network mode).
if [ -n "${REOPEN_PG_URL:-}" ]; then
  step "end-to-end, network mode" e2e env REOPEN_PG_URL="$REOPEN_PG_URL" \
    xvfb-run -a -s "-screen 0 1280x800x24" npm run test:network --prefix tests/e2e
fi

# Vitest: "Tests  31 passed (31)"; cargo: "test result: ok. 12 passed; 0 failed; ..."; WebdriverIO's
# spec reporter: one "✓" or "✖" line per test.
ui=$(sed 's/\x1b\[[0-9;]*m//g' "$logs/ui" | awk '/^ *Tests / { for (i = 1; i <= NF; i++) { if ($(i) == "passed") p += $(i-1); if ($(i) == "failed") f += $(i-1) } }
     END { printf "%d %d", p, f }')
rust=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "%d %d", p, f }' "$logs/rust")
e2e=$(awk '/\] +✓ / { p++ } /\] +✖ / { f++ } END { printf "%d %d", p, f }' "$logs/e2e")
read -r up uf <<<"$ui"
read -r rp rf <<<"$rust"
read -r ep ef <<<"$e2e"
echo "ui: $up passed, $uf failed; rust: $rp passed, $rf failed; end-to-end: $ep passed, $ef failed"
if [ ${#failed_steps[@]} -gt 0 ]; then
  # A step can fail without a failed test (a build error, a crashed runner): count it as one.
  echo "failed steps: ${failed_steps[*]}"
  total_failed=$((uf + rf + ef))
  [ "$total_failed" -gt 0 ] || total_failed=${#failed_steps[@]}
  echo "all tests: $((up + rp + ep)) passed, $total_failed failed"
  exit 1
fi
echo "all tests: $((up + rp + ep)) passed, $((uf + rf + ef)) failed"
