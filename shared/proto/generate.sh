#!/usr/bin/env bash
# Regenerates the Go code for the storage plugin contract. The generated
# files are committed; only run this after editing a .proto file.
set -euo pipefail
cd "$(dirname "$0")"

# `go install` puts the two protoc plugins in GOBIN or GOPATH/bin.
if command -v go >/dev/null 2>&1; then
	gobin="$(go env GOBIN)"
	[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
else
	gobin="$HOME/go/bin"
fi
export PATH="$gobin:$PATH"

missing=0
need() { # tool, wanted version, install hint
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "generate.sh: $1 not found; install it with: $3" >&2
		missing=1
	elif ! "$1" --version 2>&1 | grep -qF "$2"; then
		echo "generate.sh: warning: $1 is not version $2 ($("$1" --version 2>&1)); install it with: $3" >&2
	fi
}
need protoc 3.21.12 "apt-get install -y protobuf-compiler"
need protoc-gen-go v1.36.12 "go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12"
need protoc-gen-go-grpc 1.6.2 "go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2"
[ "$missing" = 0 ] || exit 1

protoc --proto_path=. \
	--go_out=. --go_opt=paths=source_relative \
	--go-grpc_out=. --go-grpc_opt=paths=source_relative \
	storage/v1/storage.proto
