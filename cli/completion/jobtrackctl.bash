# bash completion for jobtrackctl(1); `jobtrackctl completion bash` prints it.
# Endpoint names and job ids come from the running daemon through the hidden
# `jobtrackctl __complete endpoints|jobs`, which prints nothing on errors.

_jobtrackctl_query() {
  local socket_args=()
  [[ -n "$_jobtrackctl_socket" ]] && socket_args=(--socket "$_jobtrackctl_socket")
  command "${COMP_WORDS[0]}" "${socket_args[@]}" __complete "$1" 2>/dev/null
}

_jobtrackctl() {
  COMPREPLY=()
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local commands="track list show history results forget poll wait watch status endpoints completion"
  local globals="--socket --json --output --color --help --version"
  local states="queued running succeeded partial failed cancelled expired not_found timed_out"
  local command="" i word
  _jobtrackctl_socket=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case "$word" in
      --socket) _jobtrackctl_socket=${COMP_WORDS[i + 1]}; ((i++)) ;;
      --output|--color) ((i++)) ;;
      -*) ;;
      *) [[ -z "$command" ]] && command=$word ;;
    esac
  done

  case "$prev" in
    --socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --output) COMPREPLY=($(compgen -W "table json csv" -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --state) COMPREPLY=($(compgen -W "$states" -- "${cur##*,}")); return ;;
    --endpoint) COMPREPLY=($(compgen -W "$(_jobtrackctl_query endpoints)" -- "$cur")); return ;;
    --order) COMPREPLY=($(compgen -W "id -id submitted -submitted updated -updated" -- "$cur")); return ;;
    --label|--limit|--since|--until|--timeout|--deadline) return ;;
  esac

  local options=""
  case "$command" in
    "") COMPREPLY=($(compgen -W "$commands $globals" -- "$cur")); return ;;
    track) options="--label --deadline --stdin" ;;
    list) options="--state --endpoint --label --since --until --terminal --active --order --limit" ;;
    results) options="--errors-only --limit" ;;
    wait) options="--any --all --timeout" ;;
    watch) options="--endpoint --label" ;;
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$options $globals" -- "$cur"))
    return
  fi
  case "$command" in
    track)
      # The endpoint is the first argument after the command.
      local args=0 seen=""
      for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case "$word" in
          --socket|--output|--color|--label|--deadline) ((i++)); continue ;;
          -*) continue ;;
        esac
        [[ -z "$seen" && $word == "$command" ]] && { seen=1; continue; }
        ((args++))
      done
      ((args == 0)) && COMPREPLY=($(compgen -W "$(_jobtrackctl_query endpoints)" -- "$cur")) ;;
    show|history|results|forget|poll|wait)
      COMPREPLY=($(compgen -W "$(_jobtrackctl_query jobs)" -- "$cur")) ;;
  esac
}

complete -F _jobtrackctl jobtrackctl
