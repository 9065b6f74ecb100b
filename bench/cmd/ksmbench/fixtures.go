//go:build devtools

package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/ksm-cli/ksm/plugins/vault/vaulttest"
)

// build is a directory holding ksm and its plugins; the rows of a
// baseline build have their own keys, labels and config dirs.
type build struct {
	dir    string
	suffix string // of row keys and of the build's own directories
	prefix string // of row labels
}

// fixtures is the bench's world in a temp dir: a home, config dirs, and
// keeper.ini files, all isolated from the machine's own.
type fixtures struct {
	root   string
	bin    string
	work   string
	config map[string]string // the SDK JSON of a sample profile
	moto   *moto
	// awsSettings are the aws profile's store settings, as keeper.ini
	// holds them after `profile setup`.
	awsSettings map[string]string
	// vault is a Vault dev server, and vaultSettings the vault profile's.
	vault         *vaulttest.Server
	vaultSettings map[string]string
	// current is the build measured; baseline, if set, the one compared.
	current, baseline *build
	// python: the Python example's rows run (see python.go).
	python bool
}

func (fx *fixtures) builds() []*build {
	if fx.baseline == nil {
		return []*build{fx.current}
	}
	return []*build{fx.current, fx.baseline}
}

// trustFiles identifies the warm trust files' versions (content and
// stamp), to tell whether a warm run rewrote one.
func (fx *fixtures) trustFiles() string {
	var id string
	for _, b := range fx.builds() {
		path := fx.path("cfg-warm"+b.suffix, "ksm", "trusted-plugins.json")
		data, _ := os.ReadFile(path)
		id += stampOf(path) + "\x00" + string(data) + "\x00"
	}
	return id
}

func (fx *fixtures) path(elem ...string) string {
	return filepath.Join(append([]string{fx.work}, elem...)...)
}

func (fx *fixtures) exe(name string) string { return filepath.Join(fx.bin, name) }

// env is a small, explicit environment: no variable of the machine's
// leaks in (no KSM_*, no AWS_*).
func (fx *fixtures) env(iniDir, configHome string, extra ...string) []string {
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + fx.path("home"),
		"XDG_CONFIG_HOME=" + configHome,
		"KSM_INI_DIR=" + iniDir,
		"TMPDIR=" + os.TempDir(),
	}
	return append(env, extra...)
}

// pluginEnv is the base of what ksm passes a plugin (see pluginhost).
func (fx *fixtures) pluginEnv() []string {
	return []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + fx.path("home"), "TMPDIR=" + os.TempDir()}
}

// awsEnv points the AWS SDK at moto with a shared-config profile, and
// keeps it off any real instance metadata service.
func (fx *fixtures) awsEnv() []string {
	return []string{
		"AWS_CONFIG_FILE=" + fx.path("aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + fx.path("aws", "credentials"),
		"AWS_REGION=" + benchRegion,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + fx.moto.endpoint,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

func (fx *fixtures) loadConfig() error {
	data, err := os.ReadFile(filepath.Join(fx.root, "testdata", "reference", "config1.json"))
	if err != nil {
		return err
	}
	return json.Unmarshal(data, &fx.config)
}

// configJSON is the sample config as Keeper's CLI writes it.
func (fx *fixtures) configJSON() []byte {
	b, _ := json.Marshal(fx.config)
	return b
}

// writeIni writes a keeper.ini of n profiles in Keeper's CLI layout.
func (fx *fixtures) writeIni(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("[_config]\nactive_profile = p0000\ncolor = True\ncache = False\nrecord_type_dir\neditor\neditor_use_blocking = False\neditor_process_name\n\n")
	for i := range n {
		fmt.Fprintf(&b, "[p%04d]\n", i)
		for _, k := range []string{"clientId", "privateKey", "appKey", "hostname", "appOwnerPublicKey", "serverPublicKeyId"} {
			fmt.Fprintf(&b, "%s = %s\n", strings.ToLower(k), fx.config[k])
		}
		b.WriteString("\n")
	}
	return os.WriteFile(filepath.Join(dir, "keeper.ini"), []byte(b.String()), 0o600)
}

// setup makes every directory and file the rows use.
func (fx *fixtures) setup() error {
	for _, d := range []string{"home", "aws", "show", "cold"} {
		if err := os.MkdirAll(fx.path(d), 0o700); err != nil {
			return err
		}
	}
	for _, n := range []int{1, 100, 1000} {
		if err := fx.writeIni(fx.path(fmt.Sprintf("list%d", n)), n); err != nil {
			return err
		}
	}
	for _, b := range fx.builds() {
		for _, d := range []string{"cfg-warm", "cfg-cold"} {
			if err := os.MkdirAll(fx.path(d+b.suffix), 0o700); err != nil {
				return err
			}
		}
		if err := fx.writeIni(fx.path("import"+b.suffix), 1000); err != nil {
			return err
		}
	}
	b64 := base64.StdEncoding.EncodeToString(fx.configJSON())
	if err := os.WriteFile(fx.path("config.b64"), []byte(b64), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(fx.path("config.json"), fx.configJSON(), 0o600); err != nil {
		return err
	}
	// The profiles `show` reads: one in keeper.ini, one per store. Setting
	// them up with ksm itself also leaves the trust file warm.
	warm := fx.env(fx.path("show"), fx.path("cfg-warm"))
	steps := [][]string{
		{"profile", "import", "-p", "local", "-"},
		{"profile", "setup", "--type=file", "-p", "viafile", "--path", fx.path("config.json")},
	}
	for _, args := range steps {
		if err := fx.ksm(warm, args...); err != nil {
			return err
		}
	}
	if fx.moto != nil {
		if err := fx.setupAWS(warm); err != nil {
			return err
		}
	}
	if havePython() {
		if err := fx.setupPython(warm); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(os.Stderr, "%s cannot import grpc (apt-get install python3-grpcio python3-protobuf): no Python rows\n", python)
	}
	if fx.vault != nil {
		if err := fx.setupVault(warm); err != nil {
			return err
		}
	}
	for _, b := range fx.builds() {
		if err := fx.setupInstalled(b); err != nil {
			return err
		}
	}
	// The cold rows read the same profiles with a config dir of their own,
	// whose trust file is removed before each run.
	return copyFile(fx.path("show", "keeper.ini"), fx.path("cold", "keeper.ini"))
}

func (fx *fixtures) setupAWS(env []string) (err error) {
	config := "[default]\nregion = " + benchRegion + "\n\n[profile bench]\nregion = " + benchRegion + "\n"
	creds := "[bench]\naws_access_key_id = " + benchKeyID + "\naws_secret_access_key = " + benchSecretKey + "\n"
	if err := os.WriteFile(fx.path("aws", "config"), []byte(config), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(fx.path("aws", "credentials"), []byte(creds), 0o600); err != nil {
		return err
	}
	if err := fx.moto.createSecret("ksm-bench", string(fx.configJSON())); err != nil {
		return fmt.Errorf("create the bench secret in moto: %w", err)
	}
	if err := fx.ksm(append(env, fx.awsEnv()...), "profile", "setup", "--type=aws", "-p", "viaaws",
		"--credentials", "profile", "--credentials-profile", "bench", "--secret", "ksm-bench"); err != nil {
		return err
	}
	fx.awsSettings, err = iniSection(fx.path("show", "keeper.ini"), "viaaws")
	return err
}

// iniSection reads one section's "key = value" lines, less storage.
func iniSection(path, name string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			in = line == "["+name+"]"
			continue
		}
		if k, v, ok := strings.Cut(line, "="); in && ok && strings.TrimSpace(k) != "storage" {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no settings for [%s]", path, name)
	}
	return out, nil
}

// ksm runs ksm once for set-up; stdin is the sample config in base64.
func (fx *fixtures) ksm(env []string, args ...string) error {
	cmd := exec.Command(fx.exe("ksm"), args...)
	cmd.Env = env
	in, err := os.Open(fx.path("config.b64"))
	if err != nil {
		return err
	}
	defer in.Close()
	cmd.Stdin = in
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("set-up: ksm %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o600)
}

// installedPlugin is the SDK's Go example, built by `make bench`.
const installedPlugin = "installed/ksm-storage-env"

// installedEnv runs ksm of build b with a config dir of its own, where
// `ksm plugin install` put the SDK's Go example; the variable it declares
// holds the config.
func (fx *fixtures) installedEnv(b *build) []string {
	return fx.env(fx.path("show"), fx.path("cfg-installed"+b.suffix),
		"KSM_EXAMPLE_CONFIG="+base64.StdEncoding.EncodeToString(fx.configJSON()))
}

// setupInstalled installs the example with the ksm of build b and, once,
// sets up the profile that reads through it.
func (fx *fixtures) setupInstalled(b *build) error {
	steps := [][]string{{"plugin", "install", fx.exe(installedPlugin)}}
	if b == fx.current {
		steps = append(steps, []string{"profile", "setup", "--type=env", "-p", "viaenv", "--variable", "KSM_EXAMPLE_CONFIG"})
	}
	for _, args := range steps {
		cmd := exec.Command(filepath.Join(b.dir, "ksm"), args...)
		cmd.Env = fx.installedEnv(b)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("set-up: ksm %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}
