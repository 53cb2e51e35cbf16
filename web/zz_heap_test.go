package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
)

func TestZZHeap(t *testing.T) {
	db := bigDB(t, 100000)
	s := testServer(t, db)
	for _, lang := range []string{"en", "ko"} {
		for _, m := range []string{"kalman", "loess", "weighted", "latest"} {
			for _, extra := range []string{"", "&page=2000", "&sort=n"} {
				req := httptest.NewRequest(http.MethodGet, "/questions/big-q?lang="+lang+"&method="+m+extra, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != 200 { t.Fatal(rec.Code) }
			}
		}
	}
	for _, f := range []string{"series?format=csv", "series", "polls?format=csv", "polls"} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/questions/big-q/"+f, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("HeapInuse %d MB HeapAlloc %d MB Sys %d MB\n", ms.HeapInuse>>20, ms.HeapAlloc>>20, ms.Sys>>20)
	f, _ := os.Create("/tmp/heap.prof")
	pprof.WriteHeapProfile(f)
	f.Close()
	runtime.KeepAlive(s)
}
