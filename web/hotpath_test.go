package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
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
