package web

import (
	"bytes"
	"fmt"
	"github.com/pollagg/pollagg/web/httpcache"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// TestHotPathAnswersAsTheRouter asks for downloads twice: the first
// request goes through the router and its middleware and is remembered;
// the second must be answered by serveHot with the same status, headers
// and body as the router gives it.
func TestHotPathAnswersAsTheRouter(t *testing.T) {
	s := testServer(t, testDB(t, true))
	base := "/api/v1/questions/" + mainQuestion
	tests := []struct {
		method, target string
		headers        []string
	}{
		{"GET", base + "/series?format=csv", nil},
		{"GET", base + "/series?format=csv", []string{"Accept-Encoding: gzip"}},
		{"HEAD", base + "/series?format=csv", nil},
		{"GET", base + "/series", []string{"Accept: text/csv"}},
		{"GET", base + "/polls?method=loess&answers=oppose", nil},
		{"GET", base + "/house-effects?format=csv", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target+" "+strings.Join(tt.headers, ","), func(t *testing.T) {
			req := func() *http.Request {
				r := httptest.NewRequest(tt.method, tt.target, nil)
				for _, hv := range tt.headers {
					k, v, _ := strings.Cut(hv, ":")
					r.Header.Set(k, strings.TrimSpace(v))
				}
				return r
			}
			first := httptest.NewRecorder()
			s.ServeHTTP(first, req())
			if first.Code != http.StatusOK {
				t.Fatalf("first = %d", first.Code)
			}
			hot := httptest.NewRecorder()
			if !s.serveHot(hot, req()) {
				t.Fatal("the repeated request did not take the hot path")
			}
			full := httptest.NewRecorder()
			s.echo.ServeHTTP(full, req())
			if hot.Code != full.Code || !bytes.Equal(hot.Body.Bytes(), full.Body.Bytes()) {
				t.Errorf("hot path %d, %d bytes; router %d, %d bytes", hot.Code, hot.Body.Len(), full.Code, full.Body.Len())
			}
			if !reflect.DeepEqual(hot.Header(), full.Header()) {
				t.Errorf("headers differ:\nhot    %v\nrouter %v", hot.Header(), full.Header())
			}
			// a revalidation is a 304 on both
			etag := full.Header().Get("ETag")
			r304 := req()
			r304.Header.Set("If-None-Match", etag)
			hot304 := httptest.NewRecorder()
			if !s.serveHot(hot304, r304) || hot304.Code != http.StatusNotModified {
				t.Errorf("If-None-Match on the hot path = %d", hot304.Code)
			}
		})
	}
	// what the hot path never serves: another route, a first request,
	// a path with a format suffix, a POST
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/questions/"+mainQuestion, nil),
		httptest.NewRequest("GET", base+"/series?format=json&method=weighted", nil),
		httptest.NewRequest("GET", base+"/series.csv", nil),
		httptest.NewRequest("POST", base+"/series?format=csv", nil),
	} {
		if s.serveHot(httptest.NewRecorder(), r) {
			t.Errorf("%s %s took the hot path", r.Method, r.URL)
		}
	}
}

// TestHotPathOffWhileLogging: a server that logs every request answers
// every request through the router, so that every one is logged.
func TestHotPathOffWhileLogging(t *testing.T) {
	var log bytes.Buffer
	s, err := NewServer(testDB(t, true), Config{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	target := "/api/v1/questions/" + mainQuestion + "/series?format=csv"
	for i := 0; i < 2; i++ {
		doRequest(t, s, http.MethodGet, target)
	}
	if n := strings.Count(log.String(), "/series?format=csv"); n != 2 {
		t.Errorf("%d request lines logged for 2 requests:\n%s", n, log.String())
	}
	if s.serveHot(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil)) {
		t.Error("the hot path answered while requests are logged")
	}
}

// TestHotPathSendfile: over a real connection, where the hot path sends a
// large body from a file (sendfile), many concurrent repeated requests get
// the bytes and headers of the full path, with and without gzip, and a
// HEAD and a 304 still carry no body.
func TestHotPathSendfile(t *testing.T) {
	s := testServer(t, testDB(t, true))
	srv := httptest.NewServer(s)
	defer srv.Close()
	target := "/api/v1/questions/" + mainQuestion + "/series?format=csv"
	want := httptest.NewRecorder()
	s.echo.ServeHTTP(want, httptest.NewRequest("GET", target, nil)) // the full path, remembered
	if want.Code != http.StatusOK || want.Body.Len() < httpcache.SendfileMin {
		t.Fatalf("full path: %d, %d bytes (the test needs at least %d)", want.Code, want.Body.Len(), httpcache.SendfileMin)
	}
	get := func(method string, headers ...string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest(method, srv.URL+target, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		tr := &http.Transport{DisableCompression: true}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				resp, b, err := get("GET")
				if err != nil {
					errs <- err
					return
				}
				if resp.StatusCode != 200 || !bytes.Equal(b, want.Body.Bytes()) {
					errs <- fmt.Errorf("%d, %d bytes, want %d", resp.StatusCode, len(b), want.Body.Len())
					return
				}
				for k := range want.Header() {
					if resp.Header.Get(k) != want.Header().Get(k) {
						errs <- fmt.Errorf("%s = %q, want %q", k, resp.Header.Get(k), want.Header().Get(k))
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, _, ok := s.recent.get(downloadKey{kind: KindSeries, id: mainQuestion, query: "format=csv"}, s.db.Version()); !ok {
		t.Fatal("not remembered") // (that the body went by sendfile is httpcache's TestSendfile)
	}
	// gzip: the precompressed bytes
	wantGz := httptest.NewRecorder()
	gzReq := httptest.NewRequest("GET", target, nil)
	gzReq.Header.Set("Accept-Encoding", "gzip")
	s.echo.ServeHTTP(wantGz, gzReq)
	for i := 0; i < 2; i++ {
		resp, b, err := get("GET", "Accept-Encoding", "gzip")
		if err != nil || resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(b, wantGz.Body.Bytes()) {
			t.Errorf("gzip: %v, %q, %d bytes, want %d", err, resp.Header.Get("Content-Encoding"), len(b), wantGz.Body.Len())
		}
	}
	if resp, b, err := get("HEAD"); err != nil || resp.StatusCode != 200 || len(b) != 0 || resp.ContentLength != int64(want.Body.Len()) {
		t.Errorf("HEAD: %v, %d bytes", err, len(b))
	}
	if resp, b, err := get("GET", "If-None-Match", want.Header().Get("ETag")); err != nil || resp.StatusCode != http.StatusNotModified || len(b) != 0 {
		t.Errorf("If-None-Match: %v, %d bytes", err, len(b))
	}
}

// BenchmarkServeHot is serveHot alone on a repeated series CSV request
// (the request and the writer reused): what the hot path allocates
// itself, apart from net/http's request and header map.
func BenchmarkServeHot(b *testing.B) {
	s := testServer(b, testDB(b, true))
	req := httptest.NewRequest(http.MethodGet, "/api/v1/questions/"+testQuestionID+"/series?format=csv", nil)
	w := &discardWriter{h: http.Header{}}
	s.ServeHTTP(w, req) // the full path remembers it
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		if !s.serveHot(w, req) {
			b.Fatal("not on the hot path")
		}
	}
}
