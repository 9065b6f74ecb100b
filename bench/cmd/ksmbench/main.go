//go:build devtools

// Command ksmbench measures ksm whole-process: wall-clock medians over
// repeated runs, CPU time and peak memory, each beside floors measured in
// the same run on the same machine (/bin/true, a Go hello-world, a bare
// go-plugin launch, moto's own round trip), plus the Go benchmarks of the
// keeper.ini codec and the plugin round trip. It prints a table, marks
// each target met or missed, and writes the figures as JSON.
//
// `make bench` builds the binaries into bench/results/bin with the flags
// of `make build` and runs it; see the README's "Performance" section.
package main

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ksm-cli/ksm/plugins/vault/vaulttest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ksmbench:", err)
		os.Exit(1)
	}
}

type options struct {
	root, bin, out string
	runs, warmup   int
	peakRuns       int
	benchCount     int
	tags           string
	baseline       string
	noMoto         bool
	noVault        bool
	noGoBench      bool
	quietLoad      float64
	quietWait      time.Duration
	strict         bool
	doc            string
	docCommand     string
	only           string
}

func run() error {
	var o options
	flag.StringVar(&o.root, "root", ".", "the repository root")
	flag.StringVar(&o.bin, "bin", "bench/results/bin", "directory holding ksm, its plugins and the floors (hello, helloplugin, bare-host, bare-plugin, awsget, vaultget)")
	flag.StringVar(&o.out, "out", "bench/results", "directory for the JSON results")
	flag.IntVar(&o.runs, "runs", 30, "timed runs of each command")
	flag.IntVar(&o.warmup, "warmup", 5, "untimed runs of each command first")
	flag.IntVar(&o.peakRuns, "peak-runs", 3, "runs under the tracer for peak RSS (highest kept)")
	flag.IntVar(&o.benchCount, "bench-count", 5, "go test -count for the Go benchmarks (median kept)")
	flag.StringVar(&o.tags, "tags", "", "build tags for the Go benchmarks")
	flag.StringVar(&o.baseline, "baseline", "", "also run the ksm rows with the ksm and plugins in this directory (an older build), interleaved, and compare")
	flag.BoolVar(&o.noMoto, "no-moto", false, "skip the AWS rows (no moto)")
	flag.BoolVar(&o.noVault, "no-vault", false, "skip the Vault rows (no Vault dev server)")
	flag.BoolVar(&o.noGoBench, "no-gobench", false, "skip the Go benchmarks")
	flag.Float64Var(&o.quietLoad, "quiet-load", 0, "wait until the 1-minute load average is below this before measuring (0: do not wait)")
	flag.DurationVar(&o.quietWait, "quiet-wait", 3*time.Minute, "longest wait for -quiet-load")
	flag.BoolVar(&o.strict, "strict", false, "exit 1 if a target is missed")
	flag.StringVar(&o.doc, "doc", "", "also write the figures into the generated part of this page (docs/performance.md)")
	flag.StringVar(&o.docCommand, "doc-command", "make bench-doc", "the command the page says produced the figures")
	flag.StringVar(&o.only, "only", "", "measure only the rows whose key matches this regexp, and the floors they are compared with")
	flag.Parse()
	if o.runs < 1 || o.warmup < 0 || o.peakRuns < 1 || o.benchCount < 1 {
		return errors.New("-runs, -peak-runs and -bench-count must be at least 1, -warmup at least 0")
	}

	root, err := filepath.Abs(o.root)
	if err != nil {
		return err
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	for _, name := range []string{"ksm", "ksm-storage-file", "ksm-storage-aws", "ksm-storage-vault", "hello", "helloplugin", "bare-host", "bare-plugin", "awsget", "vaultget", hangingPlugin} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			return fmt.Errorf("%w (build with `make bench`)", err)
		}
	}
	work, err := os.MkdirTemp("", "ksmbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	fx := &fixtures{root: root, bin: bin, work: work, current: &build{dir: bin}}
	if o.baseline != "" {
		dir, err := filepath.Abs(o.baseline)
		if err != nil {
			return err
		}
		for _, name := range []string{"ksm", "ksm-storage-file", "ksm-storage-aws"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("baseline: %w", err)
			}
		}
		fx.baseline = &build{dir: dir, suffix: "_baseline", prefix: "[baseline] "}
	}
	if err := fx.loadConfig(); err != nil {
		return err
	}
	if !o.noMoto {
		fmt.Fprintln(os.Stderr, "starting moto...")
		if fx.moto, err = startMoto(); err != nil {
			return fmt.Errorf("%w (or pass -no-moto to skip the AWS rows)", err)
		}
		defer fx.moto.stop()
	}
	if !o.noVault {
		fmt.Fprintln(os.Stderr, "starting the Vault dev server...")
		if fx.vault, err = vaulttest.Launch(); err != nil {
			return fmt.Errorf("%w (or pass -no-vault to skip the Vault rows)", err)
		}
		defer fx.vault.Stop()
	}
	if err := fx.setup(); err != nil {
		return err
	}
	rows := buildRows(fx)
	if o.only != "" {
		if rows, err = onlyRows(rows, o.only); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := r.check(); err != nil {
			return err
		}
	}
	trustBefore := fx.trustFiles()

	res := &results{Started: time.Now().UTC(), Runs: o.runs, Warmup: o.warmup, Baseline: o.baseline}
	res.Machine = machineInfo()
	res.Load.Start = loadAvg()
	if o.quietLoad > 0 {
		res.Load.Waited = waitQuiet(o.quietLoad, o.quietWait)
		res.Load.AfterWait = loadAvg()
	}

	// Rounds run every row once, in a shuffled order, so that a change in
	// the machine's load weighs on all rows alike.
	busy := startBusy()
	rng := rand.New(rand.NewPCG(1, 2))
	order := make([]*row, len(rows))
	copy(order, rows)
	total := o.warmup + o.runs
	for i := range total {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, r := range order {
			if err := r.runOnce(i >= o.warmup); err != nil {
				return err
			}
		}
		if i >= o.warmup {
			res.Load.Samples = append(res.Load.Samples, loadAvg()[0])
		}
		fmt.Fprintf(os.Stderr, "\rround %d/%d", i+1, total)
	}
	fmt.Fprintln(os.Stderr)
	res.Load.AfterRuns = loadAvg()
	res.Load.OthersCPU = busy.others()

	res.TrustFileWrittenWhenWarm = fx.trustFiles() != trustBefore

	fmt.Fprintln(os.Stderr, "peak memory (traced runs)...")
	for _, r := range rows {
		if err := r.measurePeaks(o.peakRuns); err != nil {
			return err
		}
	}
	if !o.noGoBench {
		fmt.Fprintln(os.Stderr, "go test -bench...")
		for _, b := range goBenchmarks {
			gb, err := runGoBench(root, b.pkg, b.pattern(), o.benchCount, o.tags)
			if err != nil {
				return err
			}
			res.GoBench = append(res.GoBench, gb...)
		}
	}
	res.Load.End = loadAvg()
	res.finish(rows)
	res.print(os.Stdout)
	path, err := res.write(o.out)
	if err != nil {
		return err
	}
	fmt.Printf("\nJSON: %s\n", path)
	if o.doc != "" {
		if err := res.writeDoc(o.doc, o.docCommand); err != nil {
			return err
		}
		fmt.Printf("figures written into %s\n", o.doc)
	}
	if o.strict && res.missed() > 0 {
		return errors.New("targets missed")
	}
	return nil
}

// buildRows lists what is measured. A row's base is the floor its
// "over floor" column subtracts.
func buildRows(fx *fixtures) []*row {
	plain := fx.env(fx.path("home"), fx.path("cfg-warm"))
	proc := func(env []string, argv ...string) *procSpec {
		return &procSpec{argv: argv, env: env, dir: fx.path("home")}
	}
	rows := []*row{
		{key: "true", label: "/bin/true", floor: true, proc: proc(plain, "/bin/true")},
		{key: "hello", label: "Go hello-world", floor: true, peak: true, want: "hello",
			proc: proc(plain, fx.exe("hello"))},
		{key: "hello_plugin", label: "Go hello-world, go-plugin linked", floor: true, peak: true, want: "hello",
			proc: proc(plain, fx.exe("helloplugin"))},
		{key: "bare_plugin", label: "bare go-plugin launch+call+exit", floor: true, peak: true,
			proc: proc(plain, fx.exe("bare-host"), fx.exe("bare-plugin"))},
	}
	if fx.moto != nil {
		aws := append(plain, fx.awsEnv()...)
		rows = append(rows,
			&row{key: "moto_get", label: "moto GetSecretValue (Go client, new conn)", floor: true,
				fn: func() error { return fx.moto.getSecret("ksm-bench") }},
			&row{key: "awsget", label: "Go aws-sdk process: GetSecretValue", floor: true, peak: true,
				want: "bytes", proc: proc(append(aws, "AWS_PROFILE=bench"), fx.exe("awsget"), "ksm-bench")})
	}
	if fx.python {
		rows = append(rows, pythonFloors(fx)...)
	}
	if fx.vault != nil {
		rows = append(rows,
			&row{key: "vault_get", label: "Vault KV v2 read (Go client, new conn)", floor: true, fn: fx.vaultGet},
			&row{key: "vaultget", label: "Go vault-api process: KV v2 read", floor: true, peak: true,
				want: "fields", proc: proc(append(plain, "VAULT_ADDR="+fx.vault.Addr, "VAULT_TOKEN="+vaulttest.RootToken), fx.exe("vaultget"), benchVaultPath)})
	}
	rows = append(rows, ksmRows(fx, fx.current)...)
	if fx.baseline != nil {
		rows = append(rows, ksmRows(fx, fx.baseline)...)
	}
	return rows
}

// onlyRows keeps the rows whose key matches pattern, and the rows they
// are compared with (their base floor, and the bundled file store for the
// installed plugin).
func onlyRows(rows []*row, pattern string) ([]*row, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("-only: %w", err)
	}
	keep := map[string]bool{}
	for _, r := range rows {
		if re.MatchString(r.key) {
			keep[r.key], keep[r.base] = true, true
			if strings.HasPrefix(r.key, "ksm_show_installed") {
				keep[strings.Replace(r.key, "installed", "file", 1)] = true
			}
		}
	}
	var kept []*row
	for _, r := range rows {
		if keep[r.key] {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("-only %q matches no row", pattern)
	}
	return kept, nil
}

// hangingPlugin is the plugin that ignores every deadline, built by
// `make bench`.
const hangingPlugin = "hangs/ksm-storage-hangs"

// ksmRows are the ksm commands, run with one build of ksm and its plugins.
func ksmRows(fx *fixtures, b *build) []*row {
	ksm := filepath.Join(b.dir, "ksm")
	warm, cold := fx.path("cfg-warm"+b.suffix), fx.path("cfg-cold"+b.suffix)
	proc := func(env []string, argv ...string) *procSpec {
		return &procSpec{argv: argv, env: env, dir: fx.path("home")}
	}
	newRow := func(key, label, base string) *row {
		return &row{key: key + b.suffix, label: b.prefix + label, base: base, peak: true, build: b}
	}
	list := func(n int) *row {
		r := newRow(fmt.Sprintf("ksm_profile_list_%d", n), fmt.Sprintf("ksm profile list (%d profiles)", n), "hello_plugin")
		r.want, r.proc = "p0000", proc(fx.env(fx.path(fmt.Sprintf("list%d", n)), warm), ksm, "profile", "list")
		return r
	}
	showEnv := fx.env(fx.path("show"), warm)
	filePlugin := &pluginSpec{exe: filepath.Join(b.dir, "ksm-storage-file"), env: fx.pluginEnv(),
		settings: map[string]string{"path": fx.path("config.json")}}

	version := newRow("ksm_version", "ksm --version", "hello_plugin")
	version.proc = proc(fx.env(fx.path("home"), warm), ksm, "--version")
	internal := newRow("ksm_show_internal", "ksm profile show (in keeper.ini)", "hello_plugin")
	internal.want, internal.proc = "Storage:", proc(showEnv, ksm, "profile", "show", "local")
	file := newRow("ksm_show_file", "ksm profile show (file store, trust warm)", "bare_plugin")
	file.want, file.proc, file.plugin = `Storage:\s+file`, proc(showEnv, ksm, "profile", "show", "viafile"), filePlugin
	// The SDK's Go example, as a third party ships it: installed by `ksm
	// plugin install` (trusted by its pin, not bundled), and declaring a
	// variable, so that it needs its description before it starts; the
	// description cached at install makes that one start per command.
	installed := newRow("ksm_show_installed", "ksm profile show (installed Go plugin)", "bare_plugin")
	installed.want = `Storage:\s+env`
	installed.proc = proc(fx.installedEnv(b), ksm, "profile", "show", "viaenv")
	fileCold := newRow("ksm_show_file_cold", "ksm profile show (file store, first use)", "bare_plugin")
	fileCold.want, fileCold.plugin = `Storage:\s+file`, filePlugin
	fileCold.proc = proc(fx.env(fx.path("cold"), cold), ksm, "profile", "show", "viafile")
	fileCold.before = func() error {
		err := os.Remove(filepath.Join(cold, "ksm", "trusted-plugins.json"))
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	imp := newRow("ksm_import_1000", "ksm profile import (into 1,000)", "hello_plugin")
	imp.proc = &procSpec{argv: []string{ksm, "profile", "import", "-p", "imported", "--force", "-"},
		env: fx.env(fx.path("import"+b.suffix), warm), dir: fx.path("home"), stdin: fx.path("config.b64")}
	rows := []*row{version, list(1), list(100), list(1000), internal, file, installed, fileCold, imp}
	if b == fx.current {
		// A plugin whose Describe and every call ignore their deadlines
		// (internal/conformance/testdata/faulty as ksm-storage-hangs):
		// plugin check reports it, failing, in bounded time.
		hangs := &row{key: "ksm_plugin_check_hangs", label: "ksm plugin check (plugin that hangs)", build: b, once: true, exit: 1}
		hangs.want = `not run: the plugin hangs`
		hangs.proc = proc(fx.env(fx.path("home"), warm), ksm, "plugin", "check", filepath.Join(b.dir, hangingPlugin))
		rows = append(rows, hangs)
	}
	if fx.moto != nil {
		aws := newRow("ksm_show_aws", "ksm profile show (aws store, moto)", "moto_get")
		aws.want, aws.proc = `Storage:\s+aws`, proc(append(showEnv, fx.awsEnv()...), ksm, "profile", "show", "viaaws")
		aws.plugin = &pluginSpec{exe: filepath.Join(b.dir, "ksm-storage-aws"), env: append(fx.pluginEnv(), fx.awsEnv()...),
			settings: fx.awsSettings}
		rows = append(rows, aws)
	}
	if fx.python && b == fx.current {
		py := newRow("ksm_show_python", "ksm profile show (Python example plugin)", "python_grpc")
		py.want, py.proc = `Storage:\s+pyexample`, proc(append(showEnv, fx.pythonEnv()...), ksm, "profile", "show", "viapy")
		rows = append(rows, py)
	}
	if fx.vault != nil && b.suffix == "" {
		// A baseline build may predate the vault store.
		vault := newRow("ksm_show_vault", "ksm profile show (vault store, dev server)", "vault_get")
		vault.want, vault.proc = `Storage:\s+vault`, proc(append(showEnv, fx.vaultEnv()...), ksm, "profile", "show", "viavault")
		vault.plugin = &pluginSpec{exe: filepath.Join(b.dir, "ksm-storage-vault"), env: append(fx.pluginEnv(), fx.vaultEnv()...),
			settings: fx.vaultSettings}
		rows = append(rows, vault)
	}
	return rows
}

// waitQuiet waits until the 1-minute load average is below limit, or for
// at most wait; it returns how long it waited.
func waitQuiet(limit float64, wait time.Duration) time.Duration {
	start := time.Now()
	for loadAvg()[0] >= limit && time.Since(start) < wait {
		fmt.Fprintf(os.Stderr, "\rload average %.2f >= %.2f; waiting for a quieter machine...", loadAvg()[0], limit)
		time.Sleep(5 * time.Second) // polling the load average, with a deadline (wait)
	}
	fmt.Fprintln(os.Stderr)
	return time.Since(start).Round(time.Second)
}
