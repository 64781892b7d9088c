#!/bin/sh
# Writes the bash completion of flowladder-cli from its own --help: the subcommands and each
# one's options, so completion offers exactly what the program accepts.
#   make-completion.sh FLOWLADDER-CLI OUT
set -eu
cli=$1 out=$2
# "  analyze     Per-flow ..." under "Subcommands:"
subs=$("$cli" --help | sed -n '/^Subcommands:/,$p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | tr '\n' ' ')
{
    echo "# bash completion for flowladder-cli, generated from its --help by packaging/make-completion.sh"
    echo "_flowladder_cli()"
    echo "{"
    echo '    local cur prev words cword sub="" i'
    echo '    _init_completion || return'
    echo '    for ((i = 1; i < cword; i++)); do'
    echo '        case ${words[i]} in'
    echo "        $(echo $subs | tr ' ' '|')) sub=\${words[i]}; break ;;"
    echo '        esac'
    echo '    done'
    echo '    if [[ -z $sub ]]; then'
    echo "        COMPREPLY=(\$(compgen -W \"$subs --help --version\" -- \"\$cur\"))"
    echo '        return'
    echo '    fi'
    echo '    case $prev in'
    echo '    --out | -o | --db | --annotations) _filedir; return ;;'
    echo '    esac'
    echo '    local opts'
    echo '    case $sub in'
    for sub in $subs; do
        # option names at the start of a help line: "  -j,--jobs UINT ...", "  --json ..."
        opts=$("$cli" "$sub" --help | sed -n 's/^  \(-[A-Za-z0-9,-]*\).*/\1/p' | tr ',' ' ' | tr '\n' ' ')
        echo "    $sub) opts=\"$opts\" ;;"
    done
    echo '    esac'
    echo '    if [[ $cur == -* ]]; then'
    echo '        COMPREPLY=($(compgen -W "$opts" -- "$cur"))'
    echo '    else'
    echo '        _filedir # captures are found by content, whatever their names'
    echo '    fi'
    echo "}"
    echo "complete -F _flowladder_cli flowladder-cli"
} >"$out"
