# ksm: build, test, demo. `make help` lists the targets.
SHELL   := /bin/bash
GO      ?= go
PREFIX  ?= /usr/local
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Leave out what ksm never uses but would pay for at every start-up:
# urfave/cli's man/markdown generator and gRPC's x/net/trace pages.
GOTAGS  := urfave_cli_no_docs grpcnotrace $(TESTTAGS)
# The e2e tests build with TESTTAGS=devtools: that ksm hands keepertest the
# plain transmission key Keeper's SDK encrypts only to Keeper's own server
# keys (cli/internal/keeper/testhook_devtools.go). Releases never set it.
TESTTAGS ?=
# Static binaries (no cgo: Go's own DNS resolver and user lookup): no
# dynamic loader or libc start-up, no pthread stacks; ksm and each plugin
# start a few milliseconds sooner (see make bench).
GOBUILD := CGO_ENABLED=0 $(GO) build -trimpath -tags '$(GOTAGS)'
# Developer-only commands (the bench driver, the Keeper test server) build
# only with this tag, so that `go install ./...` installs exactly ksm and
# its plugins; the tests and vet pass it to keep checking them.
DEVTAGS := devtools
BIN     := bin

# Tools the tests start as real servers (see ../shared/docs/TESTBEDS.md).
IMDS_MOCK := github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock@v1.13.0
VAULT_VERSION := 1.21.0
# staticcheck, pinned: `make lint` installs this version (2026.2.2, the
# first release for Go 1.26) when $(GOBIN) holds another or none.
STATICCHECK_VERSION := v0.8.2
GOBIN     := $(shell $(GO) env GOPATH)/bin
# Debian packages the tests use: GNOME Keyring on a private D-Bus session and
# Python's keyring library (keyring store), Python's gRPC (the Python example
# plugin), zsh and fish (completion). Debian's /usr/bin/python3 has them.
TEST_DEBS := dbus-daemon gnome-keyring python3-keyring python3-secretstorage \
	python3-grpcio python3-protobuf python3-grpc-tools zsh fish
# Node.js and npm (the Node.js example plugin) are installed only when their
# commands are missing: a machine may have NodeSource's nodejs, which bundles
# npm and conflicts with Debian's npm package.
NODE_DEBS := nodejs npm
# The Node.js example's dependencies, as package-lock.json pins them; the
# stamp keeps test-tools from running npm again until the lock changes.
NODE_EXAMPLE := sdk/examples/node
NODE_STAMP   := $(NODE_EXAMPLE)/node_modules/.ksm-npm-ci
# Plugins whose OS-specific code must at least compile everywhere they ship.
CROSS_OS  := darwin windows

.PHONY: all plugins build completions release-snapshot install test test-unit gotestsum test-tools demo lint bench bench-doc fuzz stress proto clean help

all: build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# The plugins built with ksm; ksm trusts them beside it by their SHA-256,
# which is linked into it.
PLUGINS := file aws keyring vault

plugins: ## print the store types built with ksm (tests read the list here)
	@echo $(PLUGINS)

# GOOS/GOARCH in the environment cross-build (GoReleaser does, through
# scripts/goreleaser-build); EXE is then .exe for Windows.
EXE := $(shell $(GO) env GOEXE)

build: ## build ksm and its plugins into ./bin (the one build recipe: tests, releases and the Dockerfile use it)
	@mkdir -p $(BIN)
	$(foreach p,$(PLUGINS),$(GOBUILD) -ldflags '$(LDFLAGS)' -o $(BIN)/ksm-storage-$(p)$(EXE) ./plugins/$(p)/cmd/ksm-storage-$(p) &&) true
	sums=$$(for p in $(PLUGINS); do printf '%s=%s,' $$p $$(sha256sum $(BIN)/ksm-storage-$$p$(EXE) | cut -d' ' -f1); done); \
	$(GOBUILD) -ldflags '$(LDFLAGS) -X main.bundledPlugins='"$$sums" -o $(BIN)/ksm$(EXE) ./cli/cmd/ksm

completions: build ## write the shell completion scripts into $(BIN)/completions
	@mkdir -p $(BIN)/completions
	$(BIN)/ksm completion bash > $(BIN)/completions/ksm.bash
	$(BIN)/ksm completion zsh > $(BIN)/completions/_ksm
	$(BIN)/ksm completion fish > $(BIN)/completions/ksm.fish

# Releases: GoReleaser (archives for linux, darwin, windows x amd64, arm64;
# deb and rpm; checksums) builds through `make build` (see .goreleaser.yaml).
# release-snapshot builds for this machine's platform only (as CI does);
# RELEASE_ALL=1 builds every target.
GORELEASER_VERSION := v2.15.1
GORELEASER := $(GOBIN)/goreleaser
RELEASE_ALL ?=
RELEASE_CONFIG := $(if $(RELEASE_ALL),.goreleaser.yaml,dist-host.goreleaser.yaml)

release-snapshot: ## build release archives and packages into dist/ with GoReleaser, then install and run them
	@$(GORELEASER) --version 2>/dev/null | grep -q 'GitVersion: *$(GORELEASER_VERSION)$$' || $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)
ifeq ($(RELEASE_ALL),)
	sed -e 's/^\(  *goos:\).*/\1 [$(shell $(GO) env GOHOSTOS)]/' -e 's/^\(  *goarch:\).*/\1 [$(shell $(GO) env GOHOSTARCH)]/' .goreleaser.yaml > $(RELEASE_CONFIG)
endif
	$(GORELEASER) release --snapshot --clean --config $(RELEASE_CONFIG)
	KSM_RELEASE_DIST=$(CURDIR)/dist $(GO) test -count=1 -run TestRelease -v ./release/

install: build ## install ksm and its plugins side by side into $(PREFIX)/bin
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN)/ksm$(EXE) $(BIN)/ksm-storage-* $(DESTDIR)$(PREFIX)/bin/

demo: build ## walk the main job on the embedded default store, in a temp dir
	./scripts/demo.sh

test-tools: gotestsum ## install and check what the tests need
	@python3 -c 'import configparser' 2>/dev/null || { echo "python3 is missing: the keeper.ini tests compare ksm with Python's configparser (apt-get install python3)" >&2; exit 1; }
	@command -v $(GOBIN)/ec2-metadata-mock >/dev/null || $(GO) install $(IMDS_MOCK)
	@test -x $(GOBIN)/vault || ./scripts/build-vault.sh $(VAULT_VERSION) $(GOBIN)/vault
	@python3 -c 'import moto' 2>/dev/null || { echo "moto is missing: the AWS tests need 'python3 -m moto.server' (pip install 'moto[server]')" >&2; exit 1; }
	@missing=$$(for p in $(TEST_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done; \
		command -v node >/dev/null && command -v npm >/dev/null || echo $(NODE_DEBS)); \
	if [ -n "$$missing" ]; then \
		command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || { echo "the tests need these Debian packages: "$$missing" (apt-get install them as root)" >&2; exit 1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@$(MAKE) --no-print-directory $(NODE_STAMP)

# --ignore-scripts: the example needs no install script (protobufjs's only
# checks its own version), and none runs on the machine that installs it.
$(NODE_STAMP): $(NODE_EXAMPLE)/package.json $(NODE_EXAMPLE)/package-lock.json
	cd $(NODE_EXAMPLE) && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

# The Go example plugin is a module of its own, as a third party's is (so
# that `go install github.com/ksm-cli/ksm/...` installs only ksm's binaries).
EXAMPLE_MOD := sdk/examples/go

# The test runs go through gotestsum: the same `go test`, one line a
# package, a failing test's output in full, a closing count; its JSON events
# feed the skip census, which fails the run on a skip whose reason is not on
# testdata/skips.allow (a test that quietly did not run).
GOTESTSUM_VERSION := v1.13.0
GOTESTSUM := $(GOBIN)/gotestsum
TEST_EVENTS := $(CURDIR)/bin/test-events
TESTSUM = $(GOTESTSUM) --format pkgname-and-test-fails --format-hide-empty-pkg --jsonfile

test: test-tools ## run every test (race detector on), as CI does; ends with the skip census
	$(GO) vet -tags $(DEVTAGS) ./...
	cd $(EXAMPLE_MOD) && $(GO) vet ./...
	@mkdir -p $(TEST_EVENTS)
	$(TESTSUM) $(TEST_EVENTS)/root.json -- -tags $(DEVTAGS) -race -count=1 ./...
	cd $(EXAMPLE_MOD) && $(TESTSUM) $(TEST_EVENTS)/example.json -- -race -count=1 ./...
	$(GO) run -tags $(DEVTAGS) ./scripts/skipcensus -allow testdata/skips.allow $(TEST_EVENTS)/root.json $(TEST_EVENTS)/example.json

# What needs no server, no second process tree and no Debian package: the
# packages below minus those whose tests start moto, Vault, GNOME Keyring,
# Python or the built binaries. Under a minute; `make test` stays the suite.
UNIT_EXCLUDE := /cli/e2e$$|/release$$|/plugins/(aws|vault|keyring)/|/sdk/storagetest$$|/sdk$$|/sdk/examples/

test-unit: gotestsum ## the fast subset: every test that needs no external server (< 1 min)
	@mkdir -p $(TEST_EVENTS)
	$(TESTSUM) $(TEST_EVENTS)/unit.json -- -tags $(DEVTAGS) -count=1 $$($(GO) list -tags $(DEVTAGS) ./... | grep -v -E '$(UNIT_EXCLUDE)')
	$(GO) run -tags $(DEVTAGS) ./scripts/skipcensus -allow testdata/skips.allow $(TEST_EVENTS)/unit.json

gotestsum: # the pinned gotestsum, installed when missing or another version
	@$(GOTESTSUM) --version 2>/dev/null | grep -q ' $(GOTESTSUM_VERSION)$$' || $(GO) install gotest.tools/gotestsum@$(GOTESTSUM_VERSION)

FUZZTIME ?= 60
fuzz: ## run every fuzz target for $(FUZZTIME) seconds each (CI runs 15)
	./scripts/fuzz.sh $(FUZZTIME)

stress: ## the long reliability runs: 200 SIGKILLed writes, 128 concurrent writers, the trust-boundary races and kills, 50,000 keeper.ini files against configparser
	KSM_STRESS=1 $(GO) test -race -count=1 -timeout 30m -run 'Stress|TestTrustPinsTheBytesItHashed|TestSwappedPluginNeverRuns|TestKillsLeaveNoPlugin' -v ./cli/e2e/
	KSM_STRESS=1 $(GO) test -count=1 -timeout 30m -run 'TestCommandsMatchConfigparser|TestImportExportRoundTrip' -v ./cli/app/

lint: ## gofmt, go vet (here, and of every package and its tests for macOS and Windows), staticcheck, the keyring plugin built for both
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags $(DEVTAGS) ./...
	cd $(EXAMPLE_MOD) && $(GO) vet ./...
	@$(GOBIN)/staticcheck -version 2>/dev/null | grep -qF '($(STATICCHECK_VERSION:v%=%))' || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GOBIN)/staticcheck -tags $(DEVTAGS) ./...
	cd $(EXAMPLE_MOD) && $(GOBIN)/staticcheck ./...
	$(foreach os,$(CROSS_OS),GOOS=$(os) GOARCH=amd64 $(GOBUILD) -o /dev/null ./plugins/keyring/cmd/ksm-storage-keyring &&) true
	$(foreach os,$(CROSS_OS),GOOS=$(os) GOARCH=amd64 $(GO) vet -tags $(DEVTAGS) ./... &&) true
	$(foreach os,$(CROSS_OS),(cd $(EXAMPLE_MOD) && GOOS=$(os) GOARCH=amd64 $(GO) vet ./...) &&) true

proto: ## regenerate the code made from shared/proto: Go (protoc and its Go plugins), the Python example's (python3-grpc-tools) and the Node.js example's copy
	./shared/proto/generate.sh
	./sdk/examples/python/generate.sh
	cp shared/proto/storage/v1/storage.proto $(NODE_EXAMPLE)/storage.proto

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
	cd sdk/examples/go && $(GOBUILD) -ldflags '-s -w' -o $(CURDIR)/$(BENCH_BIN)/installed/ksm-storage-env .
	$(GOBUILD) -o $(BENCH_BIN)/hangs/ksm-storage-hangs ./internal/conformance/testdata/faulty
ifneq ($(BENCH_BASE),)
	rm -rf bench/results/base && mkdir -p bench/results/base/src
	git archive $(BENCH_BASE) | tar -x -C bench/results/base/src
	@$(MAKE) --no-print-directory -C bench/results/base/src build BIN=$(CURDIR)/bench/results/base/bin VERSION=$(BENCH_BASE)
endif
	$(GO) run -tags $(DEVTAGS) ./bench/cmd/ksmbench -bin $(BENCH_BIN) -out bench/results $(if $(BENCH_BASE),-baseline bench/results/base/bin) $(BENCH_DOC) $(BENCH_FLAGS)

# The figures in docs/performance.md come from here, on a quiet machine.
bench-doc: ## run make bench once the machine is quiet and write its figures into docs/performance.md
	@$(MAKE) --no-print-directory bench BENCH_DOC='-quiet-load 0.3 -doc docs/performance.md -doc-command "make bench-doc$(if $(BENCH_BASE), BENCH_BASE=$(BENCH_BASE))$(if $(BENCH_FLAGS), BENCH_FLAGS=\"$(BENCH_FLAGS)\")"'

clean: ## remove build output
	rm -rf $(BIN) dist dist-bin dist-host.goreleaser.yaml
