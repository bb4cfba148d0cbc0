# Prism's other endings: a failed import keeps its job-level error, a job
# that 404s after being seen is expired, one never seen is not_found after
# the confirming polls, and a succeeded one exits wait with 0.
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key
prism_config
fake_job '{"api": "prism", "id": "ok", "steps": [{"status": "processing", "polls": 1}, {"status": "complete", "rows": 3}]}'
fake_job '{"api": "prism", "id": "bad", "steps": [{"status": "processing", "polls": 1},
  {"status": "failed", "error": {"code": "invalid_csv", "message": "row 1: missing header"}}]}'
fake_job '{"api": "prism", "id": "vanishes", "steps": [{"status": "processing", "polls": 2}, {"gone": true}]}'
start_daemon

ok=$(ctl track prism ok)
bad=$(ctl track prism bad)
vanishes=$(ctl track prism vanishes)
never=$(ctl track prism never-existed)

ctl wait "$ok" --timeout 20s >/dev/null || fail "wait exits 0 for a succeeded import"
set +e
ctl wait "$bad" --timeout 20s >/dev/null
assert_eq "$?" "1" "wait exits 1 for a failed import"
set -e
assert_eq "$(job_field "$bad" error_code)" "invalid_csv" "job-level error code"
assert_eq "$(job_field "$bad" error_message)" "row 1: missing header" "job-level error message"

wait_until 20 job_state_is "$vanishes" expired
wait_until 20 job_state_is "$never" not_found
assert_eq "$(ctl --json history prism:vanishes | jq -r '[.[].to] | join(",")')" "queued,running,expired" "expired history"
[[ "$(fake_polls prism never-existed 2>/dev/null || echo 0)" -le 3 ]] || true
assert_eq "$(sql "SELECT state FROM jobs WHERE remote_id = 'never-existed'")" "not_found" "not_found in SQLite"
pass "prism outcomes"
