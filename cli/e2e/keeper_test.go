package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
	"github.com/ksm-cli/ksm/cli/internal/region"
)

// Every script gets its own Keeper test server (so its Stats are the
// script's own) and a CONNECT proxy in front of it. ksm reaches the server
// the way it reaches Keeper: it trusts the test CA through SSL_CERT_FILE,
// and reaches region hosts (keepersecurity.com, ...) through HTTPS_PROXY,
// which forwards every CONNECT to the test server, whose certificate also
// names those hosts. The one test hook: ksm is built with TESTTAGS=devtools,
// so it hands this server the transmission key that Keeper's SDK encrypts
// only to Keeper's own server keys (cli/internal/keeper/testhook_devtools.go).
//
// Scripts see:
//
//	$KEEPER_HOST   127.0.0.1:PORT of the server (give it as --hostname)
//	$KEEPER_KEY    its server public key (ksm no longer takes one)
//	$CA_FILE       its CA certificate (set SSL_CERT_FILE=$CA_FILE)
//	$KEEPER_PROXY  http://127.0.0.1:PORT of the proxy (set HTTPS_PROXY)
//	$KEEPER_DOWN   an address where nothing listens
//	$REC_LOGIN, $REC_NOTE, $REC_DB   UIDs of the records shared (REC_DB in a shared folder)
//
// and the commands below (keepertoken, keeperstats, keeperwait, keeperfault,
// keeperproxied, nosecrets, setenvfile).
type keeperEnv struct {
	srv   *keepertest.Server
	proxy *connectProxy

	mu     sync.Mutex
	tokens []string
}

type keeperKey struct{}

var keeperCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"keepertoken":   cmdKeeperToken,
	"keeperstats":   cmdKeeperStats,
	"keeperwait":    cmdKeeperWait,
	"keeperfault":   cmdKeeperFault,
	"keeperproxied": cmdKeeperProxied,
	"nosecrets":     cmdNoSecrets,
	"setenvfile":    cmdSetenvFile,
}

func setupKeeper(env *testscript.Env) error {
	dir, err := os.MkdirTemp("", "ksm-e2e-keeper-")
	if err != nil {
		return err
	}
	env.Defer(func() { os.RemoveAll(dir) })
	var hosts []string
	for _, c := range region.Codes() {
		hosts = append(hosts, region.Host(c))
	}
	srv, err := keepertest.Start(dir, keepertest.WithDNSNames(hosts...))
	if err != nil {
		return err
	}
	env.Defer(srv.Close)
	proxy, err := startProxy(srv.Host())
	if err != nil {
		return err
	}
	env.Defer(proxy.Close) // runs before srv.Close: defers run in reverse

	login := srv.AddRecord("Sample Login", "login",
		keepertest.Field{Type: "login", Value: []any{"alice@example.com"}},
		keepertest.Field{Type: "password", Value: []any{"sample-password-1"}},
		keepertest.Field{Type: "url", Value: []any{"https://example.com"}},
	)
	note := srv.Put("", keepertest.Record{Title: "Sample Note", Type: "encryptedNotes",
		Fields: []keepertest.Field{{Type: "note", Value: []any{"a sample secure note"}}},
		Custom: []keepertest.Field{{Type: "text", Label: "Environment", Value: []any{"staging"}}},
		Notes:  "first line\nsecond line",
	})
	folder := srv.AddFolder()
	db := srv.AddFolderRecord(folder, "Folder Database", "databaseCredentials",
		keepertest.Field{Type: "host", Value: []any{map[string]any{"hostName": "db.example.com", "port": "5432"}}},
		keepertest.Field{Type: "login", Value: []any{"dbuser"}},
		keepertest.Field{Type: "password", Value: []any{"sample-password-2"}},
	)

	env.Setenv("KEEPER_HOST", srv.Host())
	env.Setenv("KEEPER_KEY", srv.PublicKey())
	env.Setenv("CA_FILE", srv.CAFile())
	env.Setenv("KEEPER_PROXY", "http://"+proxy.Addr())
	// Port 1 (tcpmux) is privileged and unused: connecting is refused.
	env.Setenv("KEEPER_DOWN", "127.0.0.1:1")
	env.Setenv("REC_LOGIN", login)
	env.Setenv("REC_NOTE", note)
	env.Setenv("REC_DB", db)
	env.Values[keeperKey{}] = &keeperEnv{srv: srv, proxy: proxy}
	return nil
}

func keeperOf(ts *testscript.TestScript) *keeperEnv {
	k, ok := ts.Value(keeperKey{}).(*keeperEnv)
	if !ok {
		ts.Fatalf("no keeper test server in this script")
	}
	return k
}

// keepertoken [VAR]: mint a one-time token (no region prefix) into $VAR,
// default $KEEPER_TOKEN.
func cmdKeeperToken(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: keepertoken [VAR]")
	}
	name := "KEEPER_TOKEN"
	if len(args) == 1 {
		name = args[0]
	}
	k := keeperOf(ts)
	tok := k.srv.NewToken()
	k.mu.Lock()
	k.tokens = append(k.tokens, tok)
	k.mu.Unlock()
	ts.Setenv(name, tok)
}

// keeperstats NAME N: the server's counter NAME (requests, binds, fetches,
// denied, key_errors, throttled) is exactly N.
func cmdKeeperStats(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: keeperstats NAME N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	st := keeperOf(ts).srv.Stats()
	counters := map[string]int{
		"requests": st.Requests, "binds": st.Binds, "fetches": st.Fetches,
		"denied": st.Denied, "key_errors": st.KeyErrors, "throttled": st.Throttled,
	}
	got, ok := counters[args[0]]
	if !ok {
		ts.Fatalf("unknown counter %q", args[0])
	}
	if got != want {
		ts.Fatalf("keeper server %s = %d, want %d (stats %+v)", args[0], got, want, st)
	}
}

// keeperwait requests N: wait (10s at most) until the server has seen N
// requests, so that a script can act while a request is in flight.
func cmdKeeperWait(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || args[0] != "requests" {
		ts.Fatalf("usage: keeperwait requests N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	s := keeperOf(ts).srv
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().Requests < want {
		if time.Now().After(deadline) {
			ts.Fatalf("keeper server saw %d requests after 10s, want %d", s.Stats().Requests, want)
		}
		time.Sleep(10 * time.Millisecond) // polling the server's counter, with a deadline
	}
}

// keeperfault KIND [N]: the next N requests (default 1) are answered with
// garbage, a hang, HTTP 500 or throttling; `keeperfault keyid ID` makes
// the server require server key id ID.
func cmdKeeperFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: keeperfault garbage|hang|fail|throttle|keyid [N]")
	}
	n := 1
	if len(args) == 2 {
		var err error
		n, err = strconv.Atoi(args[1])
		ts.Check(err)
	}
	s := keeperOf(ts).srv
	switch args[0] {
	case "garbage":
		s.Garbage(n)
	case "hang":
		s.Hang(n)
	case "fail":
		s.Fail(n)
	case "throttle":
		s.Throttle(n)
	case "keyid":
		s.RequireKeyID(n)
	default:
		ts.Fatalf("unknown fault %q", args[0])
	}
}

// keeperproxied HOST:PORT: the proxy was asked to CONNECT to HOST:PORT.
func cmdKeeperProxied(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: keeperproxied HOST:PORT")
	}
	seen := keeperOf(ts).proxy.Seen()
	if slices.Contains(seen, args[0]) == neg {
		ts.Fatalf("proxy CONNECTs %v; want %s%s", seen, map[bool]string{true: "none to ", false: ""}[neg], args[0])
	}
}

// nosecrets [INI...]: the last command's stdout and stderr hold no token
// minted in this script and no key (clientid, privatekey, appkey,
// appownerpublickey) of any profile in the INI files.
func cmdNoSecrets(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: nosecrets [INI...]")
	}
	k := keeperOf(ts)
	k.mu.Lock()
	secrets := slices.Clone(k.tokens)
	k.mu.Unlock()
	for _, path := range args {
		f, err := inifile.Read(ts.MkAbs(path))
		ts.Check(err)
		for _, s := range f.Sections() {
			for _, key := range []string{"clientid", "privatekey", "appkey", "appownerpublickey"} {
				if v := s.Key(key).String(); s.HasKey(key) && len(v) >= 8 {
					secrets = append(secrets, v)
				}
			}
		}
	}
	if len(secrets) == 0 {
		ts.Fatalf("nosecrets: no token minted and no key found: nothing to look for")
	}
	for _, stream := range []string{"stdout", "stderr"} {
		out := ts.ReadFile(stream)
		for _, s := range secrets {
			if strings.Contains(out, s) {
				ts.Fatalf("%s shows a secret (%d characters, starting %.4s)", stream, len(s), s)
			}
		}
	}
}

// setenvfile VAR FILE: set $VAR to FILE's content, without a final newline.
func cmdSetenvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: setenvfile VAR FILE")
	}
	ts.Setenv(args[0], strings.TrimSuffix(ts.ReadFile(args[1]), "\n"))
}

// connectProxy is a minimal HTTPS proxy: it answers every CONNECT by
// tunnelling to target, whatever host was asked for, and records the
// hosts asked for.
type connectProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	seen   []string
	conns  map[net.Conn]bool
}

func startProxy(target string) (*connectProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &connectProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

func (p *connectProxy) Addr() string { return p.ln.Addr().String() }

// Seen lists the CONNECT targets asked for, in order.
func (p *connectProxy) Seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}

// Close stops accepting, cuts open tunnels and waits for their goroutines.
func (p *connectProxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *connectProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.handle(c)
	}
}

// track adds or removes an open connection; after Close it closes c at
// once, so no tunnel outlives the proxy.
func (p *connectProxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case on && p.closed:
		c.Close()
	case on:
		p.conns[c] = true
	default:
		delete(p.conns, c)
	}
}

func (p *connectProxy) handle(c net.Conn) {
	defer p.wg.Done()
	p.track(c, true)
	defer p.track(c, false)
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		fmt.Fprint(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.seen = append(p.seen, req.Host)
	p.mu.Unlock()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		fmt.Fprint(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.track(up, true)
	defer p.track(up, false)
	defer up.Close()
	if _, err := fmt.Fprint(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(up, br) // br holds anything read past the request
		if tc, ok := up.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}()
	_, _ = io.Copy(c, up)
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	<-done
}
