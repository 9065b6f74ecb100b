// Package docs checks the README and the documents here: every command
// they show is run by a test, and their links lead somewhere.
package docs

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// checked are the documents whose commands must be run by a test (paths
// from the repository root).
var checked = []string{
	"README.md",
	"docs/install.md",
	"docs/profiles.md",
	"docs/containers.md",
	"docs/plugins-and-trust.md",
	"docs/testing.md",
	"docs/performance.md",
	"docs/layout.md",
	"docs/keeper-ini.md",
	"docs/plugin-protocol.md",
	"SECURITY.md",
	"sdk/README.md",
	"plugins/aws/README.md",
	// plugins/keyring/README.md and plugins/vault/README.md: their own
	// tests run their examples (TestKeyringReadmeExamplesAreRun and
	// TestVaultReadmeExamples in cli/e2e).
}

// vouchers cover commands that no end-to-end script can run as shown
// (they download, need root or Docker): each names the test that checks
// what the command relies on, by a string that test's file must contain.
var vouchers = map[string]struct{ file, contains string }{
	"go install github.com/ksm-cli/ksm/...@latest":                        {"cli/e2e/install_test.go", "go install ./..."},
	"sha256sum --ignore-missing -c checksums.txt":                         {"release/release_test.go", "func TestReleaseChecksums"},
	"tar -xzf ksm_*_linux_amd64.tar.gz -C ~/.local/bin":                   {"release/release_test.go", "func TestReleaseArchive"},
	"sudo dpkg -i ksm_*_amd64.deb":                                        {"release/release_test.go", "func TestReleaseDeb"},
	"sudo rpm -i ksm-*.x86_64.rpm":                                        {"release/release_test.go", "\".rpm\""},
	"source <(ksm completion bash)":                                       {"cli/e2e/testdata/script/completion.txtar", "source <(ksm completion bash)"},
	"ksm completion zsh > \"${fpath[1]}/_ksm\"":                           {"cli/e2e/testdata/script/completion.txtar", "source <(ksm completion zsh)"},
	"ksm completion fish > ~/.config/fish/completions/ksm.fish":           {"cli/e2e/testdata/script/completion.txtar", "ksm completion fish | source"},
	"docker build -t ksm .":                                               {"release/release_test.go", "func TestDockerfileBuildsWithMake"},
	"docker run --rm -e KSM_CONFIG=\"$(cat prod.b64)\" ksm secret list":   {"cli/e2e/testdata/script/container_config.txtar", "setenvfile KSM_CONFIG"},
	"docker run --rm -e KSM_TOKEN=US:XXXX -v ksm:/config ksm secret list": {"cli/e2e/testdata/script/container_token.txtar", "KSM_TOKEN"},
	"docker run --rm -e KSM_CONFIG_BASE64_1=\"$(cat web.b64)\" -e KSM_CONFIG_BASE64_DESC_1=web -e KSM_CONFIG_BASE64_2=\"$(cat db.b64)\" -e KSM_CONFIG_BASE64_DESC_2=db ksm --profile db secret list": {"cli/e2e/testdata/script/container_base64.txtar", "KSM_CONFIG_BASE64_DESC_2"},
	"go test -race -count=1 ./cli/...":              {"Makefile", "-- -tags $(DEVTAGS) -race -count=1 ./..."},
	"go run -tags devtools ./bench/cmd/ksmbench -h": {"Makefile", "$(GO) run -tags $(DEVTAGS) ./bench/cmd/ksmbench"},
}

const root = ".."

func TestCommandsInDocsAreRun(t *testing.T) {
	runs := e2eCommands(t)
	targets := makeTargets(t)
	for _, doc := range checked {
		cmds := docCommands(t, doc)
		if len(cmds) == 0 && doc == "README.md" {
			t.Fatalf("found no command in %s", doc)
		}
		for _, c := range cmds {
			if v, ok := vouchers[c.text]; ok {
				data, err := os.ReadFile(filepath.Join(root, v.file))
				if err != nil || !strings.Contains(string(data), v.contains) {
					t.Errorf("%s:%d: %q is vouched for by %s, which does not contain %q", doc, c.line, c.text, v.file, v.contains)
				}
				continue
			}
			words := strings.Fields(stripEnv(c.text))
			switch {
			case len(words) > 0 && words[0] == "make":
				for _, target := range words[1:] {
					if strings.Contains(target, "=") {
						continue
					}
					if !targets[target] {
						t.Errorf("%s:%d: %q: the Makefile has no target %q", doc, c.line, c.text, target)
					}
				}
			case len(words) > 0 && words[0] == "ksm":
				if !slices.ContainsFunc(runs, func(run []string) bool { return matches(run, words) }) {
					t.Errorf("%s:%d: no end-to-end script runs %q: add it to cli/e2e/testdata/script/docs.txtar as shown", doc, c.line, c.text)
				}
			default:
				t.Errorf("%s:%d: nothing checks %q: run it in an end-to-end script, or vouch for it in docs_test.go", doc, c.line, c.text)
			}
		}
	}
}

// The vouchers stay honest: no stale entries.
func TestVouchersAreUsed(t *testing.T) {
	used := map[string]bool{}
	for _, doc := range checked {
		for _, c := range docCommands(t, doc) {
			used[c.text] = true
		}
	}
	for cmd := range vouchers {
		if !used[cmd] {
			t.Errorf("voucher for %q, which no checked document shows", cmd)
		}
	}
}

var linkRE = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)

func TestLinksLeadSomewhere(t *testing.T) {
	for _, doc := range checked {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path := filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(doc), target)))
			if _, err := os.Stat(filepath.Join(root, path)); err == nil {
				continue
			}
			t.Errorf("%s links to %s, which does not exist", doc, target)
		}
	}
}

// The README stays short enough to read in five minutes.
func TestReadmeSize(t *testing.T) {
	fi, err := os.Stat(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 10*1024 {
		t.Errorf("README.md is %d bytes; keep it under 10 KB and move details to docs/", fi.Size())
	}
}

type command struct {
	text string
	line int
}

var shellLangs = map[string]bool{"sh": true, "shell": true, "bash": true, "console": true}

// docCommands returns the commands of a document's shell blocks: in a
// console block the lines after "$ ", in a sh block every line; comments
// and continuation backslashes are folded away.
func docCommands(t *testing.T, doc string) []command {
	t.Helper()
	f, err := os.Open(filepath.Join(root, doc))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []command
	lang, inBlock := "", false
	pending := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if fence, ok := strings.CutPrefix(strings.TrimSpace(line), "```"); ok {
			inBlock, lang = !inBlock, fence
			continue
		}
		if !inBlock || !shellLangs[lang] {
			continue
		}
		if lang == "console" && pending == "" {
			rest, ok := strings.CutPrefix(line, "$ ")
			if !ok {
				continue
			}
			line = rest
		}
		line = stripComment(line)
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		text := strings.Join(strings.Fields(pending+line), " ")
		pending = ""
		if text != "" {
			cmds = append(cmds, command{text: text, line: n})
		}
	}
	return cmds
}

var commentRE = regexp.MustCompile(`(^|\s+)#(\s.*)?$`)

func stripComment(line string) string {
	if strings.HasPrefix(strings.TrimSpace(line), "#") {
		return ""
	}
	return strings.TrimRight(commentRE.ReplaceAllString(line, ""), " ")
}

var envAssignRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=\S*\s+`)

// stripEnv drops leading VAR=value assignments (a script sets them with env).
func stripEnv(cmd string) string {
	for envAssignRE.MatchString(cmd) {
		cmd = envAssignRE.ReplaceAllString(cmd, "")
	}
	return cmd
}

// e2eCommands returns the commands the end-to-end scripts run and expect to
// succeed, as words: `exec [path/]ksm ARGS` with "< FILE" when a `stdin
// FILE` comes before it and "> FILE" when a `cp stdout FILE` follows.
func e2eCommands(t *testing.T) [][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "cli/e2e/testdata/*/*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no end-to-end scripts found: %v", err)
	}
	var runs [][]string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		script, _, _ := strings.Cut(string(data), "\n-- ")
		stdin := ""
		for _, line := range strings.Split(script, "\n") {
			line = strings.TrimSpace(line)
			if rest, ok := strings.CutPrefix(line, "stdin "); ok {
				stdin = rest
				continue
			}
			if rest, ok := strings.CutPrefix(line, "cp stdout "); ok && len(runs) > 0 {
				last := runs[len(runs)-1]
				runs = append(runs, append(slices.Clone(last), ">", rest))
				continue
			}
			rest, ok := strings.CutPrefix(line, "exec ")
			if !ok {
				continue
			}
			words := strings.Fields(rest)
			if filepath.Base(words[0]) != "ksm" {
				continue
			}
			words[0] = "ksm"
			if stdin != "" {
				words = append(words, "<", stdin)
				stdin = ""
			}
			runs = append(runs, words)
		}
	}
	return runs
}

// matches reports whether a script's command runs the documented one: the
// same words, where a script's $VARIABLE stands for any value the
// document shows (a token, a path).
func matches(run, doc []string) bool {
	if len(run) != len(doc) {
		return false
	}
	for i := range run {
		if run[i] != doc[i] && !strings.Contains(run[i], "$") {
			return false
		}
	}
	return true
}

func makeTargets(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`).FindAllStringSubmatch(string(data), -1) {
		targets[m[1]] = true
	}
	return targets
}

var (
	securityTestRE   = regexp.MustCompile("`([a-z]+)\\.(Test[A-Za-z0-9_]+)`")
	securityScriptRE = regexp.MustCompile("`([a-z0-9_]+\\.txtar)`")
)

// Every test SECURITY.md names for a rule exists: a rule whose test was
// renamed or removed would otherwise still read as proven.
func TestSecurityRulesNameRealTests(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "SECURITY.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	funcs := map[string]bool{} // "pkg.TestName", pkg being the directory's name
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		pkg := filepath.Base(filepath.Dir(path))
		for _, m := range regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]+)\(`).FindAllStringSubmatch(string(src), -1) {
			funcs[pkg+"."+m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	named := securityTestRE.FindAllStringSubmatch(doc, -1)
	if len(named) < 10 {
		t.Fatalf("found only %d test names in SECURITY.md", len(named))
	}
	for _, m := range named {
		if m[0] == "`package.TestName`" { // the doc's own placeholder
			continue
		}
		if !funcs[m[1]+"."+m[2]] {
			t.Errorf("SECURITY.md names %s.%s, which no _test.go in a directory %s declares", m[1], m[2], m[1])
		}
	}
	for _, m := range securityScriptRE.FindAllStringSubmatch(doc, -1) {
		if m[1] == "script.txtar" { // the doc's own placeholder for "a script"
			continue
		}
		if found, _ := filepath.Glob(filepath.Join(root, "cli/e2e/testdata/*", m[1])); len(found) == 0 {
			t.Errorf("SECURITY.md names %s, which is no end-to-end script", m[1])
		}
	}
}
