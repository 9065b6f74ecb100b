# ksm: build, test, demo. `make help` lists the targets.
SHELL   := /bin/bash
GO      ?= go
PREFIX  ?= /usr/local
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Leave out what ksm never uses but would pay for at every start-up:
# urfave/cli's man/markdown generator and gRPC's x/net/trace pages.
GOTAGS  := urfave_cli_no_docs grpcnotrace
GOBUILD := $(GO) build -trimpath -tags '$(GOTAGS)'
BIN     := bin

# Tools the tests start as real servers (see ../shared/docs/TESTBEDS.md).
IMDS_MOCK := github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock@v1.13.0
GOBIN     := $(shell $(GO) env GOPATH)/bin

.PHONY: all build install test test-tools demo lint bench fuzz stress proto clean help

all: build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# The plugins built with ksm; ksm trusts them beside it by their SHA-256,
# which is linked into it.
PLUGINS := file aws

build: ## build ksm and its plugins into ./bin
	@mkdir -p $(BIN)
	$(foreach p,$(PLUGINS),$(GOBUILD) -ldflags '$(LDFLAGS)' -o $(BIN)/ksm-storage-$(p) ./plugins/$(p) &&) true
	sums=$$(for p in $(PLUGINS); do printf '%s=%s,' $$p $$(sha256sum $(BIN)/ksm-storage-$$p | cut -d' ' -f1); done); \
	$(GOBUILD) -ldflags '$(LDFLAGS) -X main.bundledPlugins='"$$sums" -o $(BIN)/ksm ./cli

install: build ## install ksm and its plugins side by side into $(PREFIX)/bin
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN)/* $(DESTDIR)$(PREFIX)/bin/

demo: build ## walk the main job on the embedded default store, in a temp dir
	./scripts/demo.sh

test-tools: ## install and check what the tests need
	@command -v $(GOBIN)/ec2-metadata-mock >/dev/null || $(GO) install $(IMDS_MOCK)
	@python3 -c 'import moto' 2>/dev/null || { echo "moto is missing: the AWS tests need 'python3 -m moto.server' (pip install 'moto[server]')" >&2; exit 1; }

test: test-tools ## run every test (race detector on), as CI does
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

proto: ## regenerate the gRPC code in shared/proto (needs protoc and the Go plugins)
	./shared/proto/generate.sh

clean: ## remove build output
	rm -rf $(BIN)
