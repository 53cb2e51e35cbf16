package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

func TestHealthz(t *testing.T) {
	s := testServer(t, testDB(t, false))
	rec := doRequest(t, s, http.MethodGet, "/healthz")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /healthz = %d", rec.Code)
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["status"] != "ok" {
		t.Errorf("GET /healthz body = %q (%v)", rec.Body, err)
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := testServer(t, testDB(t, true))
	for _, target := range []string{"/", "/questions/" + mainQuestion, "/questions/nope", "/static/chart.js", "/healthz", "/methodology"} {
		rec := doRequest(t, s, http.MethodGet, target)
		h := rec.Header()
		tests := []struct{ name, want string }{
			{"Content-Security-Policy", ContentSecurityPolicy},
			{"X-Content-Type-Options", "nosniff"},
			{"X-Frame-Options", "DENY"},
			{"Referrer-Policy", "same-origin"},
		}
		for _, tt := range tests {
			if got := h.Get(tt.name); got != tt.want {
				t.Errorf("%s: %s = %q, want %q", target, tt.name, got, tt.want)
			}
		}
	}
	// The policy itself: nothing from other hosts, no inline script.
	for _, w := range []string{"default-src 'self'", "script-src 'self';", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, w) {
			t.Errorf("CSP lacks %q", w)
		}
	}
	script := ContentSecurityPolicy[strings.Index(ContentSecurityPolicy, "script-src"):]
	script = script[:strings.Index(script, ";")]
	if strings.Contains(script, "unsafe") || strings.Contains(script, "http") {
		t.Errorf("script-src allows more than our own files: %q", script)
	}
}

func TestGzipLargePage(t *testing.T) {
	s := testServer(t, testDB(t, true))
	rec := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en", "Accept-Encoding: gzip")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if got := rec.Header().Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", got)
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(plain, []byte("</html>")) {
		t.Error("the gzipped page does not decompress to a whole page")
	}
	if got := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en"); got.Header().Get("Content-Encoding") != "" || !bytes.Equal(got.Body.Bytes(), plain) {
		t.Error("without Accept-Encoding the page is not the same plain bytes")
	}
	if rec.Body.Len() != 0 {
		t.Errorf("%d bytes left after the gzip stream", rec.Body.Len())
	}
	// the two codings are two representations, each with its own ETag
	etag := rec.Header().Get("ETag")
	if !strings.HasSuffix(etag, `-gz"`) || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
		t.Errorf("gzipped page: ETag %q, Vary %q", etag, rec.Header().Get("Vary"))
	}
	if got := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en", "Accept-Encoding: gzip", "If-None-Match: "+etag); got.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the gzip ETag = %d, want 304", got.Code)
	}
	if got := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en", "If-None-Match: "+etag); got.Code != http.StatusOK {
		t.Errorf("the gzip ETag matched the plain page (%d)", got.Code)
	}
	// the big script too
	js := doRequest(t, s, http.MethodGet, "/static/echarts/echarts.min.js", "Accept-Encoding: gzip")
	if js.Header().Get("Content-Encoding") != "gzip" || js.Body.Len() > 500_000 {
		t.Errorf("echarts.min.js: Content-Encoding %q, %d bytes", js.Header().Get("Content-Encoding"), js.Body.Len())
	}
	// small answers are not worth compressing
	if got := doRequest(t, s, http.MethodGet, "/healthz", "Accept-Encoding: gzip"); got.Header().Get("Content-Encoding") != "" {
		t.Error("/healthz was gzipped")
	}
}

func TestPanicRecovery(t *testing.T) {
	s := testServer(t, testDB(t, false))
	s.echo.GET("/api/v1/test-panic", func(c echo.Context) error { panic("secret detail") })
	s.echo.GET("/test-panic", func(c echo.Context) error { panic("secret detail") })

	rec := doRequest(t, s, http.MethodGet, "/api/v1/test-panic")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("panic gave %d, want 500", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	var body ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if body.Error.Status != 500 || body.Error.Code != "internal" {
		t.Errorf("error = %+v", body.Error)
	}
	if strings.Contains(rec.Body.String(), "secret detail") {
		t.Error("the panic's value reached the client")
	}
	// a reader gets the HTML error page; the server keeps serving
	rec = doRequest(t, s, http.MethodGet, "/test-panic?lang=en")
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Server error") {
		t.Errorf("HTML panic = %d\n%s", rec.Code, rec.Body)
	}
	if got := doRequest(t, s, http.MethodGet, "/healthz"); got.Code != http.StatusOK {
		t.Errorf("after a panic /healthz = %d", got.Code)
	}
}

func TestRequestTimeout(t *testing.T) {
	db := testDB(t, false)
	s, err := NewServer(db, Config{RequestTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s.echo.GET("/api/v1/test-slow", func(c echo.Context) error {
		select {
		case <-c.Request().Context().Done():
			return c.Request().Context().Err()
		case <-time.After(10 * time.Second):
			return c.String(http.StatusOK, "too late")
		}
	})
	start := time.Now()
	rec := doRequest(t, s, http.MethodGet, "/api/v1/test-slow")
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a handler past its deadline gave %d, want 503\n%s", rec.Code, rec.Body)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("the request timeout did not end the handler")
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	s := testServer(t, testDB(t, true))
	started, release := make(chan struct{}), make(chan struct{})
	s.echo.GET("/test-slow", func(c echo.Context) error {
		close(started)
		<-release
		return c.String(http.StatusOK, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d", resp.StatusCode)
	}

	// A request in flight when the server is told to stop still completes.
	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/test-slow")
		if err != nil {
			slow <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		slow <- string(b)
	}()
	<-started
	cancel()
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) before the request in flight finished", err)
	case <-time.After(200 * time.Millisecond):
	}
	// New connections are refused once shutdown began.
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the server still accepts connections after shutdown began")
	}
	close(release)
	if got := <-slow; got != "finished" {
		t.Errorf("the request in flight got %q", got)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v, want nil after a graceful shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the context ended")
	}
}

func TestServeReturnsListenerErrors(t *testing.T) {
	s := testServer(t, testDB(t, false))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	err = s.Serve(context.Background(), ln)
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve on a closed listener = %v, want an error", err)
	}
}

func TestUnknownRouteIs404(t *testing.T) {
	s := testServer(t, testDB(t, false))
	tests := []struct {
		target, accept string
		json           bool
	}{
		{"/no/such/page", "text/html", false},
		{"/api/v1/no-such-thing", "", true},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, tt.target, nil)
		if tt.accept != "" {
			req.Header.Set("Accept", tt.accept)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", tt.target, rec.Code)
		}
		if got := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json"); got != tt.json {
			t.Errorf("%s: JSON = %t, want %t", tt.target, got, tt.json)
		}
	}
}
