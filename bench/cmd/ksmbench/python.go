//go:build devtools

package main

import (
	"os"
	"os/exec"
	"path/filepath"
)

// pythonExample is the Python example plugin, run through ksm in the
// rows below when Debian's python3 has grpcio.
const pythonExample = "sdk/examples/python/ksm-storage-pyexample"

// python is the interpreter the example names in its #! line.
const python = "/usr/bin/python3"

// pythonImports is what the plugin must import before it can serve:
// Python's own start-up for a gRPC plugin.
const pythonImports = "import grpc, google.protobuf.descriptor_pool, concurrent.futures"

func havePython() bool {
	return exec.Command(python, "-c", pythonImports).Run() == nil
}

// setupPython installs the example in a plugin directory of its own and
// sets up the profile viapy on the same config file as viafile.
func (fx *fixtures) setupPython(env []string) error {
	dir := fx.path("pyplugins")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(fx.root, pythonExample))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(pythonExample)), data, 0o700); err != nil {
		return err
	}
	fx.python = true
	return fx.ksm(append(env, fx.pythonEnv()...), "profile", "setup", "--type=pyexample", "-p", "viapy", "--path", fx.path("config.json"))
}

func (fx *fixtures) pythonEnv() []string {
	return []string{"KSM_PLUGIN_PATH=" + fx.path("pyplugins")}
}

// pythonRows are the floors the Python row is compared with.
func pythonFloors(fx *fixtures) []*row {
	proc := func(argv ...string) *procSpec {
		return &procSpec{argv: argv, env: fx.env(fx.path("home"), fx.path("cfg-warm")), dir: fx.path("home")}
	}
	return []*row{
		{key: "python", label: "Python start-up (python3 -c pass)", floor: true, proc: proc(python, "-c", "pass")},
		{key: "python_grpc", label: "Python start-up importing grpc, protobuf", floor: true, proc: proc(python, "-c", pythonImports)},
	}
}
