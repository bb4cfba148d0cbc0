# How a job ends, or doesn't, when the API says no: refused credentials
# (401/403) pause the endpoint with backoff and fail no job; 404 means
# expired for a job seen before and not_found only after a few confirming
# polls for one never seen; deadlines (per job and per endpoint) end a job
# as timed_out and stop its polling, even while its endpoint is paused.
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key
endpoint() {  # name, extra lines
  printf '[endpoints.%s]\nprovider = "prism"\nbase_url = "@FAKE@/prism"\nteam_id = "team1"\n' "$1"
  printf 'token = { env = "%s" }\nretry_initial = "100ms"\nretry_max = "400ms"\n%s\n\n' "${3:-PRISM_API_KEY}" "$2"
}
fault_config "" "$(endpoint locked "" WRONG_KEY)
$(endpoint guarded "")
$(endpoint bounded 'deadline = "2s"')
$(endpoint throttled 'deadline = "2s"')"
export WRONG_KEY=not-the-key
start_daemon
calm_start

# 401: two jobs on an endpoint whose key is refused.
locked1=$(ctl track locked l1)
locked2=$(ctl track locked l2)
# 403 once, on an endpoint whose key is otherwise fine.
fake_job '{"api": "prism", "id": "g1", "steps": [{"status": "processing", "polls": 1}, {"http": 403},
  {"status": "complete", "rows": 1}]}'
guarded=$(ctl track guarded g1)
# 404s on the faulty endpoint.
fake_job '{"api": "prism", "id": "vanish", "steps": [{"status": "processing", "polls": 2}, {"gone": true}]}'
vanish=$(ctl track faulty vanish)
never=$(ctl track faulty never-existed)
fake_job '{"api": "prism", "id": "late-start", "steps": [{"gone": true, "polls": 2}, {"status": "processing", "polls": 1},
  {"status": "complete", "rows": 1}]}'
late_start=$(ctl track faulty late-start)
# Deadlines: a job's own, an endpoint's default, and one on a paused endpoint.
for id in forever bounded throttled; do
  fake_job "{\"api\": \"prism\", \"id\": \"$id\", \"steps\": [{\"status\": \"processing\"}]}"
done
fake_job '{"api": "prism", "id": "throttled", "steps": [{"http": 503, "headers": {"Retry-After": "60"}},
  {"status": "processing"}]}'
tracked_at=$(now_ms)
forever=$(ctl track faulty forever --deadline 2s)
bounded=$(ctl track bounded bounded)
throttled=$(ctl track throttled throttled)

# --- authentication ---
auth_polls() { sql "SELECT count(*) FROM polls WHERE endpoint = 'locked' AND outcome = 'auth'"; }
locked_refused() { (($(auth_polls) >= 1)); }
wait_until 10 locked_refused
first_auth=$(sql "SELECT min(started_at) FROM polls WHERE endpoint = 'locked'")
assert_contains "$(ctl --json status | jq -c .paused_endpoints)" '"locked"' "status lists the paused endpoint"
status_text=$(ctl status)
assert_contains "$(grep paused_endpoints <<<"$status_text")" "locked" "the status text shows the paused endpoint"
locked_row=$(ctl --json endpoints | jq -c '.[] | select(.name == "locked")')
[[ "$(jq -r .paused_until <<<"$locked_row")" != null ]] || fail "endpoints shows paused_until: $locked_row"
assert_contains "$(jq -r .last_error <<<"$locked_row")" "HTTP 401" "endpoints shows the refusal"
assert_contains "$(ctl endpoints)" "locked" "the endpoints table lists it"

# --- deadlines ---
ctl wait "$forever" --timeout 20s >/dev/null && fail "wait on a timed-out job exits 1"
assert_eq "$(job_field "$forever" state)" "timed_out" "a per-job deadline times the job out"
ctl wait "$bounded" --timeout 20s >/dev/null && fail "wait on a timed-out job exits 1"
assert_eq "$(job_field "$bounded" state)" "timed_out" "an endpoint's default deadline times the job out"
ctl wait "$throttled" --timeout 20s >/dev/null && fail "wait on a timed-out job exits 1"
assert_eq "$(job_field "$throttled" state)" "timed_out" "a deadline passes while the endpoint waits out Retry-After"
for job in "$forever" "$bounded" "$throttled"; do
  finished=$(sql "SELECT finished_at FROM jobs WHERE id = $job")
  took=$((finished - tracked_at))
  ((took >= 1800 && took <= 6000)) || fail "job $job timed out $took ms after a 2 s deadline"
  assert_eq "$(sql "SELECT detail FROM transitions WHERE job_id = $job AND to_state = 'timed_out'")" \
    "deadline passed" "job $job: why it ended"
  assert_eq "$(sql "SELECT next_poll_at IS NULL FROM jobs WHERE id = $job")" "1" "job $job: no next poll"
done
assert_eq "$(job_states "$forever")" "queued,running,timed_out" "per-job deadline history"
stopped_at=$(job_poll_count "$forever")

# --- 404 ---
ctl wait "$vanish" --timeout 20s >/dev/null && fail "wait on an expired job exits 1"
assert_eq "$(job_states "$vanish")" "queued,running,expired" "seen, then 404: expired"
assert_eq "$(job_polls "$vanish" | cut -d'|' -f1,2 | tr '\n' ' ')" "ok|200 ok|200 gone|404 " "one 404 suffices once seen"
ctl wait "$never" --timeout 20s >/dev/null && fail "wait on a not_found job exits 1"
assert_eq "$(job_states "$never")" "queued,not_found" "never seen, then 404s: not_found"
assert_eq "$(job_polls "$never" | cut -d'|' -f1,2 | tr '\n' ' ')" "gone|404 gone|404 gone|404 " "three confirming 404s"
ctl wait "$late_start" --timeout 20s >/dev/null || fail "a job that 404s twice and then appears succeeds"
assert_eq "$(job_states "$late_start")" "queued,running,succeeded" "early 404s are forgiven"

# --- authentication, later ---
# Paused 5 s after the first refusal: each job was asked once in that time;
# after it, asked again, and still nobody failed.
ctl wait "$guarded" --timeout 30s >/dev/null || fail "a job behind a 403 succeeds"
assert_eq "$(job_polls "$guarded" | cut -d'|' -f1,2 | tr '\n' ' ')" "ok|200 auth|403 ok|200 " "403 history"
answered=$(sql "SELECT started_at + latency_ms FROM polls WHERE job_id = $guarded AND outcome = 'auth'")
next=$(sql "SELECT min(started_at) FROM polls WHERE job_id = $guarded AND started_at > $answered")
(((next - answered) >= 4500)) || fail "the endpoint was paused only $((next - answered)) ms after a 403"
retried() { (($(auth_polls) >= 3)); }
wait_until 20 retried
early=$(sql "SELECT count(*) FROM polls WHERE endpoint = 'locked' AND started_at < $first_auth + 4500")
((early <= 2)) || fail "$early polls of the refused endpoint within its 5 s pause"
for job in "$locked1" "$locked2"; do
  assert_eq "$(job_field "$job" state)" "queued" "a refused key fails no job"
done
assert_eq "$(sql "SELECT count(*) FROM polls WHERE endpoint = 'locked' AND outcome <> 'auth'")" "0" "all refusals are auth"

assert_eq "$(job_poll_count "$forever")" "$stopped_at" "a timed-out job is polled no more"
calm_check "refusals, 404s and deadlines on other endpoints"
pass "auth pauses, 404 semantics and deadlines"
