#!/usr/bin/env bash
# Makes the README's pictures of the papers from the demo database, through `reopen` as a
# county office would: the 受理回执 at submission, the 退回补正告知书 after a return, the
# 复工复产批准通知书 and the 申请审批表 after two approvals, a 不予批准决定书, and the daily
# bulletin 复工复产日报. Each PDF page is rendered with pdftoppm into docs/papers/ (the README shows
# them). Needs poppler-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked -q -p reopen-cli
R=$PWD/target/debug/reopen
docs=$PWD/docs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export REOPEN_DB=$work/reopen.db
export REOPEN_NOW=${REOPEN_NOW:-2020-02-05T09:00:00+08:00}
out=$(REOPEN_PASSWORD=Chief-2020x $R init --demo --admin admin)
pw() { echo "$out" | awk -v u="$1" '$1==u {print $3}'; }
as() { local u=$1; shift; REOPEN_PASSWORD=$(pw "$u") $R --user "$u" "$@"; }

# Application 8 (雅安雨城综合建材商行): submitted, returned, corrected, approved twice, certified.
as firm8 app submit 8 >/dev/null
as yc_clerk form print 8 --kind receipt --out "$work/receipt.pdf" >/dev/null
as yc_swj review decide 8 --return --opinion "请补充员工返岗日期；口罩储备不足 7 天用量，请补充后重新提交" >/dev/null
as yc_clerk form print 8 --kind return --out "$work/return-notice.pdf" >/dev/null
as firm8 app show 8 --json | python3 -c 'import json,sys; p=json.load(sys.stdin)["plan"]; p["supplies"]["masks"]+=500; print(json.dumps(p, ensure_ascii=False))' >"$work/plan.json"
as firm8 app update 8 --file "$work/plan.json" >/dev/null
as firm8 app submit 8 >/dev/null
as yc_swj review decide 8 --approve --headcount 5 --opinion "同意复工" --conditions "每日两次测温并登记；进出人员一律登记" >/dev/null
as yc_zhb review decide 8 --approve --opinion "同意" >/dev/null
number=$(as yc_clerk cert issue 8 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["number"])')
as yc_clerk cert print "$number" --out "$work/certificate.pdf" >/dev/null
as yc_clerk form print 8 --out "$work/form.pdf" >/dev/null

# Another application of 雨城区商务局's queue, not approved (不同意).
other=$(as yc_swj review queue --json | python3 -c 'import json,sys; print(next(r["application_id"] for r in json.load(sys.stdin) if r["state"] == "pending" and r["application_id"] != 8))')
as yc_swj review decide "$other" --reject --opinion "生产车间与员工宿舍未分离，不具备集中隔离观察条件，暂不同意复工" >/dev/null
as yc_clerk form print "$other" --kind rejection --out "$work/rejection.pdf" >/dev/null

# The day's bulletin, as the leader prints it.
as ya_leader stats --pdf "$work/bulletin.pdf" >/dev/null

mkdir -p "$docs/papers"
rm -f "$docs"/papers/*.png
for f in certificate form receipt return-notice rejection bulletin; do
  pdftoppm -png -r 80 "$work/$f.pdf" "$docs/papers/$f"
done
ls "$docs/papers"
