# results --output csv streams a 100k-row import page by page: every row
# arrives, quoted per RFC 4180, and the CLI's memory stays far below the
# output's size.
source "$(dirname "$0")/lib.sh"

start_fakeapi
prism_config
fake_job '{"api": "prism", "id": "big", "steps": [{"status": "complete", "rows": 100000, "row_errors": 100}]}'
fake_job '{"api": "prism", "id": "small", "steps": [{"status": "complete", "rows": 10}]}'
start_daemon
small=$(ctl track prism small)
wait_for 60 '[[ $(job_field "$small" results_stored) == 10 ]]'

big=$(ctl track prism big)
wait_until 120 job_state_is "$big" partial
wait_for 60 '[[ $(job_field "$big" results_stored) == 100000 ]]'

/usr/bin/time -f %M -o "$SCRATCH/rss" "$JOBTRACKCTL" results "$big" --output csv >"$SCRATCH/rows.csv"
assert_eq "$(head -1 "$SCRATCH/rows.csv")" "row,record_id,created,existing,error_code,error_message" "CSV header"
assert_eq "$(wc -l <"$SCRATCH/rows.csv")" "100001" "every row and the header"
# The same command on 10 rows: what the program costs before any rows.
/usr/bin/time -f %M -o "$SCRATCH/rss0" "$JOBTRACKCTL" results "$small" --output csv >/dev/null
size_kb=$(( $(stat -c %s "$SCRATCH/rows.csv") / 1024 ))
rss_kb=$(cat "$SCRATCH/rss")
base_kb=$(cat "$SCRATCH/rss0")
echo "output ${size_kb} KiB, max RSS ${rss_kb} KiB (${base_kb} KiB for 10 rows)"
sanitized || (( rss_kb - base_kb < size_kb / 2 )) || fail "100k rows grew the RSS by $((rss_kb - base_kb)) KiB of ${size_kb} KiB output"
sanitized || (( rss_kb - base_kb < 4096 )) || fail "memory grows with the rows: ${rss_kb} KiB vs ${base_kb} KiB"

errors=$(ctl results "$big" --errors-only --output csv | tail -n +2)
assert_eq "$(wc -l <<<"$errors")" "100" "--errors-only rows"
python3 - "$SCRATCH/rows.csv" <<'EOF_PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 100000, len(rows)
assert rows[0]["row"] == "0"
assert sum(1 for r in rows if r["error_code"]) == 100
EOF_PY
pass "results --output csv"
