package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func TestZZPage(t *testing.T) {
	db := bigDB(t, 100000)
	s := testServer(t, db)
	get := func(u string) time.Duration {
		t0 := time.Now()
		req := httptest.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatal(rec.Code)
		}
		return time.Since(t0)
	}
	t.Log("first", get("/questions/big-q?lang=en"))
	f, _ := os.Create("/tmp/page.prof")
	pprof.StartCPUProfile(f)
	t.Log("page=2", get("/questions/big-q?lang=en&page=2"))
	t.Log("page=3", get("/questions/big-q?lang=en&page=3"))
	t.Log("sort=n", get("/questions/big-q?lang=en&sort=n"))
	pprof.StopCPUProfile()
	f.Close()
}
