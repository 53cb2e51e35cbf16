package poll

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestSharesJSONAsMap(t *testing.T) {
	cases := []map[string]float64{
		nil,
		{},
		{"support": 38, "oppose": 59.5, "undecided": 2.5},
		{"b": 1e-7, "a": 1e21, "c": -0.000001, "d": 123456789.125, "e": 0, "f": 1e-300},
		{"<tag>": 1, "quote\"d": 2, "é": 3, "back\\slash": 4, "amp&": 5, "\x01": 6},
	}
	for _, m := range cases {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(SharesOf(m))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("Shares of %v = %s, a map writes %s", m, got, want)
		}
		var back Shares
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		if !back.Equal(SharesOf(m)) || (m == nil) != (back == nil) {
			t.Errorf("%s read back as %v", got, back)
		}
	}
	if _, err := json.Marshal(Shares{{"x", math.NaN()}}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("NaN answer: err %v, want one naming the answer", err)
	}
}

func TestSharesSetGet(t *testing.T) {
	var s Shares
	for _, x := range []Share{{"oppose", 59}, {"support", 38}, {"dk", 3}, {"oppose", 58}} {
		s.Set(x.Option, x.Pct)
	}
	if got := strings.Join(s.Options(), ","); got != "dk,oppose,support" {
		t.Fatalf("options %s, want dk,oppose,support (sorted, once each)", got)
	}
	for _, c := range []struct {
		opt  string
		want float64
		ok   bool
	}{{"oppose", 58, true}, {"support", 38, true}, {"dk", 3, true}, {"aaa", 0, false}, {"zzz", 0, false}, {"e", 0, false}} {
		v, ok := s.Get(c.opt)
		if v != c.want || ok != c.ok || s.Has(c.opt) != c.ok {
			t.Errorf("Get(%q) = %v, %v; want %v, %v", c.opt, v, ok, c.want, c.ok)
		}
		if p := s.Pct(c.opt); c.ok && p != c.want || !c.ok && !math.IsNaN(p) {
			t.Errorf("Pct(%q) = %v", c.opt, p)
		}
	}
	if m := s.Map(); len(m) != 3 || m["oppose"] != 58 {
		t.Errorf("Map() = %v", m)
	}
	if s.Equal(Shares{{"dk", 3}, {"oppose", 58}}) || !s.Equal(SharesOf(s.Map())) {
		t.Error("Equal compares every answer")
	}
	// a poll cut from a shared slab must not write into its neighbour
	slab := make(Shares, 4)
	a, b := slab[0:0:2], slab[2:2:4]
	b.Set("x", 1)
	a.Set("a", 1)
	a.Set("b", 2)
	a.Set("c", 3)
	if b[0] != (Share{"x", 1}) || len(a) != 3 {
		t.Errorf("a %v b %v: one poll's answers reached another's", a, b)
	}
}

func TestValidateSharesOrder(t *testing.T) {
	q := &Question{ID: "q", Options: []Option{{ID: "support"}, {ID: "oppose"}}}
	p := Poll{Pollster: "A", Start: 100, End: 101, Results: Shares{{"support", 40}, {"oppose", 50}}}
	errs := p.Validate(q, 200)
	if len(errs) != 1 || errs[0].Field != "oppose" || !strings.Contains(errs[0].Message, "out of option-id order") {
		t.Errorf("hand-built answers out of order: %v", errs)
	}
	p.Results = Shares{{"oppose", 50}, {"oppose", 40}}
	if errs := p.Validate(q, 200); len(errs) != 1 || !strings.Contains(errs[0].Message, "given twice") {
		t.Errorf("an answer given twice: %v", errs)
	}
}
