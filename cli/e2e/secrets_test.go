package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// Secret kinds, by what may print them.
const (
	kindConfig = "config" // Keeper keys and whole configs: `profile export` prints them
	kindRecord = "record" // a record's password: `secret get` prints it
	kindToken  = "token"  // one-time tokens: never printed
	kindAWS    = "aws"    // AWS secret keys: never printed
)

// secretStep is one ksm command of the suite.
type secretStep struct {
	args    []string
	stdin   string
	env     []string // added to the suite's environment
	dir     string   // relative to the work dir; "" is the work dir
	fail    bool     // the command must fail (exit 1)
	stdout  string   // the kind its stdout may show ("" for none)
	capture *string  // receives stdout
}

// name is the command line with every long argument but a path cut out:
// tokens and configs are passed as arguments too.
func (s secretStep) name() string {
	args := slices.Clone(s.args)
	for i, a := range args {
		if len(a) > 24 && !strings.HasPrefix(a, "/") && !strings.HasPrefix(a, "path=/") {
			args[i] = "<…>"
		}
	}
	name := "ksm " + strings.Join(args, " ")
	if s.dir != "" {
		name += " (in " + s.dir + ")"
	}
	return name
}

// secretRun is a step's full output.
type secretRun struct {
	step           secretStep
	stdout, stderr string
}

// secret is a value no output may show, except where its kind is allowed.
type secret struct {
	what, kind, value string
}

// Every command of the suite's kinds, with --debug and under umask 000:
// neither stdout nor stderr shows a private key, app key, client id, token,
// AWS secret key or config, except the configs `profile export` prints and
// the record `secret get` prints, on stdout. And every file ksm and its
// plugins write is 0600 (directories 0700) whatever the umask.
func TestNoSecretsInOutput(t *testing.T) {
	root := t.TempDir()
	work := filepath.Join(root, "work")
	home := filepath.Join(root, "home")
	for _, d := range []string{work, home, filepath.Join(work, "store"), filepath.Join(work, "run"), filepath.Join(work, "boot")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	ref, err := filepath.Abs("../../testdata/reference")
	if err != nil {
		t.Fatal(err)
	}
	readRef := func(name string) string {
		b, err := os.ReadFile(filepath.Join(ref, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	config1JSON := readRef("config1.json")
	config1B64 := strings.TrimSpace(readRef("config1.b64"))
	twoINI := readRef("two-profiles.ini")
	twoB64 := base64.StdEncoding.EncodeToString([]byte(twoINI))
	config1, err := shared.ParseConfig([]byte(config1JSON))
	if err != nil {
		t.Fatal(err)
	}

	srv := keepertest.New(t)
	rec := srv.AddRecord("Leak Check", "login",
		keepertest.Field{Type: "login", Value: []any{"leak-check-user"}},
		keepertest.Field{Type: "password", Value: []any{"leak-check-password-7d1e"}},
	)
	tokens := []string{srv.NewToken(), srv.NewToken(), srv.NewToken(), srv.NewToken()}

	moto := awstest.StartMoto(t)
	const (
		awsKeyID       = "AKIAKSMLEAKCHECK0001"
		awsSecret      = "ksm-leak-check-aws-secret-env-5a0f"
		awsSecretStdin = "ksm-leak-check-aws-secret-stdin-93c2"
	)

	// The suite's environment: nothing of the machine's KSM_* or AWS_*.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KSM_") && !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, awstest.Env{SecretsEndpoint: moto}.Build(t)...)
	env = append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"SSL_CERT_FILE="+srv.CAFile(),
		// In every command's environment, so that it would show if ksm
		// logged or passed on its environment.
		"AWS_SECRET_ACCESS_KEY="+awsSecret,
	)
	host := srv.Host()
	store := filepath.Join(work, "store")

	var runs []secretRun
	run := func(steps ...secretStep) {
		t.Helper()
		for _, s := range steps {
			r := runSecretStep(t, s, work, env)
			runs = append(runs, r)
		}
	}

	var exportedJSON, exportedB64 string
	run(
		secretStep{args: []string{"plugin", "list"}},
		secretStep{args: []string{"plugin", "list", "--json"}},
		secretStep{args: []string{"plugin", "trust", "file"}},
		secretStep{args: []string{"profile", "import", "-p", "first", config1B64}},
		secretStep{args: []string{"profile", "import", "-"}, stdin: twoB64},
		secretStep{args: []string{"profile", "import", "-p", "plainjson", "-"}, stdin: config1JSON},
		// Bad input that holds keys: the error must not show them.
		secretStep{args: []string{"profile", "import", "-p", "broken", "-"}, fail: true,
			stdin: fmt.Sprintf(`{"clientId": %q, "privateKey": %q}`, config1[shared.KeyClientID], config1[shared.KeyPrivateKey])},
		secretStep{args: []string{"profile", "import", "-p", "first", config1B64}, fail: true}, // exists: needs --force
		secretStep{args: []string{"profile", "list"}},
		secretStep{args: []string{"profile", "list", "--json"}},
		secretStep{args: []string{"profile", "active", "second"}},
		secretStep{args: []string{"profile", "show"}},
		secretStep{args: []string{"profile", "show", "first", "--json"}},
		secretStep{args: []string{"profile", "export", "first"}, stdout: kindConfig},
		secretStep{args: []string{"profile", "export", "second", "--plain"}, stdout: kindConfig},
		secretStep{args: []string{"profile", "export", "--file-format", "json"}, stdout: kindConfig},
		secretStep{args: []string{"profile", "export", "first", "--file-format", "json", "--plain"}, stdout: kindConfig},

		// The file store, through its plugin.
		secretStep{args: []string{"profile", "setup", "--type=file", "-p", "infile", "--path", filepath.Join(store, "second.json"), "--from-profile", "second"}},
		secretStep{args: []string{"profile", "setup", "--type=file", "-p", "mounted", "--path", filepath.Join(ref, "config1.json")}},
		secretStep{args: []string{"profile", "show", "infile"}},
		secretStep{args: []string{"profile", "show", "mounted", "--json"}},
		secretStep{args: []string{"profile", "export", "infile"}, fail: true},
		secretStep{args: []string{"profile", "setup", "--type=file", "-p", "nofile", "--path", filepath.Join(store, "missing.json")}, fail: true},

		// The AWS store (moto), with access keys from the environment,
		// from stdin, and from the shared credentials file.
		secretStep{args: []string{"profile", "setup", "--type=aws", "-p", "inaws", "--credentials", "keys", "--aws-access-key-id", awsKeyID,
			"--region", awstest.Region, "--secret", "ksm-leak-check", "--from-profile", "first"}},
		secretStep{args: []string{"profile", "setup", "--type=aws", "-p", "inaws-stdin", "--credentials", "keys", "--aws-access-key-id", awsKeyID,
			"--aws-secret-access-key", "-", "--region", awstest.Region, "--secret", "ksm-leak-check"}, stdin: awsSecretStdin + "\n"},
		secretStep{args: []string{"profile", "setup", "--type=aws", "-p", "viaprofile", "--credentials", "profile",
			"--credentials-profile", awstest.Profile, "--secret", "ksm-leak-check"}},
		secretStep{args: []string{"profile", "show", "inaws"}},
		secretStep{args: []string{"profile", "show", "inaws-stdin", "--json"}},
		secretStep{args: []string{"profile", "show", "viaprofile"}},
		secretStep{args: []string{"profile", "list"}},

		// Keeper (the in-process test server): init from each token source,
		// into keeper.ini and into a store; then the secret commands.
		secretStep{args: []string{"profile", "init", "-p", "viatoken", "--hostname", host, "--token", tokens[0]}},
		secretStep{args: []string{"profile", "init", "-p", "viastdin", "--hostname", host, "-"}, stdin: tokens[1] + "\n"},
		secretStep{args: []string{"profile", "init", "-p", "instore", "--hostname", host, "--token", tokens[2],
			"--storage", "file", "--store-option", "path=" + filepath.Join(store, "init.json")}},
		secretStep{args: []string{"profile", "init", "-p", "viatoken", "--hostname", host, "--token", tokens[0]}, fail: true}, // used up
		secretStep{args: []string{"--profile", "viatoken", "secret", "list"}},
		secretStep{args: []string{"--profile", "viastdin", "secret", "list", "--json"}},
		secretStep{args: []string{"--profile", "instore", "secret", "list"}},
		secretStep{args: []string{"--profile", "viatoken", "secret", "get", rec}, stdout: kindRecord},
		secretStep{args: []string{"--profile", "instore", "secret", "get", rec, "--json"}, stdout: kindRecord},
		secretStep{args: []string{"--profile", "viatoken", "secret", "get", "NoSuchRecordUid0000000"}, fail: true},
		secretStep{args: []string{"profile", "export", "viatoken", "--file-format", "json", "--plain"}, stdout: kindConfig, capture: &exportedJSON},
		secretStep{args: []string{"profile", "export", "viastdin", "--file-format", "json"}, stdout: kindConfig, capture: &exportedB64},
		secretStep{args: []string{"profile", "show", "instore"}},
		secretStep{args: []string{"completion", "bash"}},
	)
	// Containers: a config in KSM_CONFIG (raw JSON, base64), and a token
	// in KSM_TOKEN redeemed into a new keeper.ini.
	run(
		secretStep{args: []string{"secret", "list"}, dir: "run", env: []string{"KSM_CONFIG=" + exportedJSON}},
		secretStep{args: []string{"profile", "list"}, dir: "run", env: []string{"KSM_CONFIG=" + exportedJSON}},
		secretStep{args: []string{"secret", "get", rec}, dir: "run", env: []string{"KSM_CONFIG=" + exportedB64}, stdout: kindRecord},
		secretStep{args: []string{"profile", "show"}, dir: "run", env: []string{"KSM_CONFIG=" + exportedB64}},
		secretStep{args: []string{"secret", "list"}, dir: "boot", env: []string{"KSM_TOKEN=" + tokens[3], "KSM_HOSTNAME=" + host}},
		secretStep{args: []string{"secret", "list"}, dir: "boot", env: []string{"KSM_TOKEN=" + tokens[3], "KSM_HOSTNAME=" + host}},
		secretStep{args: []string{"profile", "delete", "plainjson"}},
		secretStep{args: []string{"profile", "delete", "second"}},
	)

	secrets := suiteSecrets(t, config1JSON, config1B64, twoINI, twoB64)
	secrets = append(secrets,
		secret{"record password", kindRecord, "leak-check-password-7d1e"},
		secret{"AWS secret key (environment)", kindAWS, awsSecret},
		secret{"AWS secret key (stdin)", kindAWS, awsSecretStdin},
		secret{"AWS secret key (shared credentials file)", kindAWS, awstest.ProfileSecretAccessKey},
		secret{"exported config JSON", kindConfig, strings.TrimSpace(exportedJSON)},
		secret{"exported config base64", kindConfig, strings.TrimSpace(exportedB64)},
	)
	for i, tok := range tokens {
		secrets = append(secrets, secret{fmt.Sprintf("token %d", i+1), kindToken, tok})
	}
	// The keys Keeper issued, wherever they were saved.
	secrets = append(secrets, keysIn(t, filepath.Join(work, "keeper.ini"), "keeper.ini")...)
	secrets = append(secrets, keysIn(t, filepath.Join(work, "boot", "keeper.ini"), "boot/keeper.ini")...)
	secrets = append(secrets, keysInJSON(t, filepath.Join(store, "init.json"), "store/init.json")...)

	secrets = uniqueSecrets(secrets)
	var leaks []string
	for _, r := range runs {
		for _, stream := range []struct{ name, out string }{{"stdout", r.stdout}, {"stderr", r.stderr}} {
			for _, s := range secrets {
				if !strings.Contains(stream.out, s.value) {
					continue
				}
				if stream.name == "stdout" && s.kind == r.step.stdout {
					continue
				}
				leaks = append(leaks, fmt.Sprintf("%s: %s shows the %s (%d characters)", r.step.name(), stream.name, s.what, len(s.value)))
			}
		}
	}
	if len(leaks) > 0 {
		t.Errorf("%d leaks:\n%s", len(leaks), strings.Join(leaks, "\n"))
	}

	// The grep finds what is there: the exports and secret get do print
	// what they are for, and --debug did log.
	found := func(arg, value string) bool {
		for _, r := range runs {
			if slices.Contains(r.step.args, arg) && strings.Contains(r.stdout, value) {
				return true
			}
		}
		return false
	}
	if !found("export", config1[shared.KeyPrivateKey]) {
		t.Error("no profile export printed config1's private key: the search is blind")
	}
	if !found("get", "leak-check-password-7d1e") {
		t.Error("no secret get printed the record's password: the search is blind")
	}
	debugLines := 0
	for _, r := range runs {
		debugLines += strings.Count(r.stderr, "[DEBUG]")
	}
	if debugLines < len(runs) {
		t.Errorf("only %d debug lines in %d commands: --debug does not log", debugLines, len(runs))
	}
	t.Logf("%d commands, %d secrets searched, %d debug lines", len(runs), len(secrets), debugLines)

	checkModes(t, root, []string{work, home, store, filepath.Join(work, "run"), filepath.Join(work, "boot")})
}

// runSecretStep runs one step with --debug under umask 000.
func runSecretStep(t *testing.T, s secretStep, work string, env []string) secretRun {
	t.Helper()
	args := append([]string{"-c", `umask 000 && exec "$0" "$@"`, filepath.Join(binDir, "ksm"), "--debug"}, s.args...)
	cmd := exec.Command("/bin/sh", args...)
	cmd.Dir = filepath.Join(work, s.dir)
	cmd.Env = append(slices.Clone(env), s.env...)
	cmd.Stdin = strings.NewReader(s.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil && s.fail:
		t.Errorf("%s: succeeded, want a failure", s.name())
	case err != nil && !s.fail:
		// Not printed: the output may hold a secret.
		t.Errorf("%s: %v (its output has %d bytes)", s.name(), err, stdout.Len()+stderr.Len())
	case err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 1):
		t.Errorf("%s: %v, want exit status 1", s.name(), err)
	}
	if s.capture != nil {
		*s.capture = stdout.String()
	}
	return secretRun{step: s, stdout: stdout.String(), stderr: stderr.String()}
}

// uniqueSecrets drops repeated values (profiles of one application share
// its app key), keeping the first name, and empty ones.
func uniqueSecrets(in []secret) []secret {
	seen := map[string]bool{}
	var out []secret
	for _, s := range in {
		if s.value != "" && !seen[s.value] {
			seen[s.value] = true
			out = append(out, s)
		}
	}
	return out
}

// suiteSecrets are the fixtures' keys and configs, in each form the suite
// passes them.
func suiteSecrets(t *testing.T, config1JSON, config1B64, twoINI, twoB64 string) []secret {
	t.Helper()
	out := []secret{
		{"config1 JSON", kindConfig, strings.TrimSpace(config1JSON)},
		{"config1 base64", kindConfig, config1B64},
		{"two-profiles.ini base64", kindConfig, twoB64},
	}
	f, err := inifile.Parse([]byte(twoINI))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"_default", "second"} { // _default is config1
		for _, key := range []string{"clientid", "privatekey", "appkey"} {
			out = append(out, secret{fmt.Sprintf("%s of the reference profile %s", key, name), kindConfig, f.Section(name).Key(key).String()})
		}
	}
	return out
}

// keysIn lists the Keeper keys of every profile in a keeper.ini.
func keysIn(t *testing.T, path, label string) []secret {
	t.Helper()
	f, err := inifile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []secret
	for _, s := range f.Sections() {
		for _, key := range []string{"clientid", "privatekey", "appkey"} {
			if s.HasKey(key) {
				out = append(out, secret{fmt.Sprintf("%s of profile %s in %s", key, s.Name(), label), kindConfig, s.Key(key).String()})
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no Keeper keys: nothing to look for", label)
	}
	return out
}

// keysInJSON lists the Keeper keys of an SDK JSON config file.
func keysInJSON(t *testing.T, path, label string) []secret {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]string
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	out := []secret{{"config in " + label, kindConfig, strings.TrimSpace(string(raw))}}
	for _, key := range []string{shared.KeyClientID, shared.KeyPrivateKey, shared.KeyAppKey} {
		out = append(out, secret{key + " in " + label, kindConfig, cfg[key]})
	}
	return out
}

// checkModes: under root, every file is 0600 and every directory 0700,
// but for the directories the test made itself.
func checkModes(t *testing.T, root string, mine []string) {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == root || slices.Contains(mine, path) {
			return nil
		}
		st, err := os.Lstat(path)
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		rel, _ := filepath.Rel(root, path)
		if st.Mode().Perm() != want {
			t.Errorf("%s has mode %04o under umask 000, want %04o", rel, st.Mode().Perm(), want)
		}
		seen[filepath.Base(path)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// What the modes are about was written at all.
	for _, name := range []string{"keeper.ini", "keeper.ini.lock", "trusted-plugins.json", "second.json", "init.json"} {
		if !seen[name] {
			t.Errorf("no %s was written: its mode is unchecked", name)
		}
	}
}
