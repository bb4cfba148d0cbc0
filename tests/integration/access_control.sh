# Access to the socket: the daemon binds it 0660 in a directory it makes
# 0750, owned by its user and group; SO_PEERCRED names the caller, recorded
# as the job's submitter. Anyone who can connect may read; Forget and
# PollNow of another user's job are refused (PermissionDenied, exit 77)
# except for root and the daemon's own user. Needs root and setpriv; the
# daemon and the users are bare numeric uids sharing one group.
source "$(dirname "$0")/lib.sh"

if [[ $(id -u) -ne 0 ]] || ! command -v setpriv >/dev/null; then
  echo "skip: needs root and setpriv"
  exit 77
fi
GROUP=61900      # the daemon's group: members may use the socket
DAEMON_UID=61901
USER_A=61902
USER_B=61903
OUTSIDER=61904   # not in the group

# Binaries and a home the unprivileged uids can reach.
chmod 755 "$SCRATCH"
mkdir -p "$SCRATCH/bin" "$SCRATCH/state"
cp "$JOBTRACKD" "$JOBTRACKCTL" "$SCRATCH/bin/"
chmod 755 "$SCRATCH/bin"/*
chown "$DAEMON_UID:$GROUP" "$SCRATCH/state"
chmod 750 "$SCRATCH/state"
DB="$SCRATCH/state/jobtrack.db"
SOCK="$SCRATCH/state/run/jobtrack.sock"   # the daemon makes run/
export JOBTRACK_SOCKET="$SOCK"

as() {  # UID GID COMMAND...
  local uid=$1 gid=$2
  shift 2
  setpriv --reuid="$uid" --regid="$gid" --clear-groups env JOBTRACK_SOCKET="$SOCK" "$@"
}
ctl_as() {  # UID CLI-ARGS...
  local uid=$1
  shift
  as "$uid" "$GROUP" "$SCRATCH/bin/jobtrackctl" "$@"
}

start_fakeapi --auto prism
prism_config
chmod 644 "$CONFIG"
PRISM_API_KEY=test-key setpriv --reuid="$DAEMON_UID" --regid="$GROUP" --clear-groups \
  "$SCRATCH/bin/jobtrackd" --config "$CONFIG" >>"$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 10 test -S "$SOCK"
wait_until 10 ctl_as "$USER_A" status

assert_eq "$(stat -c '%a %u %g' "$SOCK")" "660 $DAEMON_UID $GROUP" "socket mode and owner"
assert_eq "$(stat -c '%a %u %g' "$(dirname "$SOCK")")" "750 $DAEMON_UID $GROUP" "socket directory mode and owner"

# A job with some polls left, so PollNow has something to do.
fake_job '{"api": "prism", "id": "a-job", "steps": [{"status": "processing", "polls": 1000}]}'
job=$(ctl_as "$USER_A" track prism a-job)
assert_eq "$(sql "SELECT submitter_uid FROM jobs WHERE id = $job")" "$USER_A" "SO_PEERCRED uid stored as submitter"
assert_eq "$(ctl_as "$USER_A" --json show "$job" | jq -r .submitter_uid)" "$USER_A" "show reports the submitter"

# Uid B reads everything...
assert_eq "$(ctl_as "$USER_B" --json show "$job" | jq -r .id)" "$job" "another user may show the job"
ctl_as "$USER_B" list >/dev/null || fail "another user may list"
ctl_as "$USER_B" history "$job" >/dev/null || fail "another user may read the history"
ctl_as "$USER_B" status >/dev/null || fail "another user may read the status"
# ...but may neither forget nor poll it.
set +e
message=$(ctl_as "$USER_B" forget "$job" 2>&1); code=$?
assert_eq "$code" "77" "forget of another user's job exits 77"
assert_contains "$message" "ermission" "forget says permission denied"
ctl_as "$USER_B" poll "$job" >/dev/null 2>&1; code=$?
assert_eq "$code" "77" "poll of another user's job exits 77"
ctl_as "$USER_B" forget "prism:a-job" >/dev/null 2>&1; code=$?
assert_eq "$code" "77" "forget by ENDPOINT:REMOTE_ID is refused too"
# Someone outside the group cannot even connect.
as "$OUTSIDER" "$OUTSIDER" "$SCRATCH/bin/jobtrackctl" status >/dev/null 2>&1; code=$?
assert_eq "$code" "69" "a user outside the socket's group cannot connect"
set -e
assert_eq "$(sql "SELECT count(*) FROM jobs WHERE id = $job")" "1" "the refused forget left the job"

# The submitter may poll; root and the daemon's own user may forget anyone's.
ctl_as "$USER_A" poll "$job" >/dev/null || fail "the submitter may poll"
job_b=$(ctl_as "$USER_B" track prism b-job)
ctl_as "$DAEMON_UID" forget "$job_b" || fail "the daemon's user may forget another user's job"
ctl forget "$job" || fail "root may forget another user's job"
assert_eq "$(sql "SELECT count(*) FROM jobs")" "0" "both jobs forgotten"
pass "access control"
