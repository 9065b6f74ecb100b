package awsstore_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/plugins/aws/awsstore"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// succeed marks a case that must not fail.
const succeed = shared.Code(-1)

// sensitive are values no message or log line may show.
var sensitive = append([]string{
	awstest.ProfileAccessKeyID, awstest.ProfileSecretAccessKey,
	awstest.DefaultAccessKeyID, awstest.DefaultSecretAccessKey,
	awstest.IMDSAccessKeyID, awstest.IMDSSecretAccessKey, awstest.IMDSSessionToken,
	"AKIDEXAMPLE", "SECRETEXAMPLE", // the reference fixture's keys
}, configValues(awstest.SampleConfig())...)

func configValues(c shared.Config) []string {
	var out []string
	for _, k := range []string{shared.KeyClientID, shared.KeyPrivateKey, shared.KeyAppKey, shared.KeyAppOwnerPublicKey} {
		out = append(out, c[k])
	}
	return out
}

// logBuffer is an hclog sink safe for the SDK's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newStore returns a store logging at trace level into the returned buffer.
func newStore() (*awsstore.Store, *logBuffer) {
	buf := &logBuffer{}
	return awsstore.New(awsstore.Options{Version: "test", Log: hclog.New(&hclog.LoggerOptions{Output: buf, Level: hclog.Trace})}), buf
}

// checkOutcome asserts err against want (succeed or an error code), that
// the message holds every wantIn, and that neither it nor the log shows a
// sensitive value.
func checkOutcome(t *testing.T, err error, want shared.Code, wantIn []string, log string, extra ...string) {
	t.Helper()
	switch {
	case want == succeed && err != nil:
		t.Fatalf("unexpected error (code %v): %v", shared.CodeOf(err), err)
	case want != succeed && err == nil:
		t.Fatalf("no error; want code %v", want)
	case want != succeed:
		var se *shared.Error
		if !errors.As(err, &se) {
			t.Fatalf("error %T is not a *shared.Error: %v", err, err)
		}
		if se.Code != want {
			t.Errorf("code = %v, want %v; message: %s", se.Code, want, se.Error())
		}
		// The line the user reads: the message and, after "; ", the hint.
		msg := se.Error()
		noLeak(t, "hint", se.Hint, extra...)
		t.Logf("message: %s", msg)
		for _, w := range wantIn {
			if !strings.Contains(msg, w) {
				t.Errorf("message lacks %q: %s", w, msg)
			}
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("message is not one line: %q", msg)
		}
		if msg != strings.ToLower(msg[:1])+msg[1:] {
			t.Errorf("message does not start lower-case: %s", msg)
		}
		noLeak(t, "message", msg, extra...)
	}
	noLeak(t, "log", log, extra...)
}

func noLeak(t *testing.T, what, text string, extra ...string) {
	t.Helper()
	for _, v := range append(sensitive, extra...) {
		if v != "" && strings.Contains(text, v) {
			t.Errorf("%s shows the sensitive value %q:\n%s", what, v, text)
		}
	}
}

func checkConfig(t *testing.T, got shared.Config) {
	t.Helper()
	if want := awstest.SampleConfig(); !maps.Equal(got, want) {
		t.Errorf("config = %v, want %v", got, want)
	}
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	if d == 0 {
		d = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
