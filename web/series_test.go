package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
)

type blob []byte

func (b blob) cacheBytes() int { return len(b) }

func TestSeriesCacheBounds(t *testing.T) {
	c := newSeriesCache(4, 1000)
	fills := 0
	get := func(key string, ver uint64, size int) {
		t.Helper()
		v, err := c.get(key, ver, func() (any, error) { fills++; return blob(make([]byte, size)), nil })
		if err != nil || len(v.(blob)) != size {
			t.Fatalf("get(%s) = %v, %v", key, v, err)
		}
	}
	get("a", 1, 100)
	get("a", 1, 100)
	if fills != 1 {
		t.Fatalf("%d fills for one key and version, want 1", fills)
	}
	get("a", 2, 100) // a newer data version refills
	if fills != 2 || c.bytes != 100 {
		t.Fatalf("fills %d, bytes %d after a version change; want 2, 100", fills, c.bytes)
	}
	for i := 0; i < 10; i++ {
		get(fmt.Sprint("k", i), 1, 100)
	}
	if len(c.entries) != 4 || c.order.Len() != 4 || c.bytes != 400 {
		t.Fatalf("entries %d, order %d, bytes %d; want at most 4 entries", len(c.entries), c.order.Len(), c.bytes)
	}
	// the least recently used goes first: k6 read again outlives k7
	get("k6", 1, 100)
	get("k10", 1, 100)
	if got := strings.Join(c.keys(), " "); got != "k8 k9 k6 k10" {
		t.Fatalf("keys %s after reading k6 and adding k10; want k8 k9 k6 k10 (k7 evicted, not k6)", got)
	}
	if fills != 13 {
		t.Fatalf("%d fills: reading k6 again filled it again", fills)
	}
	c.touch("k8")
	c.touch("gone") // not cached: nothing
	if got := strings.Join(c.keys(), " "); got != "k9 k6 k10 k8" {
		t.Fatalf("keys %s after touching k8", got)
	}
	get("big", 1, 900) // over the byte cap: older entries go, the newest stays
	if c.bytes > 1000 || c.entries["big"] == nil {
		t.Fatalf("bytes %d with the big entry %v; want ≤ 1000 and it kept", c.bytes, c.entries["big"] != nil)
	}
	if _, err := c.get("err", 1, func() (any, error) { return nil, fmt.Errorf("boom") }); err == nil {
		t.Fatal("error not returned")
	}
	if _, ok := c.entries["err"]; ok {
		t.Fatal("an error was cached")
	}
}

func TestViewRangeBounded(t *testing.T) {
	_, err := parseViewValues(map[string][]string{"from": {"1800-01-01"}, "to": {"2023-01-01"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "at most 36525 (100 years)") {
		t.Fatalf("a 223-year range: %v; want a 400 naming the limit", err)
	}
	if _, err := parseViewValues(map[string][]string{"from": {"1936-01-01"}, "to": {"2023-01-01"}}, nil); err != nil {
		t.Fatalf("an 87-year range: %v", err)
	}
}

// A repeated filter value is the same view: one canonical URL, cache key
// and file name for answers=support,support and answers=support.
func TestViewRepeatedValues(t *testing.T) {
	for _, tt := range []struct{ a, b map[string][]string }{
		{map[string][]string{"answers": {"support,support"}}, map[string][]string{"answers": {"support"}}},
		{map[string][]string{"answers": {"oppose,support,oppose"}}, map[string][]string{"answers": {"oppose,support"}}},
		{map[string][]string{"mode": {"online,online", "online"}}, map[string][]string{"mode": {"online"}}},
		{map[string][]string{"pollster": {"Realmeter", "Realmeter", " Realmeter "}}, map[string][]string{"pollster": {"Realmeter"}}},
	} {
		va, err := parseViewValues(tt.a, nil)
		if err != nil {
			t.Fatal(err)
		}
		vb, err := parseViewValues(tt.b, nil)
		if err != nil {
			t.Fatal(err)
		}
		if va.Key() != vb.Key() {
			t.Errorf("%v: key %q, want %q", tt.a, va.Key(), vb.Key())
		}
	}
}

func TestDropUndecidedWithUndecidedAnswer(t *testing.T) {
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "undecided", Undecided: true}}}
	_, err := parseViewValues(map[string][]string{"drop_undecided": {"true"}, "answers": {"undecided"}}, q)
	if err == nil || !strings.Contains(err.Error(), `answers: "undecided" is the undecided answer, which drop_undecided=true removes`) {
		t.Fatalf("err = %v", err)
	}
}

func TestSeriesCacheAfterPanic(t *testing.T) {
	c := newSeriesCache(4, 1000)
	func() {
		defer func() { recover() }()
		c.get("k", 1, func() (any, error) { panic("boom") })
	}()
	if _, err := c.get("k", 1, func() (any, error) { return blob("x"), nil }); err == nil {
		t.Fatal("a key whose fill panicked answers nil without an error")
	}
	v, err := c.get("k", 1, func() (any, error) { return blob("x"), nil })
	if err != nil || string(v.(blob)) != "x" {
		t.Fatalf("after the failure the key is not computed again: %v, %v", v, err)
	}
}

// TestCacheCrawlerKeepsAverage: a client walking every sort and order of
// the poll table through a cache of a few entries evicts pages, not the
// average and snapshot each page is built from, so the average is not
// refitted for every page.
func TestCacheCrawlerKeepsAverage(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	s.cache = newSeriesCache(6, 1<<30)
	base := "/questions/" + mainQuestion + "?lang=en&method=weighted"
	if rec := doRequest(t, s, http.MethodGet, base); rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d", base, rec.Code)
	}
	var average *cacheEntry
	for k, e := range s.cache.entries {
		if strings.HasPrefix(k, "series|"+mainQuestion+"|") {
			average = e
		}
	}
	if average == nil {
		t.Fatalf("no average cached: %v", s.cache.keys())
	}
	for _, sort := range []string{"field", "pollster", "sponsor", "n", "mode", "weight", "support", "oppose"} {
		for _, order := range []string{"asc", "desc"} {
			target := base + "&sort=" + sort + "&order=" + order
			if rec := doRequest(t, s, http.MethodGet, target); rec.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", target, rec.Code)
			}
		}
	}
	found := false
	for k, e := range s.cache.entries {
		found = found || strings.HasPrefix(k, "series|"+mainQuestion+"|") && e == average
	}
	if !found || s.cache.entries["snapshot|"+mainQuestion] == nil {
		t.Errorf("after 16 table pages through a 6-entry cache the average or the snapshot was evicted: %v", s.cache.keys())
	}
	if n := s.cache.order.Len(); n > 6 {
		t.Errorf("%d entries in a cache of 6", n)
	}
}

// TestCacheBytesConfig: Config.CacheBytes bounds what the server caches
// (256 MB when unset), the last entry always kept.
func TestCacheBytesConfig(t *testing.T) {
	db := testDB(t, true)
	if s := testServer(t, db); s.cache.maxBytes != 256<<20 {
		t.Errorf("default cache bound %d, want 256 MB", s.cache.maxBytes)
	}
	s, err := NewServer(db, Config{CacheBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"kalman", "loess", "weighted", "latest"} {
		for _, lang := range []string{"en", "ko"} {
			target := "/questions/" + mainQuestion + "?lang=" + lang + "&method=" + m
			if rec := doRequest(t, s, http.MethodGet, target); rec.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", target, rec.Code)
			}
		}
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.bytes > 64<<10 && s.cache.order.Len() > 1 {
		t.Errorf("%d bytes in %d entries cached under a 64 KB bound", s.cache.bytes, s.cache.order.Len())
	}
}
