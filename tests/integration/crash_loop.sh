# Crash consistency, short run: a few SIGKILLs at random moments while jobs
# are tracked, polled and 20k-row result sets ingested (see run_crash_loop
# in lib.sh; crash_loop.slow.sh is the long run).
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key
run_crash_loop 5 20000
pass "acknowledged tracks survive SIGKILL, no half-stored results, polling resumes"
