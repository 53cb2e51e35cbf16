package web

import (
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

// testDB opens a database in a temporary directory, closed at the end of
// the test, seeded with the demo polls when seed is set.
func testDB(tb testing.TB, seed bool) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if seed {
		if _, err := data.Seed(db); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// testServer returns a server on db with the default configuration.
func testServer(tb testing.TB, db *store.DB) *Server {
	tb.Helper()
	s, err := NewServer(db, Config{})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// doRequest sends method target to h with headers ("Name: value").
func doRequest(tb testing.TB, h http.Handler, method, target string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, target, nil)
	for _, hv := range headers {
		k, v, _ := strings.Cut(hv, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// servedOptions returns the options a default view averages polls with:
// DefaultOptions with the default shared error for their pollsters, to
// the hundredth the server rounds it to.
func servedOptions(polls []poll.Poll) poll.Options {
	o := poll.DefaultOptions()
	o.SharedError = math.Round(poll.DefaultSharedErrorModel.For(poll.CountPollsters(polls))*100) / 100
	return o
}

// servedSharedError is the shared error a default view of the question
// carries in a database without a calibration.
func servedSharedError(tb testing.TB, db *store.DB, qid string) float64 {
	tb.Helper()
	polls, err := db.Polls(qid)
	if err != nil {
		tb.Fatal(err)
	}
	return servedOptions(polls).SharedError
}
