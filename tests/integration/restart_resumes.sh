# A daemon stopped (SIGTERM) or killed (SIGKILL) and started again resumes
# every job's schedule from the database and finishes them.
source "$(dirname "$0")/lib.sh"

# The jobs stay processing until the last restart, however slow the machine:
# a timed step would start at registration and could end before the first poll.
start_fakeapi --token prism=test-key
prism_config
for n in 1 2 3; do
  fake_job "{\"api\": \"prism\", \"id\": \"r$n\", \"steps\": [{\"status\": \"processing\", \"progress\": 10}]}"
done
start_daemon
ctl track prism r1 >/dev/null
ctl track prism r2 >/dev/null
wait_until 30 job_state_is 1 running
stop_daemon
assert_eq "$(sql 'SELECT count(*) FROM jobs')" "2" "jobs survive a clean stop"

start_daemon
ctl track prism r3 >/dev/null
kill_daemon
assert_eq "$(sql "SELECT count(*) FROM jobs WHERE remote_id = 'r3'")" "1" "an acknowledged track survives SIGKILL"

start_daemon
for n in 1 2 3; do
  fake_job "{\"api\": \"prism\", \"id\": \"r$n\", \"steps\": [{\"status\": \"complete\", \"rows\": 2}]}"
done
for id in 1 2 3; do
  ctl wait "$id" --timeout 60s >/dev/null || fail "job $id finishes after restarts"
done
assert_eq "$(sql "SELECT group_concat(state) FROM jobs ORDER BY id")" "succeeded,succeeded,succeeded" "all finished"
[[ "$(sql 'PRAGMA integrity_check')" == "ok" ]] || fail "integrity_check"
pass "restart resumes"
