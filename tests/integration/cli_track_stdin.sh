# track --stdin: good lines are tracked over one connection and their ids
# printed, bad lines (malformed, unknown endpoint) are reported with their
# line numbers on stderr, and the exit code says some were bad.
source "$(dirname "$0")/lib.sh"

start_fakeapi --auto prism
prism_config
start_daemon

set +e
ids=$(printf '%s\n' '# jobs from the nightly run' 'prism s-1 nightly batch' '' 'prism' \
  'nosuch s-2' '   prism s-3' | ctl track --stdin 2>"$SCRATCH/err")
code=$?
set -e
assert_eq "$code" "65" "some bad lines exit 65"
assert_eq "$(echo "$ids" | wc -l)" "2" "two ids printed"
assert_eq "$(echo "$ids" | head -1)" "$(job_field prism:s-1 id)" "first id is s-1's"
assert_eq "$(job_field prism:s-1 label)" "nightly batch" "label from the line"
assert_eq "$(job_field prism:s-3 label)" "null" "no label"
errors=$(cat "$SCRATCH/err")
assert_contains "$errors" "line 4:" "the short line is reported by number"
assert_contains "$errors" "line 5: no such endpoint: nosuch" "the refused line is reported"
[[ "$errors" != *"line 2:"* ]] || fail "a good line was reported: $errors"

out=$(printf 'prism s-4\nprism s-1\n' | ctl --json track --stdin)
assert_eq "$(echo "$out" | jq -r '.[].remote_id' | paste -sd,)" "s-4,s-1" "JSON array of the tracked jobs"
assert_eq "$(sql "SELECT count(*) FROM jobs")" "3" "s-1 tracked once"
pass "track --stdin"
