package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The dashboard's benchmarks; BENCHMARKS.md ("Dashboard benchmarks") has the figures
// and the command:
//
//	go test -run '^$' -bench 'Page|Index' -benchmem ./web/

// benchPage serves target from s b.N times; cold empties the cache before
// each request (outside the timer), so that every request averages the
// polls and renders the page again.
func benchPage(b *testing.B, target string, cold bool, headers ...string) {
	s := testServer(b, testDB(b, true))
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	warm := httptest.NewRecorder()
	s.ServeHTTP(warm, req)
	if warm.Code != http.StatusOK {
		b.Fatalf("GET %s = %d", target, warm.Code)
	}
	b.SetBytes(int64(warm.Body.Len()))
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
}

const benchQuestion = "/questions/" + mainQuestion + "?lang=en"

// BenchmarkQuestionPageWarm is a question page served from the page cache.
func BenchmarkQuestionPageWarm(b *testing.B) { benchPage(b, benchQuestion, false) }

// BenchmarkQuestionPageWarmGzip is the same with gzip, as browsers ask.
func BenchmarkQuestionPageWarmGzip(b *testing.B) {
	benchPage(b, benchQuestion, false, "Accept-Encoding", "gzip")
}

// BenchmarkQuestionPageCold averages the polls (kalman, the default) and
// renders the page on every request.
func BenchmarkQuestionPageCold(b *testing.B) { benchPage(b, benchQuestion, true) }

// BenchmarkQuestionPageColdLoess is a cold page in another method.
func BenchmarkQuestionPageColdLoess(b *testing.B) {
	benchPage(b, "/questions/"+mainQuestion+"?lang=en&method=loess", true)
}

// BenchmarkQuestionPageColdLong is a cold page of the longest demo series
// (President Yoon's approval: 23 polls over two years, about 800 days).
func BenchmarkQuestionPageColdLong(b *testing.B) {
	benchPage(b, "/questions/kr-yoon-approval?lang=en", true)
}

// BenchmarkIndexWarm is the question list from the cache.
func BenchmarkIndexWarm(b *testing.B) { benchPage(b, "/?lang=en", false) }

// BenchmarkIndexCold averages all five demo questions and renders the list.
func BenchmarkIndexCold(b *testing.B) { benchPage(b, "/?lang=en", true) }
