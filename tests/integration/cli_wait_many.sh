# wait on several jobs: --all exits with the worst outcome, --any with the
# first job to end, one line per transition off a terminal, 124 on timeout,
# and 130 on SIGINT with the jobs still tracked.
source "$(dirname "$0")/lib.sh"

start_fakeapi
prism_config
steps() {  # id final-status-step
  fake_job "{\"api\": \"prism\", \"id\": \"$1\", \"steps\": [{\"status\": \"processing\", \"progress\": 30, \"polls\": ${3:-2}}, $2]}"
}
steps ok '{"status": "complete", "rows": 2}'
# part stays running for a few seconds, so it is still running when the
# first wait starts, however slow the machine: its transitions are streamed.
steps part '{"status": "complete", "rows": 4, "row_errors": 1}' 10
steps bad '{"status": "failed", "error": {"code": "E", "message": "broken"}}' 6
steps ok2 '{"status": "complete", "rows": 1}'
fake_job '{"api": "prism", "id": "forever", "steps": [{"status": "processing", "progress": 10}]}'
start_daemon

ok=$(ctl track prism ok)
part=$(ctl track prism part)
out=$(ctl wait "$ok" "$part" --timeout 30s) && code=0 || code=$?
assert_eq "$code" "2" "--all: partial and succeeded exit 2"
assert_contains "$out" "job $part: " "a line per transition names the job"
assert_contains "$out" "-> partial" "the partial transition is shown"

ok2=$(ctl track prism ok2)
bad=$(ctl track prism bad)
set +e
ctl wait --all "$ok2" "$bad" --timeout 30s >/dev/null
assert_eq "$?" "1" "--all: a failure is the worst"
set -e
ctl wait "$ok" "$ok2" >/dev/null || fail "--all of succeeded jobs exits 0"

forever=$(ctl track prism forever)
set +e
ctl wait --any "$forever" "$ok" --timeout 30s >/dev/null
assert_eq "$?" "0" "--any: the first to end (succeeded) decides"
ctl wait --any "$forever" "$bad" --timeout 30s >/dev/null
assert_eq "$?" "1" "--any: the first to end (failed) decides"
ctl wait "$forever" "$ok" --timeout 1s 2>"$SCRATCH/err" >/dev/null
assert_eq "$?" "124" "--timeout exits 124"
set -e
assert_contains "$(cat "$SCRATCH/err")" "$forever" "the timeout names the job still waited for"

# JSON lines, one per reply.
ctl --json wait "$ok" "$part" >"$SCRATCH/lines" || true
assert_eq "$(jq -s 'map(.job.id) | unique | length' "$SCRATCH/lines")" "2" "JSON lines of both jobs"

# Ctrl-C: exit 130, the job stays tracked.
"$JOBTRACKCTL" wait "$forever" >"$SCRATCH/int.out" 2>"$SCRATCH/int.err" &
waiter=$!
wait_until 10 test -s "$SCRATCH/int.out"
kill -INT "$waiter"
set +e
wait "$waiter"
assert_eq "$?" "130" "SIGINT exits 130"
set -e
assert_eq "$(job_field "$forever" state)" "running" "the job is still tracked"
pass "wait on several jobs"
