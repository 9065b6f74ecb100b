package keeper

import (
	"bytes"
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
	klog "github.com/keeper-security/secrets-manager-go/core/logger"
)

// The SDK logs through a package-global logger that writes to standard
// output from its init (one of its warnings quotes a malformed token).
// ksm points it, at the first call, at a sink that passes each line to
// the call's logger at debug level (seen only with --debug), redacted.

// secretLike is what the SDK may print that could be a token, a key, a
// client id or ciphertext: a long run of base64 characters. Record UIDs
// (22 characters) stay readable.
// It is compiled at the first line, not at start-up.
var secretLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z0-9+/_-]{32,}={0,2}`) })

// redact hides every secret-like run in a log line.
func redact(line string) string { return secretLike().ReplaceAllString(line, "[redacted]") }

// logSummary is what a call's SDK log said, for the wrapper's warnings.
type logSummary struct{ errors int }

// logSink receives the SDK's lines for the call that holds sdkMu.
type logSink struct {
	mu      sync.Mutex
	log     hclog.Logger
	summary logSummary
	partial []byte
}

var (
	quietOnce sync.Once
	current   logSink
)

// attachLogger routes the SDK's log to log until detach; the caller holds
// sdkMu. Errors are always counted; the SDK logs below warnings only when
// --debug wants them.
func attachLogger(log hclog.Logger) *logSink {
	quietOnce.Do(func() {
		klog.SetFlags(0)
		klog.SetOutput(&current)
	})
	level := klog.WarningLevel
	if log.IsDebug() {
		level = klog.DebugLevel
	}
	klog.SetLogLevel(level)
	current.mu.Lock()
	current.log, current.summary, current.partial = log, logSummary{}, nil
	current.mu.Unlock()
	return &current
}

// detach ends the call's routing and returns its summary.
func (s *logSink) detach() logSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := s.summary
	s.log, s.summary, s.partial = nil, logSummary{}, nil
	return sum
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = append(s.partial, p...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			break
		}
		s.line(string(s.partial[:i]))
		s.partial = s.partial[i+1:]
	}
	return len(p), nil
}

// line handles one complete line; s.mu is held. Lines outside a call
// (none are expected) are dropped.
func (s *logSink) line(l string) {
	if strings.HasPrefix(l, "ERROR:") || strings.HasPrefix(l, "CRITICAL:") {
		s.summary.errors++
	}
	if s.log != nil {
		s.log.Debug("keeper sdk: " + redact(strings.TrimSpace(l)))
	}
}
