#!/usr/bin/env bash
# Builds the HashiCorp Vault dev server the vault store's tests run against,
# from the Go module proxy (there is no other way to get it here), as
# ../shared/docs/TESTBEDS.md measured: v1.21.0 builds (v1.21.4 does not: its
# replaced api and sdk modules are not in the module zip). About 13 minutes
# on 2 cores; a 360 MB binary. `make test-tools` runs it only when the
# binary is missing.
#
#   scripts/build-vault.sh VERSION OUTPUT
set -euo pipefail
version=${1:?usage: build-vault.sh VERSION OUTPUT}
out=${2:?usage: build-vault.sh VERSION OUTPUT}
echo "building the Vault $version dev server into $out (about 13 minutes, once)..." >&2
dir=$(go mod download -json "github.com/hashicorp/vault@v$version" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
src=$(mktemp -d)
trap 'chmod -R u+w "$src" 2>/dev/null; rm -rf "$src"' EXIT
cp -r "$dir/." "$src"
chmod -R u+w "$src"
cd "$src"
# Its go.mod points api and sdk at directories the module zip lacks; the
# published modules of the same versions stand in.
sed -i -E '/^replace github.com\/hashicorp\/vault\/(api|sdk)/d' go.mod
mkdir -p "$(dirname "$out")"
go build -mod=mod -ldflags='-s -w' -o "$out.tmp" .
mv "$out.tmp" "$out"
"$out" version >&2
