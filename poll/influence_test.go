package poll_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pollagg/pollagg/poll"
)

// onePollster is a question with a single option, so that an estimate is
// exactly Σ weight·share (no renormalising between options).
func singleOption(seed uint64, n int) (*poll.Question, []poll.Poll) {
	r := rand.New(rand.NewPCG(seed, 3))
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "a"}}}
	var ps []poll.Poll
	names := []string{"A", "B", "C", "D"}
	modes := []poll.Mode{poll.ModeLive, poll.ModeARS, poll.ModeARS, poll.ModeOnline}
	for i := 0; i < n; i++ {
		j := r.IntN(4)
		d := poll.Date(19000 + r.IntN(90))
		ps = append(ps, poll.Poll{ID: string(rune('a'+i%26)) + string(rune('a'+i/26)), Pollster: names[j], Mode: modes[j],
			Start: d, End: d + poll.Date(r.IntN(3)), SampleSize: 500 + r.IntN(1500),
			Results: poll.SharesOf(map[string]float64{"a": 40 + 2*float64(j) + 3*r.NormFloat64()})})
	}
	return q, ps
}

func TestInfluence(t *testing.T) {
	q, polls := singleOption(1, 40)
	byID := map[string]float64{}
	for _, p := range polls {
		byID[p.ID] = p.Results.Pct("a")
	}
	for _, m := range poll.Methods {
		t.Run(string(m), func(t *testing.T) {
			o := optionsFor(m)
			o.AdjustHouse = m == poll.MethodKalman // linear in the polls: exact identity below
			r, err := poll.Average(q, polls, o)
			if err != nil {
				t.Fatal(err)
			}
			pts := r.Series[0].Points
			for _, x := range []int{0, len(pts) / 3, len(pts) - 1} {
				ws, err := poll.Influence(q, polls, o, pts[x].Date)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := len(ws), len(polls); got != want {
					t.Fatalf("%d weights, want %d", got, want)
				}
				sum, est := 0.0, 0.0
				for i, w := range ws {
					if got, want := w.PollID, polls[i].ID; got != want {
						t.Fatalf("weight %d is for %q, want %q (the callers' order)", i, got, want)
					}
					sum += w.Weight
					est += w.Weight * byID[w.PollID]
				}
				if math.Abs(sum-1) > 1e-9 {
					t.Fatalf("%s: weights sum to %v", pts[x].Date, sum)
				}
				if math.Abs(est-pts[x].Estimate) > 1e-6 {
					t.Fatalf("%s: Σ weight·share = %v, estimate %v", pts[x].Date, est, pts[x].Estimate)
				}
				if x == len(pts)-1 {
					for i := range ws {
						if math.Abs(ws[i].Weight-r.Weights[i].Weight) > 1e-12 {
							t.Fatalf("Result.Weights differs from Influence on the last day")
						}
					}
				}
			}
		})
	}
}

func TestInfluence_Latest(t *testing.T) {
	d0 := day("2024-03-01")
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}}}
	polls := []poll.Poll{mk("A", d0, 1000, 40), mk("A", d0+5, 1000, 42), mk("B", d0+2, 1000, 44), mk("C", d0-40, 1000, 50)}
	for i := range polls {
		polls[i].ID = string(rune('w' + i))
	}
	o := optionsFor(poll.MethodLatest)
	o.AdjustHouse = false
	ws, err := poll.Influence(q, polls, o, d0+5)
	if err != nil {
		t.Fatal(err)
	}
	// A's latest and B's count a half each; A's older poll and C's poll,
	// outside the 30-day window, count nothing.
	want := []float64{0, 0.5, 0.5, 0}
	for i, w := range ws {
		if math.Abs(w.Weight-want[i]) > 1e-12 {
			t.Fatalf("weights %v, want %v", ws, want)
		}
	}
}

func TestAverage_OrderDoesNotMatter(t *testing.T) {
	q, polls := singleOption(2, 30)
	rev := make([]poll.Poll, len(polls))
	for i, p := range polls {
		rev[len(polls)-1-i] = p
	}
	for _, m := range poll.Methods {
		a, err := poll.Average(q, polls, optionsFor(m))
		if err != nil {
			t.Fatal(err)
		}
		b, err := poll.Average(q, rev, optionsFor(m))
		if err != nil {
			t.Fatal(err)
		}
		for i := range a.Series[0].Points {
			if d := math.Abs(a.Series[0].Points[i].Estimate - b.Series[0].Points[i].Estimate); d > 1e-9 {
				t.Fatalf("%s: day %d differs by %v when the polls are reversed", m, i, d)
			}
		}
	}
}

func TestAverage_Rating(t *testing.T) {
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}}}
	d0 := day("2024-01-01")
	polls := []poll.Poll{mk("Good", d0, 1000, 40), mk("Good", d0+3, 1000, 40), mk("Bad", d0+1, 1000, 60), mk("Bad", d0+2, 1000, 60)}
	for _, m := range poll.Methods {
		o := optionsFor(m)
		o.AdjustHouse = false
		o.PollsterRating = map[string]float64{" bad ": 0} // case and space do not matter
		r, err := poll.Average(q, polls, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Series[0].Points {
			if math.Abs(p.Estimate-40) > 1e-9 {
				t.Fatalf("%s: estimate %v with the 60%% pollster rated 0, want 40", m, p.Estimate)
			}
		}
		if got, want := len(r.Weights), 2; got != want {
			t.Fatalf("%s: %d weights, want %d (a pollster rated 0 leaves the average)", m, got, want)
		}
	}
}

func TestAverage_GarbageIn(t *testing.T) {
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}, {ID: "dk", Undecided: true}}}
	rr := -3.0
	polls := []poll.Poll{
		{Pollster: "", Start: 100, End: 90, SampleSize: -10, Mode: "smoke signals", ResponseRate: &rr,
			Results: poll.SharesOf(map[string]float64{"support": math.NaN(), "oppose": 140, "dk": -4})},
		{Pollster: "B", Start: 95, End: 95, Results: poll.SharesOf(map[string]float64{"support": math.Inf(1), "oppose": 50})},
		{Pollster: "C", Start: 97, End: 99, SampleSize: 1 << 30, Results: poll.SharesOf(map[string]float64{"support": 0, "oppose": 0, "dk": 100})},
		{Pollster: "D", Start: 99, End: 99, SampleSize: 1, Results: poll.SharesOf(map[string]float64{"nonsense": 12})},
	}
	for _, m := range poll.Methods {
		for _, drop := range []bool{false, true} {
			o := optionsFor(m)
			o.DropUndecided = drop
			r, err := poll.Average(q, polls, o)
			if drop {
				// No poll has every decided answer or an undecided
				// share to renormalise with.
				if poll.ErrorCode(err) != poll.EINVALID {
					t.Fatalf("%s drop=%v: error %v, want EINVALID", m, drop, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s drop=%v: %v", m, drop, err)
			}
			checkResult(t, r, r.Series[0].Points[0].Date, r.Series[0].Points[len(r.Series[0].Points)-1].Date)
		}
	}
}

func TestAverage_HugeDateSpan(t *testing.T) {
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}}}
	polls := []poll.Poll{mk("A", day("1000-01-01"), 1000, 40), mk("B", day("9999-01-01"), 1000, 41)}
	if _, err := poll.Average(q, polls, poll.DefaultOptions()); poll.ErrorCode(err) != poll.EINVALID {
		t.Fatalf("error %v, want EINVALID for polls 9000 years apart", err)
	}
}
