#!/usr/bin/env bash
# Start-up time and idle memory of the desktop app, in a real window:
#   bash scripts/bench-app.sh [RUNS=10] [IDLE_SECONDS=5]
#   REOPEN_BENCH_DB=target/scale/province.db bash scripts/bench-app.sh 3   # an existing database
# Builds the release app (as scripts/run.sh does), makes an initialised database, then starts the app
# RUNS times with --bench-startup: each run prints the time from process start to the login screen
# painted and interactive, and the PSS of the app and its WebKit processes after IDLE_SECONDS idle
# (src-tauri/src/startup.rs). Uses the running X display, or a private Xvfb when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
idle=${2:-5}

if [ -z "${SKIP_BUILD:-}" ]; then
  [ -d ui/node_modules ] || npm ci --prefix ui --no-audit --no-fund
  npm run --prefix ui build >/dev/null
  cargo build --release --locked --features tauri/custom-protocol -p reopen-app -p reopen-cli
fi

work=$(mktemp -d)
xvfb=""
cleanup() { [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ -z "${DISPLAY:-}" ]; then
  Xvfb :87 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  export DISPLAY=:87
  sleep 1
fi

# A new, initialised database unless REOPEN_BENCH_DB names one (opened as it is; the app migrates
# an older one, as it would on an office PC).
db=${REOPEN_BENCH_DB:-$work/bench.db}
if [ -z "${REOPEN_BENCH_DB:-}" ]; then
  REOPEN_PASSWORD='Bench-2020-pw' target/release/reopen --db "$db" init --admin admin >/dev/null
elif [ ! -f "$db" ]; then
  echo "REOPEN_BENCH_DB=$db: no such database" >&2
  exit 1
fi
# PSS splits a shared page among the processes that map it: other WebKit processes on the machine
# (another app, a browser, end-to-end tests) share libwebkit2gtk and Mesa with ours and make it
# look smaller. Such runs are flagged.
# The web process's Mesa driver (libLLVM, about 40 MiB) is shared with the X server's GLX: with a
# private Xvfb, any other process mapping it (a second X server, another GL client) is flagged too.
llvm_sharers() {
  local n=0 m pid
  for m in /proc/[0-9]*/maps; do
    pid=${m#/proc/}; pid=${pid%/maps}
    [ "$pid" = "$xvfb" ] && continue
    grep -q 'libLLVM' "$m" 2>/dev/null && n=$((n + 1))
  done
  echo "$n"
}
for i in $(seq 1 "$runs"); do
  others=$(pgrep -c -r R,S,D 'WebKitWebProces' || true)  # zombies of the previous run share nothing
  [ "${others:-0}" -gt 0 ] && echo "run $i: $others other WebKit web process(es) running" >>"$work/shared"
  if [ -n "$xvfb" ]; then
    llvm=$(llvm_sharers)
    [ "$llvm" -gt 0 ] && echo "run $i: $llvm other process(es) map Mesa's libLLVM (another X server?)" >>"$work/shared"
  fi
  target/release/reopen-app --db "$db" --bench-startup="$idle" 2>/dev/null | tail -1 | tee -a "$work/runs.jsonl"
done
python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
ready = [r['ready_ms'] for r in rows]
pss = [r['pss_kib'] / 1024 for r in rows]
print(f"runs: {len(rows)}")
print(f"ready (process start → login painted and interactive): first {ready[0]:.0f} ms, "
      f"median {statistics.median(ready):.0f} ms, min {min(ready):.0f}, max {max(ready):.0f}")
print(f"idle PSS, app + WebKit processes: median {statistics.median(pss):.1f} MiB, "
      f"min {min(pss):.1f}, max {max(pss):.1f}")
last = rows[-1]['processes']
print("  last run: " + ", ".join(f"{p['name']} {p['pss_kib'] / 1024:.1f} MiB" for p in last))
PY
if [ -s "$work/shared" ]; then
  echo "warning: PSS may read low: other processes were running and may share its libraries:"
  sed 's/^/  /' "$work/shared"
fi
