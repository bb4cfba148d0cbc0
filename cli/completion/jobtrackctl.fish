# fish completion for jobtrackctl(1); `jobtrackctl completion fish` prints it.
# Endpoint names and job ids come from the running daemon through the hidden
# `jobtrackctl __complete endpoints|jobs`, which prints nothing on errors.

set -l commands track list show history results forget poll wait watch status endpoints completion
set -l job_commands show history results forget poll wait
set -l states queued running succeeded partial failed cancelled expired not_found timed_out

function __jobtrackctl_query
    set -l tokens (commandline -opc)
    set -l socket
    set -l index (contains -i -- --socket $tokens)
    and set socket --socket $tokens[(math $index + 1)]
    jobtrackctl $socket __complete $argv[1] 2>/dev/null
end

complete -c jobtrackctl -f
complete -c jobtrackctl -l socket -r -F -d "the daemon's socket"
complete -c jobtrackctl -l json -d 'print JSON for scripts'
complete -c jobtrackctl -l output -x -a 'table json csv' -d 'output format'
complete -c jobtrackctl -l color -x -a 'auto always never' -d 'colour states'
complete -c jobtrackctl -l help -d 'show help'
complete -c jobtrackctl -l version -d 'show the version'

complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a track -d 'start tracking a job'
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a list -d 'list tracked jobs'
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a show -d 'show one job'
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a history -d "a job's transitions"
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a results -d "an import's per-row outcomes"
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a forget -d 'stop tracking a job'
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a poll -d 'poll a job now'
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a wait -d 'wait until jobs end'
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a watch -d 'follow jobs live'
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a status -d "the daemon's counters"
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a endpoints -d 'the configured endpoints'
complete -c jobtrackctl -n "not __fish_seen_subcommand_from $commands" -a completion -d 'print a completion script'

complete -c jobtrackctl -n "__fish_seen_subcommand_from $job_commands" -a '(__jobtrackctl_query jobs)' -d job
complete -c jobtrackctl -n "__fish_seen_subcommand_from track" -a '(__jobtrackctl_query endpoints)' -d endpoint
complete -c jobtrackctl -n "__fish_seen_subcommand_from track" -l label -x -d 'a note to find the job by'
complete -c jobtrackctl -n "__fish_seen_subcommand_from track" -l deadline -x -d 'give up after this long'
complete -c jobtrackctl -n "__fish_seen_subcommand_from track" -l stdin -d 'read ENDPOINT REMOTE_ID [LABEL] lines'
complete -c jobtrackctl -n "__fish_seen_subcommand_from list" -l state -x -a "$states" -d 'only these states'
complete -c jobtrackctl -n "__fish_seen_subcommand_from list watch" -l endpoint -x -a '(__jobtrackctl_query endpoints)' -d 'only this endpoint'
complete -c jobtrackctl -n "__fish_seen_subcommand_from list watch" -l label -x -d 'only this label'
complete -c jobtrackctl -n "__fish_seen_subcommand_from list" -l since -x -d 'submitted since TIME'
complete -c jobtrackctl -n "__fish_seen_subcommand_from list" -l until -x -d 'submitted before TIME'
complete -c jobtrackctl -n "__fish_seen_subcommand_from list" -l terminal -d 'only ended jobs'
complete -c jobtrackctl -n "__fish_seen_subcommand_from list" -l active -d 'only active jobs'
complete -c jobtrackctl -n "__fish_seen_subcommand_from list" -l order -x -a 'id -id submitted -submitted updated -updated' -d 'sort order'
complete -c jobtrackctl -n "__fish_seen_subcommand_from list results" -l limit -x -d 'at most N'
complete -c jobtrackctl -n "__fish_seen_subcommand_from results" -l errors-only -d 'only failed rows'
complete -c jobtrackctl -n "__fish_seen_subcommand_from wait" -l any -d 'stop at the first job to end'
complete -c jobtrackctl -n "__fish_seen_subcommand_from wait" -l all -d 'wait for every job'
complete -c jobtrackctl -n "__fish_seen_subcommand_from wait" -l timeout -x -d 'give up after this long'
complete -c jobtrackctl -n "__fish_seen_subcommand_from completion" -a 'bash zsh fish'
