#!/usr/bin/env bash
# Run every Go fuzz target of the module (each `func FuzzX` in a *_test.go)
# for SECONDS each, one after the other, and print the executions of each.
#
#   scripts/fuzz.sh [SECONDS]     default 60 (make fuzz), CI uses 15
#
# A target that fails stops the run; go test has then written the input to
# the package's testdata/fuzz/FuzzX/ (commit it with the fix: it becomes a
# regression seed). FUZZMINIMIZETIME (default 10s) bounds the time spent
# shrinking an input, which otherwise can take a short run's whole budget.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
secs=${secs%s}
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -eq 0 ]; then
	echo "usage: $0 [SECONDS]" >&2
	exit 2
fi
minimize=${FUZZMINIMIZETIME:-10s}

# "dir<TAB>FuzzName" for every fuzz target, sorted.
mapfile -t targets < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' cli shared sdk plugins |
	sed -E 's#^(.*)/[^/]+_test\.go:func #\1\t#' | sort -u)
if [ "${#targets[@]}" -eq 0 ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
summary=()
for t in "${targets[@]}"; do
	dir=${t%%$'\t'*}
	name=${t##*$'\t'}
	echo "== $name (./$dir, ${secs}s)"
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "${secs}s" -fuzzminimizetime "$minimize" "./$dir" >"$log" 2>&1; then
		cat "$log"
		echo "fuzz: $name failed" >&2
		exit 1
	fi
	# The last progress line holds the total: "fuzz: elapsed: 15s, execs: 123 (8/sec), ..."
	last=$(grep -E '^fuzz: elapsed: .*execs: ' "$log" | tail -n 1 || true)
	execs=$(sed -E 's/.*execs: ([0-9]+).*/\1/' <<<"$last")
	echo "$last"
	summary+=("$(printf '%-20s %-28s %12s execs  %8s/sec' "$name" "./$dir" "${execs:-?}" "$(( ${execs:-0} / secs ))")")
done
echo
echo "fuzz: ${#targets[@]} targets, ${secs}s each"
printf '%s\n' "${summary[@]}"
