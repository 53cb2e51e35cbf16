package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
)

// The scale benchmarks: a question of 10,000 or 100,000 polls over five
// years (two answers, 40 pollsters, four modes), its page's size raw and
// gzipped, and its build time cold (averaging and rendering) and warm
// (from the page cache). BENCHMARKS.md ("Pages at scale") has the figures
// and the command:
//
//	go test -run '^$' -bench Scale -benchtime 5x ./web/
//
// The server's memory after serving every view is measured on a real
// process by scripts/scale.sh.

// bigQuestion is the id of the generated question.
const bigQuestion = "big-q"

// bigCSV returns n polls of bigQuestion in the long format, seeded so
// that every run builds the same file.
func bigCSV(n int) string {
	r := rand.New(rand.NewPCG(7, uint64(n)))
	modes := []string{"Online", "phone-live", "phone-ARS", "mixed"}
	var b strings.Builder
	b.WriteString("poll_id,pollster,sponsor,start_date,end_date,sample_size,population,methodology,question_id,answer,pct\n")
	base := poll.Date(16436) // 2015-01-01
	for i := 0; i < n; i++ {
		d := base + poll.Date(r.IntN(1825))
		s := 40 + 5*r.Float64()
		sponsor := ""
		if i%3 == 0 {
			sponsor = fmt.Sprintf("Paper %d", i%7)
		}
		for _, a := range []struct {
			name string
			pct  float64
		}{{"support", s}, {"oppose", 92 - s}} {
			fmt.Fprintf(&b, "b%d,Pollster %d,%s,%s,%s,%d,a,%s,%s,%s,%.1f\n", i, i%40, sponsor, d, d+2, 500+i,
				modes[i%len(modes)], bigQuestion, a.name, a.pct)
		}
	}
	return b.String()
}

// bigDB opens a database holding bigCSV(n).
func bigDB(tb testing.TB, n int) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "big.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	text := bigCSV(n)
	bt, err := pollcsv.Read("big.csv", strings.NewReader(text), pollcsv.Options{})
	if err != nil || len(bt.Problems) > 0 {
		tb.Fatalf("reading big.csv: %v %v", err, bt.Problems)
	}
	sum := sha256.Sum256([]byte(text))
	if _, err := db.Import(store.ImportRequest{Batch: bt, Account: "cli", FileName: "big.csv",
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(text))}); err != nil {
		tb.Fatalf("importing big.csv: %v", err)
	}
	return db
}

// BenchmarkScale builds the question page of 10,000 and 100,000 polls,
// cold, warm, and warm for a client that accepts gzip, and reports its
// bytes raw and gzipped as served.
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		db := bigDB(b, n)
		s := testServer(b, db)
		target := "/questions/" + bigQuestion + "?lang=en"
		for _, mode := range []string{"cold", "warm", "warm-gzip"} {
			cold := mode == "cold"
			b.Run(fmt.Sprintf("polls=%dk/%s", n/1000, mode), func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				if mode == "warm-gzip" {
					req.Header.Set("Accept-Encoding", "gzip") // as browsers ask: the stored bytes
				}
				first := httptest.NewRecorder()
				s.ServeHTTP(first, req)
				if first.Code != http.StatusOK {
					b.Fatalf("GET %s = %d: %.300s", target, first.Code, first.Body)
				}
				page := first.Body.Bytes()
				if mode == "warm-gzip" {
					zr, err := gzip.NewReader(bytes.NewReader(page))
					if err != nil {
						b.Fatal(err)
					}
					if page, err = io.ReadAll(zr); err != nil {
						b.Fatal(err)
					}
				}
				// the page as served to a browser (the cached gzip bytes),
				// and the poll table's section alone, which the page fetches
				// to turn the table's pages and sorts in place
				servedGz := gzipBytes(b, s, target)
				partGz := gzipBytes(b, s, target+"&page=2&part=polls")
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if cold {
						b.StopTimer()
						s.cache = newSeriesCache(1024, 256<<20)
						b.StartTimer()
					}
					rec := httptest.NewRecorder()
					s.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("GET %s = %d", target, rec.Code)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(len(page)), "page-B")
				b.ReportMetric(float64(servedGz), "page-gz-B")
				b.ReportMetric(float64(partGz), "table-part-gz-B")
				if mode == "warm-gzip" {
					// what the server keeps for the question once its page
					// is built: the live heap after a collection (the
					// RSS of a real server after every view is scripts/scale.sh's)
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-heap-MB")
					// and the benchmark process's resident memory (Linux):
					// the server's own, with the test's generated files
					// besides, and the 10,000-poll question's before it
					if rss, ok := processRSS(); ok {
						b.ReportMetric(float64(rss)/(1<<20), "process-rss-MB")
					}
				}
			})
		}
	}
}

// gzipBytes returns the bytes s sends for target to a client that
// accepts gzip.
func gzipBytes(b *testing.B, s *Server, target string) int {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
		b.Fatalf("GET %s with gzip = %d, Content-Encoding %q", target, rec.Code, rec.Header().Get("Content-Encoding"))
	}
	return rec.Body.Len()
}

// processRSS returns this process's resident memory (VmRSS), where
// /proc tells it.
func processRSS() (int64, bool) {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(st), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
