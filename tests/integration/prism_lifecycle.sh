# A Prism import tracked from the CLI to a terminal state: the job moves
# queued -> running -> partial, every per-row result lands in SQLite with the
# state change, the auth header reaches the API, and the CLI shows it all.
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key
prism_config
fake_job '{"api": "prism", "id": "imp-1", "team": "team1", "steps": [
  {"status": "processing", "total": 10, "processed": 4, "succeeded": 3, "failed": 1, "polls": 2},
  {"status": "complete", "rows": 10, "row_errors": 2}]}'
start_daemon

id=$(ctl track prism imp-1 --label nightly)
assert_eq "$id" "1" "track prints the local id"

set +e
ctl wait "$id" --timeout 20s >"$SCRATCH/wait.out"
code=$?
set -e
assert_eq "$code" "2" "wait exits 2 for a partial import"

show=$(ctl --json show "$id")
assert_eq "$(jq -r .state <<<"$show")" "partial" "state"
assert_eq "$(jq -r .remote_status <<<"$show")" "complete" "remote status kept verbatim"
assert_eq "$(jq -r .label <<<"$show")" "nightly" "label"
assert_eq "$(jq -r .total <<<"$show")" "10" "total"
assert_eq "$(jq -r .failed <<<"$show")" "2" "failed count"
assert_eq "$(jq -r .submitter_uid <<<"$show")" "$(id -u)" "submitter is the caller's uid"
for field in id endpoint remote_id label state remote_status progress total processed succeeded failed \
  result_url error_code error_message submitted_at updated_at finished_at expires_at; do
  jq -e "has(\"$field\")" <<<"$show" >/dev/null || fail "show --json lacks $field"
done
[[ "$(jq -r .expires_at <<<"$show")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$ ]] || fail "expires_at is ISO 8601 UTC"
pass "show --json has the contract's fields"

history=$(ctl --json history "$id")
assert_eq "$(jq -r '[.[].to] | join(",")' <<<"$history")" "queued,running,partial" "transitions"
assert_eq "$(jq -r '.[0].from' <<<"$history")" "null" "first transition has no from"
assert_eq "$(jq -r '.[2].from' <<<"$history")" "running" "last transition from running"

results=$(ctl --json results "$id")
assert_eq "$(jq length <<<"$results")" "10" "ten result rows"
assert_eq "$(ctl --json results "$id" --errors-only | jq length)" "2" "two failed rows"
jq -e '.[0] | has("row") and has("record_id") and has("created") and has("existing") and has("error_code") and has("error_message")' \
  <<<"$results" >/dev/null || fail "results rows have the contract's fields"

assert_eq "$(sql 'SELECT count(*) FROM import_results WHERE job_id = 1')" "10" "rows in SQLite"
assert_eq "$(sql "SELECT state FROM jobs WHERE id = 1")" "partial" "state in SQLite"
assert_eq "$(sql 'SELECT count(*) FROM transitions WHERE job_id = 1')" "3" "transitions in SQLite"
[[ "$(sql 'SELECT count(*) FROM polls WHERE job_id = 1')" -ge 3 ]] || fail "every poll is recorded"
assert_eq "$(sql 'SELECT results_stored FROM jobs WHERE id = 1')" "10" "results_stored"

auth=$(fake_requests prism imp-1 | jq -r '.[0].headers["x-api-key"]')
assert_eq "$auth" "test-key" "x-api-key reaches the API"
polls_then=$(fake_polls prism imp-1)
sleep 1
assert_eq "$(fake_polls prism imp-1)" "$polls_then" "no polling once terminal"

table=$(ctl list)
assert_contains "$table" "imp-1" "list shows the job"
assert_contains "$table" "partial" "list shows the state"
pass "prism lifecycle"
