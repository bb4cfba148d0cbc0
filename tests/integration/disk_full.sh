# A full disk: writes fail cleanly (Track answers StorageFailure, exit 75,
# at once), reads keep working, `status` reports storage_error, and once
# space is back the daemon resumes writing with nothing corrupted
# (PRAGMA integrity_check). Needs root to mount a small tmpfs; skips
# (exit 77) where mounting is not permitted.
source "$(dirname "$0")/lib.sh"

DISK="$SCRATCH/disk"
mkdir -p "$DISK"
if [[ $(id -u) -ne 0 ]] || ! mount -t tmpfs -o size=3M tmpfs "$DISK" 2>/dev/null; then
  echo "skip: cannot mount a tmpfs here"
  exit 77
fi
unmount_disk() { umount -l "$DISK" 2>/dev/null || true; }
# Stop the daemon and unmount before lib.sh's cleanup removes the scratch
# directory; the script's exit status is kept for cleanup.
disk_cleanup() {
  local status=$?
  set +e
  if [[ -n "$DAEMON_PID" ]]; then
    kill -KILL "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
  fi
  DAEMON_PID=""
  unmount_disk
  (exit "$status")
  cleanup
}
trap disk_cleanup EXIT
DB="$DISK/jobtrack.db"

start_fakeapi --auto prism
prism_config
start_daemon
fake_job '{"api": "prism", "id": "steady", "steps": [{"status": "processing", "polls": 100000}]}'
steady=$(ctl track prism steady)
done_before=$(ctl track prism before-full)
wait_until 20 job_state_is "$done_before" partial

# Fill the disk to the last block.
dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null || true
sync

# Track until the database has to grow: each answer comes at once, and the
# first failure is a StorageFailure (exit 75), not a hang or a crash.
label=$(head -c 1000 /dev/zero | tr '\0' 'x')
code=0
for i in $(seq 1 400); do
  set +e
  timeout 10 "$JOBTRACKCTL" track prism "full-$i" --label "$label" >/dev/null 2>"$SCRATCH/track.err"
  code=$?
  set -e
  ((code == 0)) || break
done
assert_eq "$code" "75" "Track on a full disk exits 75 (storage failure): $(cat "$SCRATCH/track.err")"
kill -0 "$DAEMON_PID" || fail "the daemon died on a full disk"

# Reads keep working, and status says what is wrong.
assert_eq "$(job_field "$done_before" state)" "partial" "show works on a full disk"
ctl list >/dev/null || fail "list works on a full disk"
storage_error() { ctl --json status | jq -r '.storage_error // empty'; }
wait_for 20 '[[ -n $(storage_error) ]]'
assert_contains "$(ctl status)" "storage" "status shows the storage error"

# Space comes back: writes resume, the error clears, nothing is corrupted.
rm -f "$DISK/filler"
wait_for 30 '[[ -z $(storage_error) ]]'
after=$(ctl track prism after-full) || fail "Track works again once space is back"
wait_until 20 job_state_is "$after" partial
polls_then=$(job_field "$steady" poll_count)
wait_for 20 '(( $(job_field "$steady" poll_count) > polls_then ))'
stop_daemon
assert_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" "ok" "integrity_check after a full disk"
assert_eq "$(sqlite3 "$DB" "SELECT state FROM jobs WHERE id = $done_before")" "partial" "earlier jobs intact"
pass "full disk"
