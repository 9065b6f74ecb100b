//go:build devtools

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// results is everything a run measured; it is also the JSON written.
type results struct {
	Started time.Time `json:"started"`
	Machine machine   `json:"machine"`
	Runs    int       `json:"runs"`
	// Baseline is the directory of the build compared with, if any; its
	// rows' keys end in _baseline.
	Baseline string      `json:"baseline,omitempty"`
	Warmup   int         `json:"warmup"`
	Load     loadRecord  `json:"load_average"`
	Rows     []rowResult `json:"rows"`
	GoBench  []goBench   `json:"go_bench"`
	Targets  []target    `json:"targets"`
	// TrustFileWrittenWhenWarm says whether a warm plugin run rewrote the
	// trust file (it must not: only a change is written).
	TrustFileWrittenWhenWarm bool `json:"trust_file_written_when_warm"`
}

type machine struct {
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPUs      int    `json:"cpus"`
	CPU       string `json:"cpu_model,omitempty"`
	Kernel    string `json:"kernel,omitempty"`
}

type loadRecord struct {
	Start     [3]float64    `json:"start"`
	Waited    time.Duration `json:"waited_ns,omitempty"`
	AfterWait [3]float64    `json:"after_wait,omitempty"`
	AfterRuns [3]float64    `json:"after_runs"`
	End       [3]float64    `json:"end"`
	// Samples is the 1-minute load average after each timed round.
	Samples []float64 `json:"samples"`
	// OthersCPU is the share of the machine's CPU time that other
	// processes used during the timed rounds (0..1; -1 if unknown): the
	// load average also counts the bench's own processes.
	OthersCPU float64 `json:"others_cpu_share"`
}

type rowResult struct {
	Key      string           `json:"key"`
	Label    string           `json:"label"`
	Floor    bool             `json:"floor"`
	Baseline bool             `json:"baseline,omitempty"`
	Base     string           `json:"base,omitempty"`
	MedianMs float64          `json:"median_ms"`
	P90Ms    float64          `json:"p90_ms"`
	MinMs    float64          `json:"min_ms"`
	CPUMs    float64          `json:"cpu_median_ms,omitempty"`
	OverMs   *float64         `json:"over_base_ms,omitempty"`
	PeakKiB  map[string]int64 `json:"peak_rss_kib,omitempty"`
	Samples  []float64        `json:"samples_ms"`
}

type target struct {
	Name  string  `json:"name"`
	Rule  string  `json:"rule"`
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	Unit  string  `json:"unit"`
	Met   bool    `json:"met"`
}

func (res *results) finish(rows []*row) {
	byKey := map[string]*rowResult{}
	// Floors first, then ksm, each in the order measured.
	slices.SortStableFunc(rows, func(a, b *row) int {
		switch {
		case a.floor && !b.floor:
			return -1
		case !a.floor && b.floor:
			return 1
		}
		return 0
	})
	for _, r := range rows {
		rr := rowResult{Key: r.key, Label: r.label, Floor: r.floor, Base: r.base, Baseline: r.build != nil && r.build.suffix != "",
			MedianMs: ms(quantile(r.wall, 0.5)), P90Ms: ms(quantile(r.wall, 0.9)), MinMs: ms(slices.Min(r.wall)),
			PeakKiB: r.peaks}
		if len(r.cpu) > 0 {
			rr.CPUMs = ms(quantile(r.cpu, 0.5))
		}
		for _, d := range r.wall {
			rr.Samples = append(rr.Samples, ms(d))
		}
		res.Rows = append(res.Rows, rr)
	}
	for i := range res.Rows {
		byKey[res.Rows[i].Key] = &res.Rows[i]
	}
	for i := range res.Rows {
		r := &res.Rows[i]
		if b := byKey[r.Base]; b != nil {
			over := round2(r.MedianMs - b.MedianMs)
			r.OverMs = &over
		}
	}
	add := func(name, rule string, value, limit float64, unit string) {
		res.Targets = append(res.Targets, target{Name: name, Rule: rule, Value: round2(value),
			Limit: round2(limit), Unit: unit, Met: value <= limit})
	}
	if l, h := byKey["ksm_profile_list_1000"], byKey["hello"]; l != nil && h != nil {
		add("profile list, 1,000 profiles", "≤ 1.5 × hello-world + 3 ms", l.MedianMs, 1.5*h.MedianMs+3, "ms")
	}
	if f := byKey["ksm_show_file"]; f != nil {
		add("profile show, file store", "≤ 30 ms", f.MedianMs, 30, "ms")
	}
	if i, f := byKey["ksm_show_installed"], byKey["ksm_show_file"]; i != nil && f != nil {
		add("profile show, installed Go plugin: over the bundled file store", "≤ 1.1 ×", i.MedianMs/f.MedianMs, 1.1, "×")
	}
	if a, m := byKey["ksm_show_aws"], byKey["moto_get"]; a != nil && m != nil {
		add("profile show, aws store: overhead over moto", "≤ 35 ms", a.MedianMs-m.MedianMs, 35, "ms")
	}
	if py, floor := byKey["ksm_show_python"], byKey["python_grpc"]; py != nil && floor != nil {
		add("profile show, Python plugin: over Python's start-up with grpc", "≤ 100 ms", py.MedianMs-floor.MedianMs, 100, "ms")
	}
	if v, g := byKey["ksm_show_vault"], byKey["vault_get"]; v != nil && g != nil {
		add("profile show, vault store: overhead over a direct Vault read", "≤ 35 ms", v.MedianMs-g.MedianMs, 35, "ms")
	}
	if c := byKey["ksm_plugin_check_hangs"]; c != nil {
		add("plugin check, plugin that ignores every deadline", "< 20 s", c.MedianMs/1000, 20, "s")
	}
	for _, b := range res.GoBench {
		if b.Name == "BenchmarkRoundTrip" {
			add("plugin call once connected", "≤ 0.3 ms", b.NsPerOp/1e6, 0.3, "ms")
		}
	}
	var ksmPeak int64
	plugins := map[string]int64{}
	for _, r := range res.Rows {
		if r.Floor || r.Baseline {
			continue
		}
		for exe, kib := range r.PeakKiB {
			switch {
			case exe == "ksm":
				ksmPeak = max(ksmPeak, kib)
			case strings.HasPrefix(exe, "ksm-storage-"):
				plugins[exe] = max(plugins[exe], kib)
			}
		}
	}
	if ksmPeak > 0 {
		add("ksm peak RSS (any command)", "≤ 15 MiB", mib(ksmPeak), 15, "MiB")
	}
	for _, exe := range slices.Sorted(maps.Keys(plugins)) {
		add(exe+" peak RSS", "≤ 20 MiB", mib(plugins[exe]), 20, "MiB")
	}
}

func (res *results) missed() int {
	n := 0
	for _, t := range res.Targets {
		if !t.Met {
			n++
		}
	}
	return n
}

func (res *results) print(w io.Writer) {
	m := res.Machine
	fmt.Fprintf(w, "ksm bench  %s  %s %s/%s, %d CPUs (%s)\n", res.Started.Format(time.RFC3339), m.GoVersion, m.OS, m.Arch, m.CPUs, m.CPU)
	fmt.Fprintf(w, "whole-process wall time over %d runs after %d warm-up, rows interleaved; cpu = user+sys (median)\n", res.Runs, res.Warmup)
	fmt.Fprintf(w, "load average (1/5/15 min): start %s, after the runs %s, end %s; mean 1-min during runs %.2f (the bench's own processes count)\n",
		fmtLoad(res.Load.Start), fmtLoad(res.Load.AfterRuns), fmtLoad(res.Load.End), mean(res.Load.Samples))
	if o := res.Load.OthersCPU; o >= 0 {
		fmt.Fprintf(w, "other processes used %.0f%% of the machine's CPU time during the timed runs\n", 100*o)
		if o > 0.2 {
			fmt.Fprintln(w, "NOTE: the machine was busy: wall times are pessimistic (the cpu column less so); run again when it is quieter")
		}
	}
	fmt.Fprintln(w)
	width := 0
	for _, r := range res.Rows {
		width = max(width, len(r.Label))
	}
	fmt.Fprintf(w, "%-*s  %9s  %9s  %9s  %10s  %s\n", width+2, "", "median", "p90", "cpu", "over floor", "peak RSS")
	section := ""
	for _, r := range res.Rows {
		if r.Baseline {
			continue
		}
		s := "ksm"
		if r.Floor {
			s = "floors"
		}
		if s != section {
			section = s
			fmt.Fprintln(w, strings.ToUpper(s))
		}
		over, cpu := "", ""
		if r.OverMs != nil {
			over = fmt.Sprintf("%+.2f", *r.OverMs)
		}
		if r.CPUMs > 0 {
			cpu = fmt.Sprintf("%.2f", r.CPUMs)
		}
		fmt.Fprintf(w, "  %-*s  %9.2f  %9.2f  %9s  %10s  %s\n", width, r.Label, r.MedianMs, r.P90Ms, cpu, over, fmtPeaks(r.PeakKiB))
	}
	fmt.Fprintln(w, "(times in ms; over floor = median minus the median of the row's floor: the hello-world with go-plugin linked, the bare go-plugin launch, the store's own read (moto's or Vault's), or Python importing grpc)")
	res.printComparison(w, width)
	if len(res.GoBench) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "GO BENCHMARKS (median of -count)\tper op\tB/op\tallocs/op\t")
		for _, b := range res.GoBench {
			fmt.Fprintf(tw, "  %s %s\t%s\t%d\t%d\t\n", strings.TrimPrefix(b.Pkg, "./"), b.Name, fmtNs(b.NsPerOp), b.BytesPerOp, b.AllocsPerOp)
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGETS\tmeasured\ttarget\t")
	for _, t := range res.Targets {
		mark := "met"
		if !t.Met {
			mark = "MISSED"
		}
		fmt.Fprintf(tw, "  %s\t%.2f %s\t%s (%.2f %s)\t%s\n", t.Name, t.Value, t.Unit, t.Rule, t.Limit, t.Unit, mark)
	}
	tw.Flush()
	warm := "no (as it must)"
	if res.TrustFileWrittenWhenWarm {
		warm = "YES: a warm launch rewrote it"
	}
	fmt.Fprintf(w, "\ntrust file written by warm plugin runs: %s\n", warm)
	fmt.Fprintln(w, "peak RSS: VmHWM of each process at its exit (ptrace exit stop), highest of the traced runs")
}

// printComparison sets each ksm row beside the same row run with the
// baseline build in the same rounds.
func (res *results) printComparison(w io.Writer, width int) {
	if res.Baseline == "" {
		return
	}
	byKey := map[string]rowResult{}
	for _, r := range res.Rows {
		byKey[r.Key] = r
	}
	fmt.Fprintf(w, "\nBASELINE %s -> THIS BUILD, same rounds\n", res.Baseline)
	fmt.Fprintf(w, "%-*s  %9s  %9s  %9s  %9s  %s\n", width+2, "", "before", "after", "change", "cpu after", "peak RSS before -> after")
	for _, r := range res.Rows {
		b, ok := byKey[r.Key+"_baseline"]
		if r.Baseline || !ok {
			continue
		}
		change := ""
		if b.MedianMs > 0 {
			change = fmt.Sprintf("%+.0f%%", 100*(r.MedianMs-b.MedianMs)/b.MedianMs)
		}
		fmt.Fprintf(w, "  %-*s  %9.2f  %9.2f  %9s  %9.2f  %s -> %s\n", width, r.Label, b.MedianMs, r.MedianMs, change, r.CPUMs,
			fmtPeaks(b.PeakKiB), fmtPeaks(r.PeakKiB))
	}
}

func (res *results) write(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "bench-"+res.Started.Format("20060102T150405Z")+".json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return "", err
	}
	return path, os.WriteFile(filepath.Join(dir, "latest.json"), append(data, '\n'), 0o644)
}

func machineInfo() machine {
	m := machine{GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(data))
	}
	return m
}

// loadAvg is /proc/loadavg's three figures (zeros where unavailable).
func loadAvg() [3]float64 {
	var l [3]float64
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	for i, f := range strings.Fields(string(data)) {
		if i == 3 {
			break
		}
		l[i], _ = strconv.ParseFloat(f, 64)
	}
	return l
}

// stampOf identifies a file version without reading it.
func stampOf(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fmt.Sprint(fi.Size(), fi.ModTime().UnixNano())
}

func fmtLoad(l [3]float64) string { return fmt.Sprintf("%.2f %.2f %.2f", l[0], l[1], l[2]) }

func fmtPeaks(p map[string]int64) string {
	var parts []string
	for _, exe := range slices.Sorted(maps.Keys(p)) {
		parts = append(parts, fmt.Sprintf("%s %.1f MiB", exe, mib(p[exe])))
	}
	return strings.Join(parts, ", ")
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func mib(kib int64) float64 { return round2(float64(kib) / 1024) }

func round2(f float64) float64 { return float64(int64(f*100+0.5*sign(f))) / 100 }

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
