# Crash consistency, long run: 50 SIGKILLs at random moments while jobs are
# tracked, polled and 100k-row result sets ingested (see run_crash_loop in
# lib.sh).
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key
run_crash_loop 50 100000
pass "acknowledged tracks survive 50 SIGKILLs, no half-stored results, polling resumes"
