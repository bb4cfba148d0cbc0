# Transition hooks: the daemon runs on_transition after each committed change
# of state, with the job's fields only in the environment (a remote id full
# of shell syntax reaches the hook verbatim and runs nothing), logs a failing
# exit status with the hook's output, and kills a hook that outlives
# hook_timeout while it keeps polling and answering.
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key

# Appends one block per run: the JOBTRACK_ variables it saw, and whether the
# daemon's token variable leaked in. Exits 7 for the job "fail-me".
cat >"$SCRATCH/record.sh" <<EOF_HOOK
#!/bin/sh
{
  echo "BEGIN"
  env | grep '^JOBTRACK_' | sort
  echo "token=\${PRISM_API_KEY:-none}"
  echo "END"
} >>"$SCRATCH/hooks.log"
if [ "\$JOBTRACK_REMOTE_ID" = "fail-me" ]; then echo "boom on stderr" >&2; exit 7; fi
exit 0
EOF_HOOK
cat >"$SCRATCH/slow.sh" <<EOF_HOOK
#!/bin/sh
echo "slow hook started" >"$SCRATCH/slow.started"
sleep 60
echo "slow hook finished" >"$SCRATCH/slow.finished"
EOF_HOOK
chmod +x "$SCRATCH/record.sh" "$SCRATCH/slow.sh"

write_config <<EOF_CONFIG
on_transition = ["$SCRATCH/record.sh", "--quiet"]
hook_timeout = "1s"

[endpoints.prism]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
poll_initial = "100ms"
poll_max = "200ms"
retry_initial = "100ms"
retry_max = "500ms"

[endpoints.slow]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
poll_initial = "100ms"
poll_max = "200ms"
on_transition = ["$SCRATCH/slow.sh"]

[endpoints.stubborn]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
poll_initial = "100ms"
on_transition = ["/bin/sh", "-c", "trap '' TERM; echo ignoring TERM; while :; do sleep 0.2; done"]
EOF_CONFIG
"$JOBTRACKD" --config "$CONFIG" --check-config >/dev/null || fail "--check-config accepts the hook keys"
pass "--check-config accepts on_transition and hook_timeout"

evil='$(touch pwned); x'
fake_job "$(jq -nc --arg id "$evil" '{api: "prism", id: $id, team: "team1", steps: [
  {status: "processing", total: 2, processed: 1, succeeded: 1, failed: 0, polls: 2},
  {status: "complete", rows: 2}]}')"
fake_job '{"api": "prism", "id": "fail-me", "team": "team1", "steps": [
  {"status": "processing", "total": 2, "processed": 1, "succeeded": 1, "failed": 0, "polls": 1},
  {"status": "complete", "rows": 2}]}'
fake_job '{"api": "prism", "id": "s-1", "team": "team1", "steps": [
  {"status": "processing", "total": 2, "processed": 1, "succeeded": 1, "failed": 0, "polls": 1000}]}'
start_daemon

id=$(ctl track prism "$evil")
ctl wait "$id" --timeout 20s >/dev/null
wait_for 10 '[[ $(grep -c "^END" "$SCRATCH/hooks.log") -ge 2 ]]'
sleep 0.3
blocks=$(awk '/^BEGIN/{n++} END{print n}' "$SCRATCH/hooks.log")
assert_eq "$blocks" "2" "one hook run per change of state (queued -> running -> succeeded)"

block() {  # N -> the Nth recorded run
  awk -v want="$1" '/^BEGIN/{n++; next} /^END/{next} n == want' "$SCRATCH/hooks.log"
}
first=$(block 1)
second=$(block 2)
assert_contains "$first" "JOBTRACK_JOB_ID=$id" "job id"
assert_contains "$first" "JOBTRACK_ENDPOINT=prism" "endpoint"
assert_contains "$first" "JOBTRACK_REMOTE_ID=$evil" "remote id reaches the hook verbatim"
assert_contains "$first" "JOBTRACK_FROM=queued" "first hook: from queued"
assert_contains "$first" "JOBTRACK_TO=running" "first hook: to running"
assert_contains "$first" "JOBTRACK_PROGRESS=50" "progress"
assert_contains "$second" "JOBTRACK_FROM=running" "second hook: from running"
assert_contains "$second" "JOBTRACK_TO=succeeded" "second hook: to succeeded"
assert_contains "$first" "token=none" "the daemon's environment (its token) stays out of hooks"
grep -q '^JOBTRACK_ERROR=' <<<"$second" && fail "JOBTRACK_ERROR is unset without an error"
pass "JOBTRACK_ERROR unset when there is no error"
[[ ! -e pwned && ! -e "$SCRATCH/pwned" ]] || fail "shell syntax in a remote id was executed"
pass "nothing in the remote id was executed"

fail_id=$(ctl track prism fail-me)
set +e
ctl wait "$fail_id" --timeout 20s >/dev/null
set -e
wait_for 10 'grep -q "job $fail_id (running → succeeded) exited with status 7" "$DAEMON_LOG"'
assert_contains "$(grep "job $fail_id (running → succeeded)" "$DAEMON_LOG")" "boom on stderr" \
  "the hook's output is logged"

slow_id=$(ctl track slow s-1)
wait_until 10 test -e "$SCRATCH/slow.started"
polls_before=$(fake_polls prism s-1)
ctl status >/dev/null || fail "the daemon answers while a hook runs"
pass "the daemon answers while a hook runs"
wait_for 10 'grep -q "job $slow_id (queued → running) killed by SIGTERM after its timeout" "$DAEMON_LOG"'
(($(fake_polls prism s-1) > polls_before)) || fail "polling went on while the hook ran"
pass "polling went on while the hook ran"
[[ ! -e "$SCRATCH/slow.finished" ]] || fail "the slow hook was not stopped"
ctl status >/dev/null || fail "the daemon answers after killing a hook"
pass "slow hook killed at its timeout"

# A hook that ignores SIGTERM is killed kKillGrace (5 s) later.
fake_job '{"api": "prism", "id": "st-1", "team": "team1", "steps": [
  {"status": "processing", "total": 2, "processed": 1, "succeeded": 1, "failed": 0, "polls": 1000}]}'
stubborn_id=$(ctl track stubborn st-1)
wait_for 15 'grep -q "job $stubborn_id (queued → running) killed by SIGKILL after its timeout" "$DAEMON_LOG"'
assert_contains "$(grep "job $stubborn_id (queued → running) killed" "$DAEMON_LOG")" "ignoring TERM" \
  "the output of a killed hook is logged"
pass "a hook ignoring SIGTERM is killed with SIGKILL"

# A reload picks up a new command.
sed -i "s|^on_transition = .*|on_transition = [\"/bin/true\"]|" "$CONFIG"
kill -HUP "$DAEMON_PID"
wait_for 10 'grep -q "configuration reloaded" "$DAEMON_LOG"'
fake_job '{"api": "prism", "id": "after-reload", "team": "team1", "steps": [{"status": "complete", "rows": 1}]}'
blocks_before=$(grep -c '^END' "$SCRATCH/hooks.log")
r_id=$(ctl track prism after-reload)
ctl wait "$r_id" --timeout 20s >/dev/null
wait_for 10 'grep -q "hook /bin/true for job $r_id" "$DAEMON_LOG"'
assert_eq "$(grep -c '^END' "$SCRATCH/hooks.log")" "$blocks_before" "the old command no longer runs"

stop_daemon
