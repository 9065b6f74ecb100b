package inifile

import (
	"bufio"
	"bytes"
	"github.com/ksm-cli/ksm/internal/testenv"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// iniPkg is the import path of gopkg.in/ini.v1.
const iniPkg = "gopkg.in/ini.v1"

// keyMethods are the only methods of ini.Key ksm may call: the raw value
// as Parse stored it (configparser's reading, done once). Every other
// reader renders the value again: String() expands %(name)s, the typed
// ones parse it, Validate/In transform it.
var keyMethods = map[string]bool{"Name": true, "Value": true, "SetValue": true}

// readerMethods of Section and File that render values or map them into
// structs through Key.String().
var readerMethods = map[string]bool{"KeysHash": true, "MapTo": true, "StrictMapTo": true, "ReflectFrom": true}

// Issue 17 item 5, issue 21 item 4: one reading of every keeper.ini value
// (ini.v1's raw value only), no mutation of ini.v1's globals, no
// reflection on its types. Every package of the module that can reach
// ini.v1 is type-checked and each use checked.
func TestOneHonestUseOfIniV1(t *testing.T) {
	if testing.Short() {
		testenv.Skip(t, "short", "type-checks the module's packages (a few seconds): skipped with -short")
	}
	pkgs := listPackages(t)
	fset := token.NewFileSet()
	exports := map[string]string{}
	for _, p := range pkgs {
		exports[p.path] = p.export
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		return os.Open(exports[path])
	})
	checked := 0
	for _, p := range pkgs {
		if !p.ours || !p.reachesIni {
			continue
		}
		var files []*ast.File
		for _, name := range p.goFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Uses: map[*ast.Ident]types.Object{}, Types: map[ast.Expr]types.TypeAndValue{}}
		conf := types.Config{Importer: imp}
		if _, err := conf.Check(p.path, fset, files, info); err != nil {
			t.Fatalf("type-check %s: %v", p.path, err)
		}
		checked++
		for _, v := range violations(files, info) {
			t.Errorf("%s: %s", fset.Position(v.pos), v.what)
		}
	}
	// The guard itself: each kind of use it must catch, in a package made up
	// for it, is caught (a guard that cannot fail proves nothing).
	const bad = `package bad
import ("reflect"; "gopkg.in/ini.v1")
func f(k *ini.Key, s *ini.Section) {
	_ = k.String()
	_ = k.Value()
	_ = s.KeysHash()
	ini.PrettyFormat = false
	_ = reflect.TypeOf(ini.Key{})
}`
	bf, err := parser.ParseFile(fset, "bad.go", bad, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Uses: map[*ast.Ident]types.Object{}, Types: map[ast.Expr]types.TypeAndValue{}}
	if _, err := (&types.Config{Importer: imp}).Check("bad", fset, []*ast.File{bf}, info); err != nil {
		t.Fatal(err)
	}
	if got := violations([]*ast.File{bf}, info); len(got) != 4 {
		t.Errorf("the guard found %d of the 4 planted uses: %v", len(got), got)
	}
	if checked == 0 {
		t.Fatal("no package of the module reaches ini.v1: the check checked nothing")
	}
	t.Logf("%d packages checked", checked)
}

type violation struct {
	pos  token.Pos
	what string
}

// violations finds, in type-checked files, calls of ini.v1 readers other
// than the raw value, assignments to ini.v1's variables and reflection on
// its types.
func violations(files []*ast.File, info *types.Info) []violation {
	var out []violation
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				sel, ok := info.Selections[n]
				if !ok || sel.Kind() != types.MethodVal {
					return true
				}
				recv := named(sel.Recv())
				if recv == nil || recv.Obj().Pkg() == nil || recv.Obj().Pkg().Path() != iniPkg {
					return true
				}
				name := n.Sel.Name
				switch recv.Obj().Name() {
				case "Key":
					if !keyMethods[name] {
						out = append(out, violation{n.Pos(), "ini.Key." + name + " reads a keeper.ini value a second time; use Value() (the value as configparser reads it)"})
					}
				case "Section", "File":
					if readerMethods[name] {
						out = append(out, violation{n.Pos(), "ini." + recv.Obj().Name() + "." + name + " renders values through Key.String(); read Value() of each key"})
					}
				}
			case *ast.AssignStmt:
				for _, lhs := range n.Lhs {
					if v := iniVar(lhs, info); v != "" {
						out = append(out, violation{lhs.Pos(), "assigns ini.v1's global " + v + ", which every user of ini.v1 in the process shares"})
					}
				}
			case *ast.CallExpr:
				fn, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				obj, ok := info.Uses[fn.Sel].(*types.Func)
				if !ok || obj.Pkg() == nil || obj.Pkg().Path() != "reflect" {
					return true
				}
				for _, arg := range n.Args {
					if t := info.Types[arg].Type; t != nil && strings.Contains(types.TypeString(t, nil), iniPkg) {
						out = append(out, violation{n.Pos(), "reflection on ini.v1's " + types.TypeString(t, nil) + ": its private fields are not a contract"})
					}
				}
			}
			return true
		})
	}
	return out
}

func named(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := t.(*types.Named)
	return n
}

// iniVar names the ini.v1 package variable e is, or "".
func iniVar(e ast.Expr, info *types.Info) string {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	v, ok := info.Uses[sel.Sel].(*types.Var)
	if !ok || v.IsField() || v.Pkg() == nil || v.Pkg().Path() != iniPkg {
		return ""
	}
	return "ini." + v.Name()
}

type listed struct {
	path, dir, export string
	goFiles           []string
	ours, reachesIni  bool
}

// listPackages lists the module's packages and their dependencies with
// their export data (go list -export builds what is missing).
func listPackages(t *testing.T) []listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-export", "-deps", "-f",
		"{{.ImportPath}}\t{{.Dir}}\t{{.Export}}\t{{join .GoFiles \" \"}}\t{{if .Module}}{{.Module.Path}}{{end}}\t{{join .Deps \" \"}}",
		"github.com/ksm-cli/ksm/...")
	cmd.Dir = "../../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listed
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 6 {
			t.Fatalf("go list line %q", sc.Text())
		}
		p := listed{path: f[0], dir: f[1], export: f[2], goFiles: strings.Fields(f[3]), ours: f[4] == "github.com/ksm-cli/ksm"}
		for _, d := range strings.Fields(f[5]) {
			if d == iniPkg {
				p.reachesIni = true
			}
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}
