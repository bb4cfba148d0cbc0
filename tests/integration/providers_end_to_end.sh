# Every provider tracked end to end through the real CLI against fakeapi:
# Trade Desk standard and GraphQL (query and bulk) jobs, OGC API - Processes,
# Asana and a generic export API, each from submission to a terminal state,
# with the fields each API reports and the auth header each expects.
source "$(dirname "$0")/lib.sh"

start_fakeapi --token ttd=ttd-secret --token asana=asana-secret --token generic=gen-secret \
  --token ogc=ogc-secret --ogc-auth-header X-Api-Token
export TTD_TOKEN=ttd-secret ASANA_TOKEN=asana-secret GENERIC_TOKEN=gen-secret OGC_TOKEN=ogc-secret
write_config <<'EOF_CONFIG'
[endpoints.ttd]
provider = "ttd-standard"
base_url = "@FAKE@/ttd"
token = { env = "TTD_TOKEN" }
poll_initial = "100ms"
poll_max = "300ms"

[endpoints.gql]
provider = "ttd-graphql"
base_url = "@FAKE@/ttd"
token = { env = "TTD_TOKEN" }
poll_initial = "100ms"
poll_max = "300ms"

[endpoints.bulk]
provider = "ttd-graphql"
base_url = "@FAKE@/ttd"
job_kind = "bulk"
token = { env = "TTD_TOKEN" }
poll_initial = "100ms"
poll_max = "300ms"

[endpoints.ogc]
provider = "ogc"
base_url = "@FAKE@/ogc"
auth_header = "X-Api-Token"
token = { env = "OGC_TOKEN" }
poll_initial = "100ms"
poll_max = "300ms"

[endpoints.asana]
provider = "asana"
base_url = "@FAKE@/asana/api/1.0"
token = { env = "ASANA_TOKEN" }
poll_initial = "100ms"
poll_max = "300ms"

[endpoints.exports]
provider = "generic"
base_url = "@FAKE@/generic"
url_template = "{base_url}/v1/exports/{id}"
auth_header = "Authorization"
auth_prefix = "Token "
token = { env = "GENERIC_TOKEN" }
status_pointer = "/state"
progress_pointer = "/pct"
result_url_pointer = "/download/url"
expires_pointer = "/expires"
error_pointer = "/problem/text"
poll_initial = "100ms"
poll_max = "300ms"

[endpoints.exports.states]
queued = ["pending"]
running = ["running"]
succeeded = ["done"]
failed = ["error"]
EOF_CONFIG

fake_job '{"api": "ttd", "id": "412651", "steps": [{"status": "InProgress", "progress": 30, "polls": 2},
  {"status": "Success", "url": "https://files.example/412651.csv"}]}'
fake_job '{"api": "ttd", "id": "412652", "steps": [{"status": "InProgress", "polls": 1},
  {"status": "Failure", "message": "report template not found"}]}'
fake_job '{"api": "ttd", "id": "q-77", "steps": [{"status": "Queued", "polls": 1}, {"status": "InProgress", "polls": 1},
  {"status": "PartialSuccess", "message": "field spend not available"}]}'
fake_job '{"api": "ttd", "id": "b-88", "steps": [{"status": "InProgress", "polls": 1}, {"status": "Cancelled"}]}'
fake_job '{"api": "ogc", "id": "ogc-1", "steps": [{"status": "accepted", "polls": 1},
  {"status": "running", "progress": 60, "polls": 1}, {"status": "successful"}]}'
fake_job '{"api": "asana", "id": "1200001", "steps": [{"status": "not_started", "polls": 1},
  {"status": "in_progress", "polls": 1},
  {"status": "succeeded", "created": {"new_task": {"gid": "67890", "name": "Bug Task", "resource_type": "task"}}}]}'
fake_job '{"api": "generic", "id": "exp/1", "steps": [{"status": "running", "progress": 25, "polls": 2}, {"status": "done"}]}'
start_daemon

# ttd-standard ids are int64: anything else is refused at Track.
set +e
message=$(ctl track ttd not-a-number 2>&1)
code=$?
set -e
assert_eq "$code" "65" "a non-integer ttd-standard id is refused"
assert_contains "$message" "remote_id" "the refusal names remote_id"

ttd=$(ctl track ttd 412651)
ttd_failed=$(ctl track ttd 412652)
gql=$(ctl track gql q-77)
bulk=$(ctl track bulk b-88)
ogc=$(ctl track ogc ogc-1)
asana=$(ctl track asana 1200001)
generic=$(ctl track exports exp/1)

# The states a job went through, a state repeated by a remote-status-only
# transition (Queued is queued too) counted once.
states_of() {
  ctl --json history "$1" | jq -r '[.[].to] | reduce .[] as $s ([]; if length > 0 and .[-1] == $s then . else . + [$s] end) | join(",")'
}

expect_end() {  # JOB EXIT STATE
  set +e
  ctl wait "$1" --timeout 20s >/dev/null
  local code=$?
  set -e
  assert_eq "$code" "$2" "wait exit code of job $1"
  assert_eq "$(job_field "$1" state)" "$3" "final state of job $1"
}
expect_end "$ttd" 0 succeeded
expect_end "$ttd_failed" 1 failed
expect_end "$gql" 2 partial
expect_end "$bulk" 1 cancelled
expect_end "$ogc" 0 succeeded
expect_end "$asana" 0 succeeded
expect_end "$generic" 0 succeeded

assert_eq "$(job_field "$ttd" result_url)" "https://files.example/412651.csv" "ttd result url"
assert_eq "$(job_field "$ttd" remote_status)" "Success" "ttd remote status verbatim"
finished=$(job_field "$ttd" finished_at)
expires=$(job_field "$ttd" expires_at)
[[ $(($(date -d "$expires" +%s) - $(date -d "$finished" +%s))) -eq 86400 ]] || fail "ttd results expire 24 h after completion"
assert_contains "$(job_field "$ttd_failed" error_message)" "report template not found" "ttd error string"
assert_contains "$(job_field "$gql" error_message)" "field spend not available" "graphql runtime errors kept"
assert_eq "$(states_of "$gql")" "queued,running,partial" "graphql history"
assert_contains "$(fake_requests ttd b-88 | jq -r '.[0].target')" "/ttd/graphqlbulkjob/b-88" "job_kind bulk uses graphqlbulkjob"
assert_contains "$(fake_requests ttd q-77 | jq -r '.[0].target')" "/ttd/graphqlqueryjob/q-77" "job_kind query uses graphqlqueryjob"
assert_eq "$(fake_requests ttd 412651 | jq -r '.[0].headers["ttd-auth"]')" "ttd-secret" "TTD-Auth header"

assert_contains "$(job_field "$ogc" result_url)" "http" "ogc results link becomes the result url"
assert_eq "$(states_of "$ogc")" "queued,running,succeeded" "ogc history"
assert_eq "$(fake_requests ogc ogc-1 | jq -r '.[0].headers.accept')" "application/json" "ogc Accept header"
assert_eq "$(fake_requests ogc ogc-1 | jq -r '.[0].headers["x-api-token"]')" "ogc-secret" "ogc optional auth header"

assert_eq "$(ctl --json show "$asana" | jq -r .detail.new_task.gid)" "67890" "asana created object kept"
assert_contains "$(ctl show "$asana")" "Bug Task" "show prints the created object"
assert_eq "$(fake_requests asana 1200001 | jq -r '.[0].headers.authorization')" "Bearer asana-secret" "asana bearer token"

assert_contains "$(job_field "$generic" result_url)" "/download" "generic result url pointer"
[[ "$(job_field "$generic" expires_at)" != null ]] || fail "generic expiry pointer"
assert_eq "$(fake_requests generic exp/1 | jq -r '.[0].target')" "/generic/v1/exports/exp%2F1" "generic id percent-encoded"
assert_eq "$(fake_requests generic exp/1 | jq -r '.[0].headers.authorization')" "Token gen-secret" "generic auth prefix"
assert_eq "$(sql "SELECT count(DISTINCT endpoint) FROM jobs WHERE state IN ('succeeded','partial','failed','cancelled')")" "6" "every endpoint finished in SQLite"
pass "providers end to end"
