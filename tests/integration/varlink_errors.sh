# The Varlink socket under bad input: oversized messages, malformed JSON,
# unknown methods and interfaces, wrong parameter types each get the standard
# error, and the daemon keeps serving every other client. Also the
# org.varlink.service introspection that generic tools use.
source "$(dirname "$0")/lib.sh"

start_fakeapi --auto prism
prism_config
start_daemon

# Sends raw NUL-terminated messages (printf escapes) and prints the replies,
# one per line.
raw() {
  printf "$1" | socat -t 2 - "UNIX-CONNECT:$SOCK" | tr '\0' '\n'
}
call() {  # METHOD PARAMETERS-JSON -> first reply
  raw "{\"method\":\"$1\",\"parameters\":$2}\0" | head -n 1
}

info=$(call org.varlink.service.GetInfo '{}')
assert_eq "$(jq -r .parameters.product <<<"$info")" "jobtrackd" "GetInfo product"
assert_eq "$(jq -r '.parameters.interfaces | join(",")' <<<"$info")" "org.varlink.service,io.jobtrack.Jobs" "GetInfo interfaces"
description=$(call org.varlink.service.GetInterfaceDescription '{"interface":"io.jobtrack.Jobs"}' | jq -r .parameters.description)
assert_contains "$description" "interface io.jobtrack.Jobs" "interface description"
assert_contains "$description" "method Track(" "the description lists Track"
assert_eq "$(call org.varlink.service.GetInterfaceDescription '{"interface":"com.example.Nope"}' | jq -r .error)" \
  "org.varlink.service.InterfaceNotFound" "unknown interface description"

assert_eq "$(call io.jobtrack.Jobs.Frobnicate '{}' | jq -r .error)" "org.varlink.service.MethodNotFound" "unknown method"
assert_eq "$(call com.example.Thing.Do '{}' | jq -r .error)" "org.varlink.service.InterfaceNotFound" "unknown interface"
wrong=$(call io.jobtrack.Jobs.Get '{"id":"seven"}')
assert_eq "$(jq -r .error <<<"$wrong")" "org.varlink.service.InvalidParameter" "wrong parameter type"
assert_eq "$(jq -r .parameters.parameter <<<"$wrong")" "id" "the error names the parameter"
assert_eq "$(call io.jobtrack.Jobs.Track '{"endpoint":"prism","remote_id":5}' | jq -r .parameters.parameter)" "remote_id" "remote_id must be a string"
assert_eq "$(call io.jobtrack.Jobs.Track '{"endpoint":"prism"}' | jq -r .parameters.parameter)" "remote_id" "missing parameter"
assert_eq "$(call io.jobtrack.Jobs.List '{"limit":10,"colour":"red"}' | jq -r .parameters.parameter)" "colour" "unknown parameter"

# Malformed JSON, then a good call on the same connection: both answered.
replies=$(raw '{"method": nope\0{"method":"io.jobtrack.Jobs.Status"}\0')
assert_eq "$(head -n 1 <<<"$replies" | jq -r .error)" "org.varlink.service.InvalidParameter" "malformed JSON"
assert_eq "$(sed -n 2p <<<"$replies" | jq -r .parameters.version)" "0.1.0" "the connection still serves"

# A message over the limit (1 MiB by default), then a good call.
big=$(head -c 1200000 /dev/zero | tr '\0' 'x')
replies=$(printf '{"method":"io.jobtrack.Jobs.Get","parameters":{"endpoint":"%s"}}\0{"method":"io.jobtrack.Jobs.Status"}\0' "$big" |
  socat -t 3 - "UNIX-CONNECT:$SOCK" | tr '\0' '\n')
assert_eq "$(head -n 1 <<<"$replies" | jq -r .error)" "org.varlink.service.InvalidParameter" "oversized message refused"
assert_eq "$(sed -n 2p <<<"$replies" | jq -r .parameters.jobs_total)" "0" "the next message is still read"

# Garbage and a client that hangs up mid-message leave the daemon serving.
head -c 100000 /dev/urandom | socat -t 1 - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 || true
printf '{"method":"io.jobtrack.Jobs.Sta' | socat -t 1 - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 || true
kill -0 "$DAEMON_PID" || fail "the daemon survived hostile clients"
ctl track prism after-abuse >/dev/null || fail "the daemon still tracks jobs"

# A streaming Wait ("more") on one connection does not hold up another.
fake_job '{"api": "prism", "id": "held", "steps": [{"status": "processing"}]}'
held=$(ctl track prism held)
ctl wait "$held" >/dev/null 2>&1 &
waiter=$!
sleep 0.3
ctl status >/dev/null || fail "another client is served while a Wait is open"
kill "$waiter" 2>/dev/null || true
wait "$waiter" 2>/dev/null || true
first=$(raw "{\"method\":\"io.jobtrack.Jobs.Wait\",\"parameters\":{\"id\":$held},\"more\":true}\0" | head -n 1)
assert_eq "$(jq -r .continues <<<"$first")" "true" "Wait with more streams"
pass "varlink errors"
