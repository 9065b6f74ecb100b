# ksm: build, test, demo. `make help` lists the targets.
SHELL   := /bin/bash
GO      ?= go
PREFIX  ?= /usr/local
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Leave out what ksm never uses but would pay for at every start-up:
# urfave/cli's man/markdown generator and gRPC's x/net/trace pages.
GOTAGS  := urfave_cli_no_docs grpcnotrace
# Static binaries (no cgo: Go's own DNS resolver and user lookup): no
# dynamic loader or libc start-up, no pthread stacks; ksm and each plugin
# start a few milliseconds sooner (see make bench).
GOBUILD := CGO_ENABLED=0 $(GO) build -trimpath -tags '$(GOTAGS)'
BIN     := bin

# Tools the tests start as real servers (see ../shared/docs/TESTBEDS.md).
IMDS_MOCK := github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock@v1.13.0
VAULT_VERSION := 1.21.0
GOBIN     := $(shell $(GO) env GOPATH)/bin

.PHONY: all build install test test-tools demo lint bench fuzz stress proto clean help

all: build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# The plugins built with ksm; ksm trusts them beside it by their SHA-256,
# which is linked into it.
PLUGINS := file aws vault

build: ## build ksm and its plugins into ./bin
	@mkdir -p $(BIN)
	$(foreach p,$(PLUGINS),$(GOBUILD) -ldflags '$(LDFLAGS)' -o $(BIN)/ksm-storage-$(p) ./plugins/$(p)/cmd/ksm-storage-$(p) &&) true
	sums=$$(for p in $(PLUGINS); do printf '%s=%s,' $$p $$(sha256sum $(BIN)/ksm-storage-$$p | cut -d' ' -f1); done); \
	$(GOBUILD) -ldflags '$(LDFLAGS) -X main.bundledPlugins='"$$sums" -o $(BIN)/ksm ./cli/cmd/ksm

install: build ## install ksm and its plugins side by side into $(PREFIX)/bin
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN)/* $(DESTDIR)$(PREFIX)/bin/

demo: build ## walk the main job on the embedded default store, in a temp dir
	./scripts/demo.sh

test-tools: ## install and check what the tests need
	@command -v $(GOBIN)/ec2-metadata-mock >/dev/null || $(GO) install $(IMDS_MOCK)
	@test -x $(GOBIN)/vault || ./scripts/build-vault.sh $(VAULT_VERSION) $(GOBIN)/vault
	@python3 -c 'import moto' 2>/dev/null || { echo "moto is missing: the AWS tests need 'python3 -m moto.server' (pip install 'moto[server]')" >&2; exit 1; }

test: test-tools ## run every test (race detector on), as CI does
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

FUZZTIME ?= 60
fuzz: ## run every fuzz target for $(FUZZTIME) seconds each (CI runs 15)
	./scripts/fuzz.sh $(FUZZTIME)

stress: ## the long reliability runs: 200 SIGKILLed writes, 128 concurrent writers
	KSM_STRESS=1 $(GO) test -race -count=1 -timeout 30m -run 'Stress' -v ./cli/e2e/

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

proto: ## regenerate the gRPC code in shared/proto (needs protoc and the Go plugins)
	./shared/proto/generate.sh

# `make bench` builds its own copies (others may rebuild ./bin meanwhile),
# with the flags of `make build`, plus the floors it compares with.
BENCH_BIN   := bench/results/bin
BENCH_FLAGS ?=
BENCH_FLOORS := hello helloplugin bareplugin/host:bare-host bareplugin/plugin:bare-plugin awsget vaultget

# BENCH_BASE=<git ref> also builds that commit (with its own Makefile) and
# runs its ksm beside this one in the same rounds: before/after figures.
BENCH_BASE ?=

bench: ## measure speed and memory against floors; table on stdout, JSON in bench/results
	@$(MAKE) --no-print-directory build BIN=$(BENCH_BIN)
	$(foreach f,$(BENCH_FLOORS),$(GOBUILD) -ldflags '$(LDFLAGS)' -o $(BENCH_BIN)/$(lastword $(subst :, ,$(f))) ./bench/testdata/$(firstword $(subst :, ,$(f))) &&) true
ifneq ($(BENCH_BASE),)
	rm -rf bench/results/base && mkdir -p bench/results/base/src
	git archive $(BENCH_BASE) | tar -x -C bench/results/base/src
	@$(MAKE) --no-print-directory -C bench/results/base/src build BIN=$(CURDIR)/bench/results/base/bin VERSION=$(BENCH_BASE)
endif
	$(GO) run ./bench/cmd/ksmbench -bin $(BENCH_BIN) -out bench/results $(if $(BENCH_BASE),-baseline bench/results/base/bin) $(BENCH_FLAGS)

clean: ## remove build output
	rm -rf $(BIN)
