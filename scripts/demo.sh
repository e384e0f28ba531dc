#!/usr/bin/env bash
# Builds `reopen`, creates a demo database and walks one application through the review:
# a firm files, the department returns it, the firm resubmits, the department and the leading
# group office approve. Prints every step. The database is left at $REOPEN_DB for you to explore.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p reopen-cli
R=target/release/reopen
export REOPEN_DB=${REOPEN_DB:-$PWD/target/demo/reopen.db}
export REOPEN_NOW=${REOPEN_NOW:-2020-02-05T09:00:00+08:00}
rm -f "$REOPEN_DB" "$REOPEN_DB-wal" "$REOPEN_DB-shm"
mkdir -p "$(dirname "$REOPEN_DB")"
ADMIN_PW=${ADMIN_PW:-Chief-2020x}

echo "== reopen init --demo (REOPEN_NOW=$REOPEN_NOW, db $REOPEN_DB)"
out=$(REOPEN_PASSWORD=$ADMIN_PW $R init --demo --admin admin)
echo "$out"
pw() { echo "$out" | awk -v u="$1" '$1==u {print $3}'; }
as() { local u=$1; shift; REOPEN_PASSWORD=$(pw "$u") $R --user "$u" "$@"; }

echo; echo "== the draft of 雅安雨城综合建材商行 (firm8, application 8): submit"
as firm8 app submit 8
echo; echo "== 雨城区商务局 (yc_swj) queue: pending first, overdue marked"
as yc_swj review queue
echo; echo "== yc_swj returns application 8"
as yc_swj review decide 8 --return --opinion "请补充员工返岗日期和口罩储备情况"
echo; echo "== firm8 adds masks and resubmits"
plan=$(mktemp)
as firm8 app show 8 --json | python3 -c 'import json,sys; a=json.load(sys.stdin); p=a["plan"]; p["supplies"]["masks"]+=500; p["planned_date"]=p["planned_date"]; print(json.dumps(p, ensure_ascii=False))' > "$plan"
as firm8 app update 8 --file "$plan"
as firm8 app submit 8
as yc_swj app diff 8
echo; echo "== yc_swj approves with a headcount; the leading group office countersigns"
as yc_swj review decide 8 --approve --headcount 5 --opinion "同意复工" --conditions "每日两次测温;进出登记"
as yc_zhb review decide 8 --approve --opinion "同意"
echo; echo "== the audit chain"
REOPEN_PASSWORD=$ADMIN_PW $R --user admin audit verify
echo; echo "Explore: REOPEN_DB=$REOPEN_DB REOPEN_PASSWORD=<a password above> $R --user <name> app list"
