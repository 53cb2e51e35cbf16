package web

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestZZGz(t *testing.T) {
	for _, n := range []int{10000, 100000} {
		db := bigDB(t, n)
		s := testServer(t, db)
		req := httptest.NewRequest(http.MethodGet, "/questions/big-q?lang=en", nil)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		page := rec.Body.Bytes()
		for _, lvl := range []int{1, 2, 3, 4, 5, 6, 9} {
			t0 := time.Now()
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, lvl)
			zw.Write(page)
			zw.Close()
			t.Logf("n=%d level %d: %d -> %d bytes in %v", n, lvl, len(page), buf.Len(), time.Since(t0))
		}
	}
}
