package web

import (
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// The hot path: a download asked for again, as it was asked before (a
// CDN revalidating, a dashboard polling the series every few seconds, a
// load test), is answered from memory before the router and its
// middleware run. serveDownload records in s.recent which representation
// each raw request (route, question, Accept header, raw query) got at the
// current data version; serveHot finds it there and writes exactly what
// the full path would (the security headers included: a test compares
// the two), so that the request costs a map lookup and a write. Anything
// else, and anything the full path would answer differently (request
// logging on, TLS, a path that needs unescaping or a format suffix),
// takes the full path.

// Security headers as the Secure middleware (server.go) sets them.
var hotSecurity = [][2]string{
	{echo.HeaderXXSSProtection, "0"},
	{echo.HeaderXContentTypeOptions, "nosniff"},
	{echo.HeaderXFrameOptions, "DENY"},
	{echo.HeaderReferrerPolicy, "same-origin"},
	{echo.HeaderContentSecurityPolicy, ContentSecurityPolicy},
}

// hotSecurityKeys and hotSecurityValues are hotSecurity as header map
// keys (canonical, as Header.Set writes them) and values, shared by every
// response (net/http only reads them).
var hotSecurityKeys, hotSecurityValues = func() ([]string, [][]string) {
	keys, vals := make([]string, len(hotSecurity)), make([][]string, len(hotSecurity))
	for i, kv := range hotSecurity {
		keys[i], vals[i] = http.CanonicalHeaderKey(kv[0]), []string{kv[1]}
	}
	return keys, vals
}()

// hotKinds are the routes under /api/v1/questions/:id/ that the hot path
// serves.
var hotKinds = map[string]string{"series": KindSeries, "polls": KindPolls, "house-effects": KindHouseEffects}

// serveHot answers r from s.recent when it can, and reports whether it did.
func (s *Server) serveHot(w http.ResponseWriter, r *http.Request) bool {
	logsRequests := s.cfg.Log != io.Discard && !s.cfg.Quiet // as the request logger's Skipper
	if r.Method != http.MethodGet && r.Method != http.MethodHead || r.TLS != nil || r.URL.RawPath != "" || logsRequests {
		return false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/questions/")
	if !ok {
		return false
	}
	id, route, ok := strings.Cut(rest, "/")
	kind, known := hotKinds[route]
	if !ok || !known || id == "" {
		return false
	}
	key := downloadKey{kind: kind, id: id, accept: r.Header.Get(echo.HeaderAccept), query: r.URL.RawQuery}
	rep, vary, ok := s.recent.get(key, s.db.Version())
	if !ok {
		return false
	}
	h := w.Header()
	for i, k := range hotSecurityKeys {
		h[k] = hotSecurityValues[i]
	}
	if err := rep.Write(w, r, vary); err != nil {
		s.log.Debug("hot path: writing", "path", r.URL.Path, "err", err)
	}
	return true
}
