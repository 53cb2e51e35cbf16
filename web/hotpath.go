package web

import (
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

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
	if err := writeRepresentation(w, r, rep, vary); err != nil {
		s.log.Debug("hot path: writing", "path", r.URL.Path, "err", err)
	}
	return true
}

// Sending a large body with sendfile(2). Written from memory, each
// response's body is copied into the kernel's socket buffers by write(2):
// for the 164 KB series CSV of the demo's flagship that copy was a fifth
// of the server's CPU under load. The hot path instead keeps such a body
// in an unlinked temporary file (its pages stay in the page cache) and
// hands the kernel the file, as nginx does: net/http's ReadFrom passes an
// *os.File to the connection's ReadFrom, which uses sendfile(2). Linux
// only (a descriptor of its own per request is opened through
// /proc/self/fd, since sendfile sends from the descriptor's own offset);
// anywhere else, or when anything fails, the body is written as before.

// sendfileMin is the smallest body sent from a file: below it the copy
// costs less than the extra seek and the descriptor's bookkeeping.
const sendfileMin = 16 << 10

// sendfileHead is how many bytes go out by Write before the file takes
// over: more than net/http's 2 KB response buffer, so that they and the
// header go straight into the connection's 4 KB buffer and out in one
// write, and ReadFrom has no first bytes to read from the file to sniff.
const sendfileHead = 2049

// sendfileFDs caps the descriptors all file bodies hold together, far
// below any descriptor limit: a body that cannot have one more is written
// from memory.
const (
	sendfileFDs     = 256
	sendfileFDsEach = 16 // per body: about as many requests as can wait on a full socket buffer at once
)

var sendfileOpen atomic.Int64 // descriptors open across file bodies

// fileBody is one body in a temporary file and a pool of descriptors
// open on it, each with its own offset.
type fileBody struct {
	once   sync.Once
	ok     bool
	base   *os.File // keeps the file alive; never read from
	path   string   // /proc/self/fd/N: opens another descriptor of the file
	size   int64
	pool   chan *os.File
	opened *atomic.Int64 // descriptors in pool or in use (apart from base)
}

// newFileBody returns the (empty, made on first use) file body for b, or
// nil when b is too short to send from a file.
func newFileBody(b []byte) *fileBody {
	if runtime.GOOS != "linux" || len(b) < sendfileMin {
		return nil
	}
	return &fileBody{opened: new(atomic.Int64)}
}

// init makes the file on first use and reports whether there is one.
func (fb *fileBody) init(b []byte) bool {
	fb.once.Do(func() {
		if sendfileOpen.Add(1) > sendfileFDs {
			sendfileOpen.Add(-1)
			return
		}
		f, err := os.CreateTemp("", "pollagg-body-*")
		if err != nil {
			sendfileOpen.Add(-1)
			return
		}
		os.Remove(f.Name()) // unlinked: gone when the last descriptor closes
		if _, err := f.Write(b); err != nil {
			f.Close()
			sendfileOpen.Add(-1)
			return
		}
		fb.base, fb.path, fb.size = f, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), int64(len(b))
		fb.pool = make(chan *os.File, sendfileFDsEach)
		fb.ok = true
		// When the representation is dropped, the descriptors close with
		// their *os.File; give their count back to the budget.
		runtime.AddCleanup(fb, func(n *atomic.Int64) { sendfileOpen.Add(-n.Load() - 1) }, fb.opened)
	})
	return fb.ok
}

// get returns a descriptor of the file, or nil when none is free and the
// budget allows no other.
func (fb *fileBody) get() *os.File {
	select {
	case f := <-fb.pool:
		return f
	default:
	}
	if fb.opened.Load() >= sendfileFDsEach {
		return nil
	}
	if sendfileOpen.Add(1) > sendfileFDs {
		sendfileOpen.Add(-1)
		return nil
	}
	f, err := os.Open(fb.path)
	if err != nil {
		sendfileOpen.Add(-1)
		return nil
	}
	fb.opened.Add(1)
	return f
}

func (fb *fileBody) put(f *os.File) {
	select {
	case fb.pool <- f:
	default: // not reached: no more than cap(pool) are ever opened
		f.Close()
		fb.opened.Add(-1)
		sendfileOpen.Add(-1)
	}
}

// sendFile writes body, whose copy fb holds, to w by sendfile(2), and
// reports whether it did; false means nothing was written.
func sendFile(w http.ResponseWriter, fb *fileBody, body []byte) (bool, error) {
	rf, ok := w.(io.ReaderFrom)
	if !ok || fb == nil || !fb.init(body) {
		return false, nil
	}
	f := fb.get()
	if f == nil {
		return false, nil
	}
	defer fb.put(f)
	if _, err := f.Seek(sendfileHead, io.SeekStart); err != nil {
		return false, nil
	}
	if _, err := w.Write(body[:sendfileHead]); err != nil {
		return true, err
	}
	_, err := rf.ReadFrom(&io.LimitedReader{R: f, N: fb.size - sendfileHead})
	return true, err
}
