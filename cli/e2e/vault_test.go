package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ksm-cli/ksm/plugins/vault/vaulttest"
)

// TestVaultScripts runs testdata/vault through ksm and ksm-storage-vault
// against a real Vault dev server (one for the package, on loopback) and
// the Keeper test server. Scripts share the Vault, so each works under a
// path of its own: ksm/$VAULT_PREFIX/...
//
// Scripts see $VAULT_ADDR (set, as a user would), $VAULT_DOWN (where
// nothing listens), $VAULT_PREFIX, and the commands vaultput, vaultget,
// vaulttoken and vaultapprole below.
func TestVaultScripts(t *testing.T) {
	v := vaulttest.Shared(t)
	down := vaulttest.ClosedAddr(t)
	var scripts atomic.Int64
	p := params(t, "testdata/vault")
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		vaultSetup(env, v, fmt.Sprintf("s%d", scripts.Add(1)))
		env.Setenv("VAULT_DOWN", down)
		return nil
	}
	for name, cmd := range vaultCmds {
		p.Cmds[name] = cmd
	}
	testscript.Run(t, p)
}

type vaultKey struct{}

// vaultSetup gives a script the Vault and none of the machine's VAULT_*.
func vaultSetup(env *testscript.Env, v *vaulttest.Server, prefix string) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "VAULT_") {
			env.Setenv(k, "")
		}
	}
	env.Setenv("VAULT_ADDR", v.Addr)
	env.Setenv("VAULT_PREFIX", prefix)
	env.Values[vaultKey{}] = v
}

var vaultCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"vaultput":     cmdVaultPut,
	"vaultget":     cmdVaultGet,
	"vaulttoken":   cmdVaultToken,
	"vaultapprole": cmdVaultAppRole,
}

func vaultOf(ts *testscript.TestScript) *vaulttest.Server {
	v, ok := ts.Value(vaultKey{}).(*vaulttest.Server)
	if !ok {
		ts.Fatalf("no Vault in this script")
	}
	return v
}

// tsT lets vaulttest's helpers fail the script.
type tsT struct {
	testing.TB
	ts *testscript.TestScript
}

func (t tsT) Helper()                           {}
func (t tsT) Fatalf(format string, args ...any) { t.ts.Fatalf(format, args...) }

func vaultCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// vaultput PATH KEY=VALUE|KEY=@FILE...: write a KV v2 secret at
// secret/PATH directly, not through ksm.
func cmdVaultPut(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: vaultput PATH KEY=VALUE|KEY=@FILE...")
	}
	data := map[string]any{}
	for _, kv := range args[1:] {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			ts.Fatalf("vaultput: %q is not KEY=VALUE", kv)
		}
		if f, ok := strings.CutPrefix(val, "@"); ok {
			val = strings.TrimSuffix(ts.ReadFile(f), "\n")
		}
		data[k] = val
	}
	ctx, cancel := vaultCtx()
	defer cancel()
	_, err := vaultOf(ts).Client(tsT{ts: ts}).KVv2("secret").Put(ctx, args[0], data)
	ts.Check(err)
}

// vaultget PATH: print the field names of secret/PATH, sorted, one a line,
// and its version as "version N" (values are secrets).
func cmdVaultGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: vaultget PATH")
	}
	ctx, cancel := vaultCtx()
	defer cancel()
	sec, err := vaultOf(ts).Client(tsT{ts: ts}).KVv2("secret").Get(ctx, args[0])
	ts.Check(err)
	var keys []string
	for k := range sec.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(ts.Stdout(), "%s\nversion %d\n", strings.Join(keys, "\n"), sec.VersionMetadata.Version)
}

// vaulttoken [-file] PATH...: a token whose policy allows read, create and
// update on secret/PATH..., in $VAULT_TOKEN (with -file: in
// ~/.vault-token, where `vault login` puts it, and $VAULT_TOKEN unset).
// $TOKEN_VALUE holds it either way, for checks that it leaks nowhere.
func cmdVaultToken(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: vaulttoken [-file] PATH...")
	}
	toFile := len(args) > 0 && args[0] == "-file"
	if toFile {
		args = args[1:]
	}
	v := vaultOf(ts)
	t := tsT{ts: ts}
	name := fmt.Sprintf("e2e-%s-rw-%d", ts.Getenv("VAULT_PREFIX"), time.Now().UnixNano())
	var hcl strings.Builder
	for _, p := range args {
		fmt.Fprintf(&hcl, "path %q {\n  capabilities = [\"read\", \"create\", \"update\"]\n}\n", "secret/data/"+p)
	}
	v.Policy(t, name, hcl.String())
	tok := v.Token(t, 0, name)
	ts.Setenv("TOKEN_VALUE", tok)
	if toFile {
		ts.Check(os.WriteFile(filepath.Join(ts.Getenv("HOME"), ".vault-token"), []byte(tok+"\n"), 0o600))
		ts.Setenv("VAULT_TOKEN", "")
		return
	}
	ts.Setenv("VAULT_TOKEN", tok)
}

// vaultapprole PATH...: an AppRole (at auth/approle) whose policy only
// reads secret/PATH...; sets $ROLE_ID and $SECRET_ID, and writes the
// secret id to $WORK/secret-id.
func cmdVaultAppRole(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: vaultapprole PATH...")
	}
	v := vaultOf(ts)
	t := tsT{ts: ts}
	name := fmt.Sprintf("e2e-%s-read-%d", ts.Getenv("VAULT_PREFIX"), time.Now().UnixNano())
	var hcl strings.Builder
	for _, p := range args {
		hcl.WriteString(vaulttest.ReadPolicy("secret", p))
	}
	v.Policy(t, name, hcl.String())
	role := v.AppRole(t, "approle", name)
	ts.Setenv("ROLE_ID", role.RoleID)
	ts.Setenv("SECRET_ID", role.SecretID)
	ts.Check(os.WriteFile(ts.MkAbs("secret-id"), []byte(role.SecretID+"\n"), 0o600))
}

// TestVaultReadmeExamples runs the examples at the top of
// plugins/vault/README.md, line by line, as a script: against the test
// Vault (the README's VAULT_ADDR names a host that does not exist here),
// with a secret at each path and an AppRole whose role id stands in for
// RID. The Kubernetes example must fail, saying no service-account token
// is mounted: there is no pod here.
func TestVaultReadmeExamples(t *testing.T) {
	readme, err := os.ReadFile("../../plugins/vault/README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```sh\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README has no sh example block")
	}
	var script strings.Builder
	script.WriteString(`vaulttoken ksm/prod ksm/ci ksm/k8s ksm/moved
exec ksm profile import -p seed $REF_CONFIG1
exec ksm profile setup --type=vault -p prod-seed --path ksm/prod --from-profile seed
exec ksm profile setup --type=vault -p ci-seed --path ksm/ci --from-profile seed
vaultapprole ksm/ci
env VAULT_SECRET_ID=$SECRET_ID
`)
	for _, line := range strings.Split(block, "\n") {
		line, _, _ = strings.Cut(line, " #")
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "export VAULT_ADDR="):
			script.WriteString("# " + line + "\n")
		case strings.HasPrefix(line, "ksm ") && strings.Contains(line, "--auth kubernetes"):
			script.WriteString("! exec " + line + "\nstderr 'no Kubernetes service-account token'\n")
		case strings.HasPrefix(line, "ksm "):
			script.WriteString("exec " + strings.ReplaceAll(line, " RID ", " $ROLE_ID ") + "\n")
		default:
			t.Fatalf("README example line %q is neither an export nor a ksm command", line)
		}
	}
	script.WriteString(`exec ksm profile list
stdout 'prod'
stdout 'moved'
`)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "readme.txtar"), []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	v := vaulttest.Shared(t)
	p := params(t, dir)
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		vaultSetup(env, v, "readme")
		return nil
	}
	for name, cmd := range vaultCmds {
		p.Cmds[name] = cmd
	}
	testscript.Run(t, p)
}
