package app

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
)

// The scripts hand the words typed so far to `ksm __complete` (complete.go),
// which prints the candidates, or ":file" to let the shell complete a path.

const bashCompletion = `# ksm completion for bash: source <(ksm completion bash)
_ksm_complete() {
  local IFS=$'\n'
  local out=($("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  if [[ "${out[0]}" == ":file" ]]; then
    COMPREPLY=()
    compopt -o default 2>/dev/null
    return
  fi
  COMPREPLY=("${out[@]}")
}
complete -F _ksm_complete ksm
`

const zshCompletion = `#compdef ksm
# ksm completion for zsh: source <(ksm completion zsh), or save it as _ksm in $fpath
_ksm() {
  local -a out
  out=("${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  out=(${out:#})
  if [[ "${out[1]}" == ":file" ]]; then
    _files
    return
  fi
  (( ${#out} )) && compadd -Q -a out
}
if [[ "${funcstack[1]}" == "_ksm" ]]; then
  _ksm "$@"
else
  compdef _ksm ksm
fi
`

const fishCompletion = `# ksm completion for fish: ksm completion fish > ~/.config/fish/completions/ksm.fish
function __ksm_complete
    set -l words (commandline -opc)
    set -l out ($words[1] __complete $words[2..-1] (commandline -ct) 2>/dev/null)
    if test "$out[1]" = ":file"
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\n' $out
end
complete -c ksm -f -a '(__ksm_complete)'
`

var completionScripts = map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}

func newCompletionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "Print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "SHELL",
		Description: `Completes commands, flags, profile names and store types.

Examples:
   source <(ksm completion bash)
   ksm completion zsh > "${fpath[1]}/_ksm"
   ksm completion fish > ~/.config/fish/completions/ksm.fish`,
		Action: func(c *cli.Context) error {
			script, ok := completionScripts[c.Args().First()]
			if !ok || c.NArg() != 1 {
				return cmdutil.Usagef("completion takes one of: bash, zsh, fish")
			}
			_, err := fmt.Fprint(c.App.Writer, script)
			return err
		},
	}
}
