#!/usr/bin/env bash
# Runs every test of the workspace: unit tests beside the code, integration tests against real
# temporary SQLite files, and the CLI end to end (the built `reopen` binary).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked "$@"
