# Shell completion scripts complete commands, options, states, endpoints and
# job ids from the daemon in bash, zsh (on a pseudo-terminal) and fish, the
# hidden __complete lists endpoints and jobs from the daemon and stays
# silent without it, the man pages render, help has examples, and a typo
# gets a suggestion.
source "$(dirname "$0")/lib.sh"

start_fakeapi --auto prism
prism_config
start_daemon
id=$(ctl track prism c-1)

assert_eq "$(bash -c "source <(\"$JOBTRACKCTL\" completion bash) && complete -p jobtrackctl")" \
  "complete -F _jobtrackctl jobtrackctl" "bash completion loads"
bash -n "$SOURCE_DIR/cli/completion/jobtrackctl.bash" || fail "bash script syntax"
diff <(ctl completion bash) "$SOURCE_DIR/cli/completion/jobtrackctl.bash" || fail "printed = installed"
diff <(ctl completion zsh) "$SOURCE_DIR/cli/completion/_jobtrackctl" || fail "printed = installed (zsh)"
diff <(ctl completion fish) "$SOURCE_DIR/cli/completion/jobtrackctl.fish" || fail "printed = installed (fish)"

assert_eq "$(ctl __complete endpoints)" "prism" "__complete endpoints"
assert_eq "$(ctl __complete jobs)" "$id" "__complete jobs"
silent=$(JOBTRACK_SOCKET="$SCRATCH/absent.sock" "$JOBTRACKCTL" __complete jobs 2>&1 || true)
assert_eq "$silent" "" "__complete is silent without the daemon"

# Completing in bash itself, with the daemon's ids.
got=$(PATH="$(dirname "$JOBTRACKCTL"):$PATH" bash -c '
  source <(jobtrackctl completion bash)
  COMP_WORDS=(jobtrackctl show ""); COMP_CWORD=2; _jobtrackctl; echo "${COMPREPLY[*]}"
  COMP_WORDS=(jobtrackctl li); COMP_CWORD=1; _jobtrackctl; echo "${COMPREPLY[*]}"
  COMP_WORDS=(jobtrackctl track ""); COMP_CWORD=2; _jobtrackctl; echo "${COMPREPLY[*]}"
  COMP_WORDS=(jobtrackctl track --label x pr); COMP_CWORD=4; _jobtrackctl; echo "${COMPREPLY[*]}"
  COMP_WORDS=(jobtrackctl track prism ""); COMP_CWORD=3; _jobtrackctl; echo "${COMPREPLY[*]}"')
assert_eq "$got" "$id"$'\n'"list"$'\n'"prism"$'\n'"prism" "bash completes jobs, commands and endpoints"

# zsh: Tab in an interactive zsh with compinit, on a pseudo-terminal.
if command -v zsh >/dev/null; then
  zsh -n "$SOURCE_DIR/cli/completion/_jobtrackctl" || fail "zsh syntax"
  zsh_offers() {
    PATH="$(dirname "$JOBTRACKCTL"):$PATH" zsh -f "$SOURCE_DIR/tests/integration/zsh_complete.zsh" \
      "$SOURCE_DIR/cli/completion" "$1"
  }
  assert_eq "$(zsh_offers 'jobtrackctl li')" "list" "zsh completes a command"
  assert_eq "$(zsh_offers 'jobtrackctl show ')" "$id" "zsh completes job ids from the daemon"
  assert_eq "$(zsh_offers 'jobtrackctl track ')" "prism" "zsh completes endpoints from the daemon"
  assert_contains "$(zsh_offers 'jobtrackctl list --')" "--terminal" "zsh completes options"
  assert_contains "$(zsh_offers 'jobtrackctl list --state ')" "timed_out" "zsh completes states"
  pass "zsh completion"
else
  echo "zsh not installed: its completion is not exercised"
fi
# fish: its own `complete -C`, which runs the completion rules for a line.
if command -v fish >/dev/null; then
  fish -n "$SOURCE_DIR/cli/completion/jobtrackctl.fish" || fail "fish syntax"
  fish_offers() {
    PATH="$(dirname "$JOBTRACKCTL"):$PATH" fish --no-config -c \
      "source '$SOURCE_DIR/cli/completion/jobtrackctl.fish'; complete -C '$1'" | cut -f1 | sort -u
  }
  assert_eq "$(fish_offers 'jobtrackctl li')" "list" "fish completes a command"
  assert_eq "$(fish_offers 'jobtrackctl show ')" "$id" "fish completes job ids from the daemon"
  assert_eq "$(fish_offers 'jobtrackctl track ')" "prism" "fish completes endpoints from the daemon"
  assert_contains "$(fish_offers 'jobtrackctl list --')" "--terminal" "fish completes options"
  assert_contains "$(fish_offers 'jobtrackctl list --state ')" "timed_out" "fish completes states"
  pass "fish completion"
else
  echo "fish not installed: its completion is not exercised"
fi
for page in "$SOURCE_DIR/docs/man/jobtrackctl.1" "$SOURCE_DIR/docs/man/jobtrackd.8"; do
  if command -v man >/dev/null; then
    warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  else
    warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  fi
  assert_eq "$warnings" "" "$(basename "$page") renders without warnings"
done
assert_contains "$(MANWIDTH=80 man -l "$SOURCE_DIR/docs/man/jobtrackctl.1" 2>/dev/null)" "EXIT STATUS" "man page content"

for command in track list show history results forget poll wait watch status endpoints completion; do
  assert_contains "$(ctl "$command" --help)" "Examples:" "$command --help has examples"
done
[[ "$(ctl --help)" != *__complete* ]] || fail "__complete is hidden from help"
set +e
message=$(ctl lsit 2>&1); code=$?
set -e
assert_eq "$code" "64" "unknown command exits 64"
assert_contains "$message" "did you mean 'list'?" "nearest command suggested"
pass "completion, man pages, help"
