#!/usr/bin/env bash
# Starts the desktop app (复工复产审批) on an embedded SQLite database.
#   bash scripts/run.sh            # your database in the per-user data directory
#   bash scripts/run.sh --demo     # a separate demo database with sample users, firms and applications
#                                  # (the generated passwords are printed here once)
# On Debian/Ubuntu it installs the system packages Tauri needs when they are missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/debs.sh
ensure_debs "${APP_DEBS[@]}"

command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed to build the UI" >&2; exit 1; }
[ -d ui/node_modules ] || npm ci --prefix ui --no-audit --no-fund
npm run --prefix ui build
cargo build --release --locked --features tauri/custom-protocol -p reopen-app
exec target/release/reopen-app "$@"
