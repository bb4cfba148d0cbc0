# HTTP errors from the remote API: 500/502/503 are retried with backoff and
# leave no trace in the job's state; 429 and 503 with Retry-After (seconds
# or an HTTP date) pause the whole endpoint for at least that long. The
# jobs of another, healthy endpoint keep their schedule throughout.
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key
fault_config
start_daemon
calm_start

# 500, 500, 502, 503: four retries, then the job finishes as if nothing happened.
fake_job '{"api": "prism", "id": "e5", "steps": [{"status": "processing", "polls": 1},
  {"http": 500, "polls": 2}, {"http": 502}, {"http": 503},
  {"status": "processing", "progress": 80, "polls": 1}, {"status": "complete", "rows": 3}]}'
e5=$(ctl track faulty e5)
ctl wait "$e5" --timeout 30s >/dev/null || fail "a job behind 5xx errors still succeeds"
assert_eq "$(job_states "$e5")" "queued,running,succeeded" "5xx errors change no state"
assert_eq "$(job_polls "$e5" | cut -d'|' -f1,2 | tr '\n' ' ')" \
  "ok|200 retry|500 retry|500 retry|502 retry|503 ok|200 ok|200 " "polls recorded with their status"
assert_contains "$(job_polls "$e5" | sed -n 2p)" "HTTP 500" "the 500 is in the poll's error"
assert_eq "$(sql "SELECT consecutive_errors || '|' || coalesce(last_poll_error, 'none') FROM jobs WHERE id = $e5")" \
  "0|none" "a good poll clears the error streak"
calm_check "5xx on another endpoint"

# 429 with Retry-After: 2 (seconds). A sibling job on the same endpoint
# polls continuously; nothing of the endpoint may be polled for 2 s.
fake_job '{"api": "prism", "id": "sib", "steps": [{"status": "processing", "progress": 5}]}'
sib=$(ctl track faulty sib)
wait_until 10 job_polled_at_least "$sib" 3
fake_job '{"api": "prism", "id": "ra", "steps": [{"status": "processing", "polls": 1},
  {"http": 429, "headers": {"Retry-After": "2"}}, {"status": "processing", "polls": 2},
  {"status": "complete", "rows": 2}]}'
ra=$(ctl track faulty ra)
ctl wait "$ra" --timeout 30s >/dev/null || fail "a job behind a 429 succeeds"
assert_eq "$(job_polls "$ra" | cut -d'|' -f1,2 | tr '\n' ' ')" "ok|200 retry|429 ok|200 ok|200 ok|200 " "429 history"
# When the 429 arrived, and when the endpoint was next polled, any job.
answered=$(sql "SELECT started_at + latency_ms FROM polls WHERE job_id = $ra AND http_status = 429")
next=$(sql "SELECT min(started_at) FROM polls WHERE endpoint = 'faulty' AND started_at > $answered")
gap=$((next - answered))
((gap >= 1900)) || fail "the endpoint waited only $gap ms after Retry-After: 2"
((gap <= 6000)) || fail "the endpoint waited $gap ms after Retry-After: 2, far too long"
calm_check "429 on another endpoint"

# 503 with Retry-After as an HTTP date 4 s ahead (second precision, and the
# poll comes a moment after the step is scripted: at least 2 s remain).
when=$(date -u -d "@$(($(date +%s) + 4))" '+%a, %d %b %Y %H:%M:%S GMT')
fake_job "{\"api\": \"prism\", \"id\": \"rd\", \"steps\": [{\"http\": 503, \"headers\": {\"Retry-After\": \"$when\"}},
  {\"status\": \"complete\", \"rows\": 1}]}"
rd=$(ctl track faulty rd)
got_503() { [[ -n "$(sql "SELECT 1 FROM polls WHERE job_id = $rd AND http_status = 503")" ]]; }
wait_until 10 got_503
paused=$(ctl --json status | jq -r '.paused_endpoints | join(",")')
assert_eq "$paused" "faulty" "status lists the endpoint paused by Retry-After"
paused_until=$(ctl --json endpoints | jq -r '.[] | select(.name == "faulty") | .paused_until')
[[ -n "$paused_until" && "$paused_until" != null ]] || fail "endpoints shows paused_until: '$paused_until'"
ctl wait "$rd" --timeout 30s >/dev/null || fail "a job behind a dated 503 succeeds"
answered=$(sql "SELECT started_at + latency_ms FROM polls WHERE job_id = $rd AND http_status = 503")
next=$(sql "SELECT min(started_at) FROM polls WHERE endpoint = 'faulty' AND started_at > $answered")
gap=$((next - answered))
((gap >= 2000)) || fail "the endpoint waited only $gap ms for a Retry-After date 4 s ahead"
assert_eq "$(job_states "$rd")" "queued,succeeded" "503 left no state behind"
calm_check "503 on another endpoint"
assert_eq "$(ctl --json status | jq -r '.paused_endpoints | length')" "0" "no endpoint paused at the end"
pass "HTTP errors are retried, Retry-After pauses the endpoint, others unaffected"
