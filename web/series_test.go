package web

import (
	"fmt"
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
	if len(c.entries) != 4 || len(c.order) != 4 || c.bytes != 400 {
		t.Fatalf("entries %d, order %d, bytes %d; want at most 4 entries", len(c.entries), len(c.order), c.bytes)
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
