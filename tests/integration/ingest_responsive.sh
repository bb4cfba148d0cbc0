# A large result set (200k rows) is stored while the daemon keeps answering:
# `show` and `status` calls finish while the rows are on their way in (between
# the poll's answer and the commit), a Track made meanwhile is acknowledged
# only once committed, and an outside reader sees none or all of the rows,
# never part of them.
source "$(dirname "$0")/lib.sh"

ROWS=200000
start_fakeapi --token prism=test-key
prism_config
fake_job "{\"api\": \"prism\", \"id\": \"big\", \"steps\": [{\"status\": \"processing\", \"polls\": 1},
  {\"status\": \"complete\", \"rows\": $ROWS, \"row_errors\": 7}]}"
fake_job '{"api": "prism", "id": "small", "steps": [{"status": "complete", "rows": 3}]}'
start_daemon

id=$(ctl track prism big)

# Callers: show and status in turn, each line "finished_at_ms ok|fail".
(
  while [[ ! -e "$SCRATCH/stop" ]]; do
    if ctl show "$id" >/dev/null 2>&1; then r=ok; else r=fail; fi
    echo "$(now_ms) show $r" >>"$SCRATCH/calls"
    if ctl status >/dev/null 2>&1; then r=ok; else r=fail; fi
    echo "$(now_ms) status $r" >>"$SCRATCH/calls"
  done
) &
EXTRA_PIDS+=($!)
# An outside reader: the job's row count, as often as it can.
(
  while [[ ! -e "$SCRATCH/stop" ]]; do
    sql "SELECT count(*) FROM import_results WHERE job_id = $id" >>"$SCRATCH/counts" 2>/dev/null || true
  done
) &
EXTRA_PIDS+=($!)
# A Track while the rows stream in; acknowledged means committed.
(
  big_fetched() { (($(fake_polls prism big) >= 2)); }
  wait_until 30 big_fetched || true
  ctl track prism small >"$SCRATCH/small.id" 2>&1 || echo "failed" >>"$SCRATCH/small.id"
) &
track_pid=$!

ctl wait "$id" --timeout 60s >/dev/null || true
committed=$(now_ms)
wait "$track_pid" || true
touch "$SCRATCH/stop"
sleep 0.3

assert_eq "$(sql "SELECT state || '|' || results_stored FROM jobs WHERE id = $id")" "partial|$ROWS" "all rows stored, state partial"
assert_eq "$(sql "SELECT count(*) FROM import_results WHERE job_id = $id")" "$ROWS" "rows in SQLite"
partial=$(sort -u "$SCRATCH/counts" | grep -vxE "0|$ROWS" || true)
[[ -z "$partial" ]] || fail "an outside reader saw a partial result set: $(echo $partial | head -c 200)"

# The response arrived at started_at + latency_ms of the poll that carried the
# rows (the poll is recorded as of its answer, not of the commit).
arrived=$(sql "SELECT started_at + latency_ms FROM polls WHERE job_id = $id AND http_status = 200 ORDER BY id DESC LIMIT 1")
during=$(awk -v a="$arrived" -v c="$committed" '$1 > a && $1 < c && $3 == "ok"' "$SCRATCH/calls" | wc -l)
failed=$(awk '$3 == "fail"' "$SCRATCH/calls" | wc -l)
echo "ingest took $((committed - arrived)) ms; $during calls answered meanwhile; $failed failed"
assert_eq "$failed" "0" "every show and status call answered"
((during >= 3)) || fail "only $during show/status calls answered while the rows were stored ($((committed - arrived)) ms)"

small=$(cat "$SCRATCH/small.id")
[[ $small =~ ^[0-9]+$ ]] || fail "the track made during the ingest failed: $small"
assert_eq "$(sql "SELECT remote_id FROM jobs WHERE id = $small")" "small" "the acknowledged track is stored"
pass "show and status answer while 200k rows are stored; rows appear all at once"
