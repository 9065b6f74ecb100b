#!/usr/bin/env bash
# The main job on the embedded default store (profiles kept in keeper.ini),
# in a fresh temporary directory, with synthetic configs from testdata/demo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ksm="$root/bin/ksm"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export KSM_INI_DIR="$work" HOME="$work"
unset KSM_CONFIG KSM_TOKEN KSM_CLI_PROFILE

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "Working in $work (nothing outside it is touched)."
base64 -w0 "$root/testdata/demo/dev.json" > dev.b64
base64 -w0 "$root/testdata/demo/prod.json" > prod.b64

step "$ksm" profile import -p dev "$(cat dev.b64)"
step "$ksm" profile import -p prod - < prod.b64
step "$ksm" profile list
step "$ksm" profile active prod
step "$ksm" profile list --json
step "$ksm" profile show
step "$ksm" profile show dev --json
step "$ksm" profile export prod
echo
step "$ksm" profile export prod --plain --file-format json
echo
step ls -l keeper.ini
echo
echo "Demo done: imported 2 profiles, switched the active one, showed and exported them."
