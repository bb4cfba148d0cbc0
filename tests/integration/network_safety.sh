# Network safety against a local HTTPS fakeapi with a self-signed
# certificate: TLS verification is on, so the server is refused by default
# (the poll error names the certificate) and accepted with ca_bundle
# pointing at its certificate; responses over max_response_size and answers
# slower than timeout are poll errors, never a hang or a huge allocation.
source "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || { echo "skip: no openssl"; exit 77; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$SCRATCH/key.pem" -out "$SCRATCH/cert.pem" 2>/dev/null
start_fakeapi --auto prism --tls-cert "$SCRATCH/cert.pem" --tls-key "$SCRATCH/key.pem"
FAKE_URL="https://127.0.0.1:$FAKE_PORT"
fake_job() { curl -fsS --cacert "$SCRATCH/cert.pem" -X POST "$FAKE_URL/_control/jobs" -d "$1" >/dev/null; }

endpoint() {  # NAME EXTRA-LINES
  printf '[endpoints.%s]\nprovider = "prism"\nbase_url = "@FAKE@/prism"\nteam_id = "team1"\n' "$1"
  printf 'poll_initial = "100ms"\npoll_max = "300ms"\nretry_initial = "100ms"\nretry_max = "300ms"\n%s\n\n' "$2"
}
{
  endpoint system-ca 'timeout = "5s"'
  endpoint own-ca "ca_bundle = \"$SCRATCH/cert.pem\""$'\ntimeout = "5s"'
  endpoint small "ca_bundle = \"$SCRATCH/cert.pem\""$'\nmax_response_size = "2KiB"\ntimeout = "5s"'
  endpoint hasty "ca_bundle = \"$SCRATCH/cert.pem\""$'\ntimeout = "1s"'
} | write_config
start_daemon

# Self-signed: refused with the system's CAs, the error says why.
refused=$(ctl track system-ca tls-1)
wait_for 20 '[[ $(job_field "$refused" last_poll_error) != null ]]'
error=$(job_field "$refused" last_poll_error)
[[ "$error" == *ertificate* || "$error" == *SSL* ]] || fail "the poll error names the certificate: $error"
assert_eq "$(job_field "$refused" state)" "queued" "a refused server changes no state"

# The same server with ca_bundle naming its certificate: polled to the end.
trusted=$(ctl track own-ca tls-2)
wait_until 20 job_state_is "$trusted" partial

# A body over max_response_size is an error, not a state.
fake_job '{"api": "prism", "id": "big", "steps": [{"status": "complete", "rows": 200}]}'
big=$(ctl track small big)
wait_for 20 '[[ $(job_field "$big" last_poll_error) != null ]]'
assert_contains "$(job_field "$big" last_poll_error)" "max_response_size" "the error names the limit"
assert_eq "$(job_field "$big" state)" "queued" "an oversized answer changes no state"

# An answer slower than timeout is a poll error, and others are unaffected.
fake_job '{"api": "prism", "id": "slow", "steps": [{"status": "processing", "sleep_ms": 4000}]}'
slow=$(ctl track hasty slow)
wait_for 20 '[[ $(job_field "$slow" last_poll_error) != null ]]'
error=$(job_field "$slow" last_poll_error)
[[ "$error" == *imeout* || "$error" == *"timed out"* ]] || fail "the error says the poll timed out: $error"
timeout 2 "$JOBTRACKCTL" status >/dev/null || fail "status answers while a poll hangs"
pass "network safety"
