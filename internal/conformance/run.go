package conformance

import (
	"fmt"
	"runtime"
	"strings"
	"unicode"
)

// Result is the outcome of one check run by Run.
type Result struct {
	Name    string
	Skipped bool
	Lines   []string // failures, or the reason for a skip
	Notes   []string
	// NotRun: skipped because Config.Deadline passed before it began.
	NotRun bool
}

// Failed reports whether the check found a fault.
func (r Result) Failed() bool { return !r.Skipped && len(r.Lines) > 0 }

// Run runs the checks in order outside go test, giving each result to
// report as it ends.
func Run(checks []Check, report func(Result)) {
	for _, c := range checks {
		r := &recorderT{res: Result{Name: c.Name}}
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer func() {
				if p := recover(); p != nil {
					r.res.Lines = append(r.res.Lines, fmt.Sprintf("check panicked: %v", p))
				}
			}()
			c.Run(r)
		}()
		<-done
		r.res.NotRun = r.res.Skipped && len(r.res.Lines) == 1 && r.res.Lines[0] == NotRun
		report(r.res)
	}
}

// recorderT is a T whose Fatalf and Skipf end the check's goroutine, as
// testing.T's do.
type recorderT struct{ res Result }

func (r *recorderT) Helper() {}

func (r *recorderT) Errorf(format string, args ...any) {
	r.res.Lines = append(r.res.Lines, oneLine(fmt.Sprintf(format, args...)))
}

func (r *recorderT) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorderT) Skipf(format string, args ...any) {
	r.res.Skipped = true
	r.res.Lines = []string{oneLine(fmt.Sprintf(format, args...))}
	runtime.Goexit()
}

func (r *recorderT) Logf(format string, args ...any) {
	r.res.Notes = append(r.res.Notes, oneLine(fmt.Sprintf(format, args...)))
}

// oneLine keeps a report line on one line of plain text: a plugin's text
// may hold anything, escape sequences included.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(" | ")
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
