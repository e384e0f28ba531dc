#!/usr/bin/env bash
# Starts the desktop app (复工复产审批) on an embedded SQLite database.
#   bash scripts/run.sh            # your database in the per-user data directory
#   bash scripts/run.sh --demo     # a separate demo database with sample users, firms and applications
#                                  # (the generated passwords are printed here once)
# On Debian/Ubuntu it installs the system packages Tauri needs when they are missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev build-essential pkg-config fonts-noto-cjk)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed to build the UI" >&2; exit 1; }
[ -d ui/node_modules ] || npm ci --prefix ui --no-audit --no-fund
npm run --prefix ui build
cargo build --release --locked --features tauri/custom-protocol -p reopen-app
exec target/release/reopen-app "$@"
