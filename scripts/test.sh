#!/usr/bin/env bash
# Runs every test of the workspace: unit tests beside the code, integration tests against real
# temporary SQLite files, and the CLI end to end (the built `reopen` binary). Ends with one
# summary line over all test binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked "$@" 2>&1 | tee "$log"
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"
