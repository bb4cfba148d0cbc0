#!/usr/bin/zsh -f
# zsh_complete.zsh FPATH_DIR LINE: the words zsh's completion system offers
# at the end of LINE, sorted, one per line. It types LINE and a Tab into an
# interactive zsh on a pseudo-terminal (zsh/zpty) with compinit loaded from
# FPATH_DIR first, records every match through a compadd wrapper, and waits
# for the completion to finish (comppostfuncs). Exits 77 without zsh/zpty,
# 1 when the completion does not finish within 10 s.
zmodload zsh/zpty || exit 77
fdir=$1 line=$2
out=$(mktemp)
zpty z zsh -f -i
zpty -w z "PS1='' RPS1=''; unsetopt zle_bracketed_paste 2>/dev/null; fpath=(${(q)fdir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "compadd() { local -a matched; builtin compadd -O matched \"\$@\"; (( \$#matched )) && print -rl -- \"\${matched[@]}\" >>${(q)out}; builtin compadd \"\$@\"; }"
zpty -w z "_record_end() { print end >>${(q)out}.end; }; comppostfuncs=(_record_end)"
zpty -w z "zstyle ':completion:*' list-prompt ''; LISTMAX=100000; print ready >>${(q)out}.ready"
for i in {1..200}; do [[ -s $out.ready ]] && break; sleep 0.05; done
zpty -w -n z "$line"$'\t'
finished=0
for i in {1..200}; do [[ -s $out.end ]] && { finished=1; break; }; sleep 0.05; done
zpty -d z
[[ -s $out ]] && sort -u $out
rm -f $out $out.ready $out.end
(( finished )) || { print -u2 "zsh_complete: no end of completion for '$line' within 10 s"; exit 1; }
