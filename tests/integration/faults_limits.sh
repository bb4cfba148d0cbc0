# Per-endpoint limits, enforced by the daemon's own admission: with a slow
# server and max_in_flight = 2 the server never sees more than 2 requests
# at once; rate_limit = "5/s" yields about 5 polls a second, not more; and
# neither slows the jobs of another endpoint.
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key
fault_config 'max_in_flight = 2
poll_initial = "50ms"
poll_max = "50ms"' '
[endpoints.limited]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
rate_limit = "5/s"
poll_initial = "100ms"
poll_max = "100ms"
poll_factor = 1.0
'
start_daemon
calm_start

# Six jobs whose every answer takes 600 ms, on an endpoint allowed 2 at once.
for n in 1 2 3 4 5 6; do
  fake_job "{\"api\": \"prism\", \"id\": \"slow$n\", \"steps\": [{\"status\": \"processing\", \"sleep_ms\": 600}]}"
  ctl track faulty "slow$n" >/dev/null
done
# Ten jobs due every 100 ms on an endpoint limited to 5 polls a second.
for n in $(seq 1 10); do
  fake_job "{\"api\": \"prism\", \"id\": \"lim$n\", \"steps\": [{\"status\": \"processing\"}]}"
  ctl track limited "lim$n" >/dev/null
done
sleep 1  # past the rate limiter's initial burst
window_start=$(now_ms)
calm_mark

max_seen=0
for i in $(seq 1 40); do
  seen=$(ctl --json endpoints | jq '.[] | select(.name == "faulty") | .in_flight')
  ((seen <= 2)) || fail "the daemon has $seen requests in flight on an endpoint with max_in_flight = 2"
  ((seen > max_seen)) && max_seen=$seen
  sleep 0.1
done
window_end=$(now_ms)
((max_seen == 2)) || fail "max_in_flight = 2 was never used fully (at most $max_seen in flight)"

# The server's view: with answers of 600 ms and at most 2 in flight, any 3
# consecutive arrivals span more than the 600 ms answer time.
arrivals=$(curl -fsS "$FAKE_URL/_control/requests?api=prism" | jq -r '.[] | select(.id | startswith("slow")) | .time
  | (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) * 1000 + (capture("\\.(?<ms>[0-9]+)Z$").ms | tonumber)' | sort -n)
count=$(wc -l <<<"$arrivals")
((count >= 6)) || fail "the slow jobs were hardly polled: $count requests"
tight=$(awk '{t[NR] = $1} END {n = 0; for (i = 3; i <= NR; i++) if (t[i] - t[i - 2] < 550) n++; print n}' <<<"$arrivals")
assert_eq "$tight" "0" "3 requests within 550 ms: more than 2 were in flight at the server"
# And the endpoint was busy, not idle: about 2 answers per 600 ms.
span=$(($(tail -n1 <<<"$arrivals") - $(head -n1 <<<"$arrivals")))
((count * 600 >= span)) || fail "only $count requests in $span ms with 2 slots of 600 ms"

# The rate limit, from the polls table: about 5 per second in the window.
elapsed=$((window_end - window_start))
polled=$(sql "SELECT count(*) FROM polls WHERE endpoint = 'limited' AND started_at >= $window_start AND started_at < $window_end")
allowed=$((5 * elapsed / 1000))
((polled <= allowed + 3)) || fail "rate_limit 5/s let $polled polls through in $elapsed ms"
((polled * 10 >= allowed * 6)) || fail "rate_limit 5/s allowed only $polled polls in $elapsed ms"
# Spread, not bunched: no second of the window holds more than the bucket's
# bound, its rate plus its burst (5 + 5); the total above holds the average.
worst=$(sql "SELECT max(n) FROM (SELECT count(*) AS n FROM polls WHERE endpoint = 'limited'
  AND started_at >= $window_start AND started_at < $window_end GROUP BY (started_at - $window_start) / 1000)")
((worst <= 10)) || fail "$worst polls in one second under rate_limit 5/s"

calm_check "a saturated and a rate-limited endpoint beside it"
pass "max_in_flight and rate_limit hold, other endpoints unaffected"
