package httpcache

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var modified = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// body returns n bytes of CSV-like text that gzip shrinks.
func body(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "2026-%02d-%02d,support,%d.%d\n", i%12+1, i%28+1, 30+i%20, i%10)
	}
	return b.Bytes()[:n]
}

func get(t *testing.T, r *Representation, method string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "/x", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	if err := r.Write(w, req, false); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWrite(t *testing.T) {
	b := body(5000)
	r := New(b, "text/csv; charset=utf-8", "series.csv", true, modified)
	plain := get(t, r, http.MethodGet)
	if plain.Code != 200 || !bytes.Equal(plain.Body.Bytes(), b) || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("plain: %d, %d bytes, %q", plain.Code, plain.Body.Len(), plain.Header().Get("Content-Encoding"))
	}
	for k, want := range map[string]string{"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="series.csv"`,
		"Cache-Control": CacheControl, "Vary": "Accept-Encoding", "Last-Modified": modified.Format(http.TimeFormat),
		"Content-Length": fmt.Sprint(len(b)), "ETag": r.ETag()} {
		if got := plain.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	gz := get(t, r, http.MethodGet, "Accept-Encoding", "gzip, deflate")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") == r.ETag() || gz.Body.Len() >= len(b) {
		t.Fatalf("gzip: %q, ETag %q, %d bytes", gz.Header().Get("Content-Encoding"), gz.Header().Get("ETag"), gz.Body.Len())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	if back, _ := io.ReadAll(zr); !bytes.Equal(back, b) {
		t.Error("the gzipped bytes do not inflate to the body")
	}
	if w := get(t, r, http.MethodGet, "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 got gzip")
	}
	if w := get(t, r, http.MethodHead); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != fmt.Sprint(len(b)) {
		t.Errorf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
	for _, h := range [][]string{{"If-None-Match", r.ETag()}, {"If-None-Match", `"other", W/` + r.ETag()}, {"If-None-Match", "*"},
		{"If-Modified-Since", modified.Format(http.TimeFormat)}} {
		if w := get(t, r, http.MethodGet, h...); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("%s: %s = %d", h[0], h[1], w.Code)
		}
	}
	if w := get(t, r, http.MethodGet, "If-None-Match", `"other"`, "If-Modified-Since", modified.Format(http.TimeFormat)); w.Code != 200 {
		t.Errorf("If-None-Match decides over If-Modified-Since: %d", w.Code)
	}
}

// TestKeptGzippedOnly: a body over KeepGzippedOver is held gzipped only
// and inflated for a client that does not take gzip.
func TestKeptGzippedOnly(t *testing.T) {
	b := body(KeepGzippedOver + 1000)
	r := New(b, "text/csv", "polls.csv", true, modified)
	if r.body != nil || r.Len() >= len(b) {
		t.Fatalf("held %d bytes of body and %d gzipped", len(r.body), len(r.gz))
	}
	if p, err := r.Plain(); err != nil || !bytes.Equal(p, b) {
		t.Fatalf("Plain: %v", err)
	}
	if w := get(t, r, http.MethodGet); !bytes.Equal(w.Body.Bytes(), b) {
		t.Errorf("inflated: %d bytes, want %d", w.Body.Len(), len(b))
	}
	r.DropGzip()
	if r.gz != nil || !bytes.Equal(r.body, b) {
		t.Error("DropGzip")
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{"": false, "gzip": true, "deflate, gzip;q=0.5": true, "x-gzip": true, "*": true,
		"gzip;q=0": false, "gzip; q=0": false, "br": false, "GZIP": true} {
		if got := AcceptsGzip(h); got != want {
			t.Errorf("AcceptsGzip(%q) = %v", h, got)
		}
	}
}

// TestSendfile: over a real connection, a body of SendfileMin bytes or
// more goes by sendfile(2) from its temporary file on Linux, and many
// concurrent clients get every byte and header (more clients than the
// file has descriptors, so some bodies are written from memory).
func TestSendfile(t *testing.T) {
	b := body(200 << 10)
	r := New(b, "text/csv", "series.csv", true, modified)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { r.Write(w, req, false) }))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}}
	fetch := func(headers ...string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		got, err := io.ReadAll(resp.Body)
		return resp, got, err
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				resp, got, err := fetch()
				if err == nil && (resp.StatusCode != 200 || !bytes.Equal(got, b) || resp.Header.Get("ETag") != r.ETag()) {
					err = fmt.Errorf("%d, %d bytes, ETag %q", resp.StatusCode, len(got), resp.Header.Get("ETag"))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if runtime.GOOS == "linux" && (r.fileBody == nil || !r.fileBody.ok) {
		t.Error("the body was not sent from a file")
	}
	resp, got, err := fetch("Accept-Encoding", "gzip")
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(got, r.gz) {
		t.Errorf("gzip: %v, %q, %d bytes", err, resp.Header.Get("Content-Encoding"), len(got))
	}
	if small := New([]byte(strings.Repeat("a", SendfileMin-1)), "text/plain", "a.txt", false, modified); small.fileBody != nil {
		t.Error("a body under SendfileMin has a file")
	}
}

// TestBuildIsNew: Build, fed in any pieces, keeps and serves what New
// keeps and serves for the same body, small or past KeepGzippedOver, and
// passes on the encoder's error.
func TestBuildIsNew(t *testing.T) {
	for _, n := range []int{0, 100, 5000, KeepGzippedOver, KeepGzippedOver + 1, 3 * KeepGzippedOver} {
		b := body(n)
		want := New(b, "text/csv", "polls.csv", true, modified)
		for _, piece := range []int{1, 7, 4096, 1 << 30} {
			if piece == 1 && n > 5000 || piece == 7 && n > KeepGzippedOver+1 {
				continue // a few bytes at a time is slow at megabytes (under -race)
			}
			got, err := Build(func(w io.Writer) error {
				for rest := b; len(rest) > 0; {
					k := min(piece, len(rest))
					if _, err := w.Write(rest[:k]); err != nil {
						return err
					}
					rest = rest[k:]
				}
				return nil
			}, "text/csv", "polls.csv", true, modified)
			if err != nil {
				t.Fatal(err)
			}
			if got.ETag() != want.ETag() || !bytes.Equal(got.gz, want.gz) || !bytes.Equal(got.body, want.body) ||
				(got.body == nil) != (want.body == nil) || got.hLength[0] != want.hLength[0] || got.hLengthGz[0] != want.hLengthGz[0] {
				t.Errorf("%d bytes in pieces of %d: ETag %s/%s, body %d/%d, gzip %d/%d bytes", n, piece,
					got.ETag(), want.ETag(), len(got.body), len(want.body), len(got.gz), len(want.gz))
			}
			for _, enc := range []string{"", "gzip"} {
				g, w := get(t, got, http.MethodGet, "Accept-Encoding", enc), get(t, want, http.MethodGet, "Accept-Encoding", enc)
				if !bytes.Equal(g.Body.Bytes(), w.Body.Bytes()) || g.Header().Get("Content-Length") != w.Header().Get("Content-Length") {
					t.Errorf("%d bytes, Accept-Encoding %q: served %d bytes, New serves %d", n, enc, g.Body.Len(), w.Body.Len())
				}
			}
		}
	}
	boom := fmt.Errorf("boom")
	if _, err := Build(func(w io.Writer) error { w.Write(body(2 * KeepGzippedOver)); return boom }, "text/csv", "x.csv", true, modified); err != boom {
		t.Errorf("the encoder's error: %v", err)
	}
}
