#!/usr/bin/env bash
# Runs every test: the UI's (type check, Vitest, and the build the desktop app embeds), then the
# whole Rust workspace — unit tests beside the code, integration tests against real temporary SQLite
# files, PDFs checked with qpdf/poppler/zbar, the CLI end to end, the app's commands through Tauri's
# mock runtime. Ends with one summary line over all test binaries.
# System packages: see README (".ci/run" installs them on Debian 12).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d ui/node_modules ] || npm ci --prefix ui --no-audit --no-fund
npm run --prefix ui typecheck
npm run --prefix ui test
npm run --prefix ui build
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked "$@" 2>&1 | tee "$log"
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"
