# Transport failures: a server that answers after the timeout, a port where
# nothing listens, a connection closed before the answer or in the middle
# of the body, and a redirect to another host, which is never followed so
# the credentials never reach that host. Each is a retried poll, recorded
# with its error; none changes the job's state; a healthy endpoint's jobs
# keep their schedule.
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key
start_other_fakeapi 127.0.0.2
fault_config 'timeout = "1s"' '
[endpoints.refused]
provider = "prism"
base_url = "http://127.0.0.1:1/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
retry_initial = "100ms"
retry_max = "400ms"
'
start_daemon
calm_start

# Nothing listens: retried with backoff (retry_max 400 ms bounds the pace
# from below, full jitter with a 100 ms floor from above), never failed.
refused=$(ctl track refused nobody-home)

# Answers after 3 s while the timeout is 1 s.
fake_job '{"api": "prism", "id": "slow", "steps": [{"status": "processing", "polls": 1},
  {"sleep_ms": 3000}, {"status": "complete", "rows": 2}]}'
slow=$(ctl track faulty slow)

# Closed without a byte, then half a body. libcurl itself resends a request
# (up to 5 times) when a reused keep-alive connection closes without an
# answer, as the server may just have dropped an idle connection; so the
# close step lasts 12 requests, of which the daemon sees at least one fail.
fake_job '{"api": "prism", "id": "cut", "steps": [{"status": "processing", "polls": 1},
  {"close": true, "polls": 12}, {"truncate": true}, {"status": "complete", "rows": 2}]}'
cut=$(ctl track faulty cut)

# A redirect to 127.0.0.2, where a second fake API would answer.
fake_job "{\"api\": \"prism\", \"id\": \"away\", \"steps\": [{\"status\": \"processing\", \"polls\": 1},
  {\"redirect\": \"$OTHER_URL/prism/v2/prism/team1/imports/away\"}, {\"status\": \"complete\", \"rows\": 1}]}"
curl -fsS -X POST "$OTHER_URL/_control/jobs" -d '{"api": "prism", "id": "away"}' >/dev/null
away=$(ctl track faulty away)

for job in "$slow" "$cut" "$away"; do
  ctl wait "$job" --timeout 30s >/dev/null || fail "job $job succeeds after its faults"
  assert_eq "$(job_states "$job")" "queued,running,succeeded" "job $job: faults change no state"
done

timeout_poll=$(job_polls "$slow" | sed -n 2p)
assert_contains "$timeout_poll" "retry||" "a timed-out poll is a retry without HTTP status"
assert_contains "$timeout_poll" "timed out" "the timeout is named"
latency=$(sql "SELECT latency_ms FROM polls WHERE job_id = $slow AND outcome = 'retry'")
((latency >= 900 && latency < 2900)) || fail "the poll gave up after $latency ms, not at the 1 s timeout"

cut_polls=$(job_polls "$cut")
grep -q '^retry||Empty reply' <<<"$cut_polls" || fail "a closed connection is a retry, named: $cut_polls"
assert_eq "$(grep -c '^retry||transfer closed with' <<<"$cut_polls")" "1" "a truncated body is a retry, named"
assert_eq "$(grep -vc '^retry||' <<<"$cut_polls")" "2" "two good polls around the faults"

assert_eq "$(job_polls "$away" | sed -n 2p)" "client_error|302|HTTP 302: redirect not followed" "redirect recorded"
assert_eq "$(curl -fsS "$OTHER_URL/_control/requests" | jq length)" "0" "nothing reached the other host"
[[ "$(fake_requests prism away | jq -r '[.[].headers["x-api-key"]] | unique | join(",")')" == "test-key" ]] ||
  fail "the key went to the fake API it belongs to"

polls=$(job_poll_count "$refused")
((polls >= 3)) || fail "a refused connection is retried ($polls polls)"
assert_eq "$(job_field "$refused" state)" "queued" "a refused connection changes no state"
assert_contains "$(job_polls "$refused" | sed -n 1p)" "retry||" "refused: retry without status"
assert_contains "$(job_polls "$refused" | sed -n 1p)" "onnect" "refused: the error names the connection"
assert_eq "$(sql "SELECT consecutive_errors = poll_count FROM jobs WHERE id = $refused")" "1" "every refused poll counts as an error"
elapsed_ms=$(sql "SELECT max(started_at) - min(started_at) FROM polls WHERE job_id = $refused")
((polls <= elapsed_ms / 100 + 2)) || fail "refused polls came faster than the backoff floor: $polls in $elapsed_ms ms"
calm_check "transport failures on other endpoints"
pass "transport failures are retried and recorded, redirects not followed"
