# bash completion for accq (installed as share/bash-completion/completions/accq).
# Commands come from `accq --help`, options from `accq COMMAND --help`, so the
# completion follows the installed binary without a list kept here.
_accq() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  local accq=${COMP_WORDS[0]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    local cmds
    cmds=$("$accq" --help 2>/dev/null | awk '/^commands:/ {on=1; next} on && NF {print $1}')
    mapfile -t COMPREPLY < <(compgen -W "$cmds --help --version" -- "$cur")
    return
  fi
  cmd=${COMP_WORDS[1]}
  case "$prev" in
    --format) mapfile -t COMPREPLY < <(compgen -W "text csv json markdown latex" -- "$cur"); return ;;
    --policy|-p)
      mapfile -t COMPREPLY < <(compgen -W "all rjiq pop random-lp accurate-jiq jiq jfiq jsq sed pod" -- "$cur"); return ;;
    --solver) mapfile -t COMPREPLY < <(compgen -W "auto dense sor gmres power arnoldi" -- "$cur"); return ;;
    --storage) mapfile -t COMPREPLY < <(compgen -W "auto stored matrix-free" -- "$cur"); return ;;
    --method) mapfile -t COMPREPLY < <(compgen -W "auto lp lagrange simplex interior" -- "$cur"); return ;;
    --out|--plot|--export-mtx|--golden|--checkpoint|--timeseries|--trajectory|-o)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
  esac
  if [[ $cur == -* ]]; then
    local opts
    opts=$("$accq" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
  else
    # a model file
    mapfile -t COMPREPLY < <(compgen -f -X '!*.ini' -- "$cur"; compgen -d -- "$cur")
  fi
}
complete -F _accq accq
