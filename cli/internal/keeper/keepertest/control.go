package keepertest

import (
	"net/http"
	"strconv"
)

// controlPrefix holds endpoints that steer the server from another
// process (the keeper-testserver command). They are outside Keeper's API
// path and are not counted in Stats:
//
//	POST /keepertest/token                  a new one-time token, as text
//	POST /keepertest/throttle?n=N           the next N requests are throttled
//	POST /keepertest/garbage?n=N            ... answered with random bytes
//	POST /keepertest/hang?n=N               ... never answered
//	POST /keepertest/fail?n=N               ... answered with HTTP 500
//	POST /keepertest/require-key-id?id=ID   see RequireKeyID
//	GET  /keepertest/stats                  Stats as JSON
const controlPrefix = "/keepertest/"

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path[len(controlPrefix):]
	if name == "stats" {
		writeJSON(w, http.StatusOK, s.Stats())
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return
	}
	n := 1
	if v := r.URL.Query().Get("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			http.Error(w, "n must be a count", http.StatusBadRequest)
			return
		}
	}
	switch name {
	case "token":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(s.NewToken()))
	case "throttle":
		s.Throttle(n)
	case "garbage":
		s.Garbage(n)
	case "hang":
		s.Hang(n)
	case "fail":
		s.Fail(n)
	case "require-key-id":
		id, err := strconv.Atoi(r.URL.Query().Get("id"))
		if err != nil || id <= 0 {
			http.Error(w, "id must be a positive number", http.StatusBadRequest)
			return
		}
		s.RequireKeyID(id)
	default:
		http.NotFound(w, r)
		return
	}
	if name != "token" {
		w.WriteHeader(http.StatusNoContent)
	}
}
