package web

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/data"
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
