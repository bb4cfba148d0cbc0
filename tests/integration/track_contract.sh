# Track's contract: idempotent on (endpoint, remote id), JOB accepted as a
# local id or ENDPOINT:REMOTE_ID, unusual ids percent-encoded in the path,
# forget deletes everything, and the CLI's exit codes.
source "$(dirname "$0")/lib.sh"

start_fakeapi --auto prism
prism_config
start_daemon

first=$(ctl track prism dup-1)
second=$(ctl track prism dup-1)
assert_eq "$second" "$first" "tracking twice returns the same job"
assert_eq "$(sql "SELECT count(*) FROM jobs WHERE remote_id = 'dup-1'")" "1" "one row"
assert_eq "$(ctl --json track prism dup-1 | jq -r .id)" "$first" "track --json prints the job object"
assert_eq "$(job_field prism:dup-1 id)" "$first" "ENDPOINT:REMOTE_ID names the job"

odd='../x?y#z %2F é'
odd_id=$(ctl track prism "$odd")
wait_for 10 '(( $(job_field "$odd_id" poll_count) >= 1 ))'
target=$(curl -fsS "$FAKE_URL/_control/requests?api=prism" | jq -r --arg id "$odd" '[.[] | select(.id == $id)][0].target')
assert_eq "$target" "/prism/v2/prism/team1/imports/..%2Fx%3Fy%23z%20%252F%20%C3%A9" "remote id percent-encoded"

# Each hostile id reaches the API as exactly one path segment, encoded, and
# the API decodes it back to the id tracked (fakeapi's raw request line).
check_encoded() {  # ID EXPECTED-LAST-SEGMENT
  local id=$1 expected=$2 job target decoded
  job=$(ctl track prism "$id")
  wait_for 10 '(( $(job_field "$job" poll_count) >= 1 ))'
  target=$(curl -fsS "$FAKE_URL/_control/requests?api=prism" |
    jq -r --arg id "$id" '[.[] | select(.id == $id)][0].target')
  assert_eq "$target" "/prism/v2/prism/team1/imports/$expected" "id '$id' encoded into one segment"
  assert_eq "$(job_field "$job" remote_id)" "$id" "id '$id' kept verbatim"
}
check_encoded '..' '%2E%2E'
check_encoded '.' '%2E'
check_encoded '../../admin' '..%2F..%2Fadmin'
check_encoded 'a?b=c&d' 'a%3Fb%3Dc%26d'
check_encoded 'frag#ment' 'frag%23ment'
check_encoded 'x%2Fy' 'x%252Fy'
check_encoded 'two words' 'two%20words'
check_encoded 'ünïcødé-日本' '%C3%BCn%C3%AFc%C3%B8d%C3%A9-%E6%97%A5%E6%9C%AC'
check_encoded 'semi;colon+plus' 'semi%3Bcolon%2Bplus'
set +e
ctl track prism $'line\nbreak' >/dev/null 2>&1; assert_eq "$?" "65" "an id with a control character is refused"
set -e

ctl forget "$first"
assert_eq "$(sql "SELECT count(*) FROM jobs WHERE remote_id = 'dup-1'")" "0" "forget deletes the job"
assert_eq "$(sql "SELECT count(*) FROM transitions WHERE job_id = $first")" "0" "and its transitions"

set +e
ctl show 9999 2>/dev/null; assert_eq "$?" "4" "unknown job exits 4"
ctl track nosuch x 2>/dev/null; assert_eq "$?" "4" "unknown endpoint exits 4"
ctl frobnicate 2>/dev/null; assert_eq "$?" "64" "unknown command exits 64"
ctl show 'no-colon' 2>/dev/null; assert_eq "$?" "64" "a malformed JOB exits 64"
ctl wait "$odd_id" --timeout banana 2>/dev/null; assert_eq "$?" "64" "a malformed duration exits 64"
message=$(JOBTRACK_SOCKET="$SCRATCH/absent.sock" "$JOBTRACKCTL" status 2>&1); code=$?
set -e
assert_eq "$code" "69" "unreachable daemon exits 69"
assert_contains "$message" "systemctl start jobtrackd" "says how to start the daemon"

fake_job '{"api": "prism", "id": "slow", "steps": [{"status": "processing"}]}'
slow=$(ctl track prism slow)
set +e
ctl wait "$slow" --timeout 1s >/dev/null
assert_eq "$?" "124" "wait --timeout exits 124"
set -e
assert_eq "$(job_field "$slow" state)" "running" "the job stays tracked after wait gives up"
pass "track contract"
