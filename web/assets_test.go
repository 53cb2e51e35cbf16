package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStaticAssetsFingerprintedAndPrecompressed(t *testing.T) {
	s := testServer(t, testDB(t, false))
	a := staticAssets().byName["echarts/echarts.min.js"]
	if a == nil || a.gz == nil {
		t.Fatal("the ECharts bundle is not loaded with a gzipped copy")
	}
	print := "/static/" + a.fingerprint
	if !strings.HasPrefix(a.fingerprint, "echarts/echarts.min.") || !strings.HasSuffix(a.fingerprint, ".js") || a.fingerprint == a.name {
		t.Errorf("fingerprinted name %q", a.fingerprint)
	}
	tests := []struct {
		name, target string
		headers      []string
		cache        string
		gzipped      bool
	}{
		{"Fingerprinted", print, nil, CacheImmutable, false},
		{"FingerprintedGzip", print, []string{"Accept-Encoding: gzip, br"}, CacheImmutable, true},
		{"GzipRefused", print, []string{"Accept-Encoding: gzip;q=0"}, CacheImmutable, false},
		{"PlainName", "/static/echarts/echarts.min.js", []string{"Accept-Encoding: gzip"}, cacheStatic, true},
		{"VersionQuery", "/static/echarts/echarts.min.js?v=" + a.version, nil, CacheImmutable, false},
		{"StaleVersionQuery", "/static/echarts/echarts.min.js?v=0000000000", nil, cacheStatic, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := doRequest(t, s, http.MethodGet, tt.target, tt.headers...)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", tt.target, rec.Code)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != tt.cache {
				t.Errorf("Cache-Control %q, want %q", cc, tt.cache)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "javascript") {
				t.Errorf("Content-Type %q", ct)
			}
			body := rec.Body.Bytes()
			if tt.gzipped {
				if rec.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(body, a.gz) {
					t.Fatalf("not the stored gzip bytes (Content-Encoding %q)", rec.Header().Get("Content-Encoding"))
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			} else if rec.Header().Get("Content-Encoding") != "" {
				t.Errorf("Content-Encoding %q for a client that did not accept gzip", rec.Header().Get("Content-Encoding"))
			}
			if !bytes.Equal(body, a.body) {
				t.Error("the file's bytes differ from the embedded ones")
			}
			if rec.Header().Get("Vary") != "Accept-Encoding" || rec.Header().Get("ETag") == "" {
				t.Errorf("Vary %q, ETag %q", rec.Header().Get("Vary"), rec.Header().Get("ETag"))
			}
			// revalidation: 304 without a body
			nm := doRequest(t, s, http.MethodGet, tt.target, append(tt.headers, "If-None-Match: "+rec.Header().Get("ETag"))...)
			if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
				t.Errorf("If-None-Match = %d with %d bytes", nm.Code, nm.Body.Len())
			}
		})
	}
	if rec := doRequest(t, s, http.MethodHead, print); rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != a.hLength[0] {
		t.Errorf("HEAD = %d, %d bytes, Content-Length %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Length"))
	}
	for _, p := range []string{"/static/nope.js", "/static/echarts/echarts.min.0000000000.js", "/static/../go.mod"} {
		if rec := doRequest(t, s, http.MethodGet, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	// a PNG is not gzipped again
	if fav := staticAssets().byName["favicon.png"]; fav == nil || fav.gz != nil {
		t.Errorf("favicon.png: %+v", fav)
	}
}

func TestFingerprinted(t *testing.T) {
	for name, want := range map[string]string{
		"chart.js":               "chart.v.js",
		"echarts/echarts.min.js": "echarts/echarts.min.v.js",
		"echarts/LICENSE":        "echarts/LICENSE.v",
		".hidden":                ".hidden.v",
	} {
		if got := fingerprinted(name, "v"); got != want {
			t.Errorf("fingerprinted(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestExportWritesFingerprintedAssets(t *testing.T) {
	s := testServer(t, testDB(t, true))
	dir := t.TempDir()
	if _, err := s.ExportWith(dir, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	a := staticAssets().byName["chart.js"]
	for _, f := range []string{"static/" + a.fingerprint, "static/" + a.fingerprint + ".gz", "static/chart.js", "static/chart.js.gz", "_headers"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Errorf("the export lacks %s: %v", f, err)
		}
	}
	page := string(readFile(t, filepath.Join(dir, "en", "questions", mainQuestion, "index.html")))
	if !strings.Contains(page, `src="../../../static/`+a.fingerprint+`"`) {
		t.Errorf("the exported page does not load %s", a.fingerprint)
	}
	headers := string(readFile(t, filepath.Join(dir, "_headers")))
	if !strings.Contains(headers, "/static/"+a.fingerprint+"\n  Cache-Control: "+CacheImmutable) {
		t.Errorf("_headers does not mark %s immutable:\n%.300s", a.fingerprint, headers)
	}
}
