#!/usr/bin/env bash
# Builds the Debian installer with the Tauri CLI (npm's prebuilt @tauri-apps/cli, a dev dependency
# of ui/): `tauri build --bundles deb` runs the UI build (beforeBuildCommand), builds the release
# app with the UI embedded, and writes target/release/bundle/deb/*.deb. Prints its path and size.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/debs.sh
ensure_debs "${APP_DEBS[@]}"
[ -d ui/node_modules ] || npm ci --prefix ui --no-audit --no-fund
# The app (Cargo.toml, tauri.conf.json) is the repository root and the frontend is ui/, where the
# before-build command runs; without TAURI_FRONTEND_PATH the CLI takes the first package.json it
# finds below the root (tests/e2e). `tauri dev` needs the same two variables. The workspace's
# default members are the core and the CLI, so the app package is named.
TAURI_APP_PATH=$PWD TAURI_FRONTEND_PATH=$PWD/ui ui/node_modules/.bin/tauri build --bundles deb -- --package reopen-app
deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
echo "$deb: $(du -h "$deb" | cut -f1) ($(stat -c %s "$deb") bytes)"
dpkg-deb --info "$deb" | sed -n '/Package:/,/Description:/p'
