package poll_test

import (
	"math"
	"testing"

	"github.com/pollagg/pollagg/poll"
)

func fp(v float64) *float64 { return &v }

func day(s string) poll.Date {
	d, err := poll.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// demoQuestion and demoPolls are the seven real polls on the March 2023
// third-party compensation plan (data/kr_forced_labor_2023.csv).
func demoQuestion() *poll.Question {
	return &poll.Question{ID: "kr-forced-labor-plan", Options: []poll.Option{
		{ID: "support"}, {ID: "oppose"}, {ID: "undecided", Undecided: true}}}
}

func demoPolls() []poll.Poll {
	return []poll.Poll{
		{ID: "mt", Pollster: "Media Tomato", Start: day("2023-03-06"), End: day("2023-03-08"), SampleSize: 1033, Mode: poll.ModeARS, ResponseRate: fp(3.5), Results: poll.SharesOf(map[string]float64{"support": 41.9, "oppose": 51.1, "undecided": 7})},
		{ID: "hr", Pollster: "Hankook Research", Start: day("2023-03-07"), End: day("2023-03-08"), SampleSize: 1000, Results: poll.SharesOf(map[string]float64{"support": 39.8, "oppose": 53.1})},
		{ID: "rm", Pollster: "Realmeter", Start: day("2023-03-07"), End: day("2023-03-08"), SampleSize: 1006, Mode: poll.ModeARS, ResponseRate: fp(2.6), Results: poll.SharesOf(map[string]float64{"support": 37.8, "oppose": 57.9})},
		{ID: "gk", Pollster: "Gallup Korea", Start: day("2023-03-08"), End: day("2023-03-09"), SampleSize: 1002, Mode: poll.ModeLive, ResponseRate: fp(9.5), Results: poll.SharesOf(map[string]float64{"support": 35, "oppose": 59, "undecided": 6})},
		{ID: "fr", Pollster: "Flower Research", Start: day("2023-03-10"), End: day("2023-03-11"), SampleSize: 1007, Mode: poll.ModeARS, Results: poll.SharesOf(map[string]float64{"support": 29.3, "oppose": 66.4})},
		{ID: "kr", Pollster: "Kookmin Research Group & Ace Research", Start: day("2023-03-11"), End: day("2023-03-13"), SampleSize: 1020, Mode: poll.ModeARS, ResponseRate: fp(1.3), Results: poll.SharesOf(map[string]float64{"support": 39.7, "oppose": 55.9, "undecided": 4.3})},
		{ID: "nbs", Pollster: "NBS", Start: day("2023-03-13"), End: day("2023-03-15"), SampleSize: 1005, Mode: poll.ModeLive, ResponseRate: fp(17.4), Results: poll.SharesOf(map[string]float64{"support": 33, "oppose": 60})},
	}
}

func optionsFor(m poll.Method) poll.Options {
	o := poll.DefaultOptions()
	o.Method = m
	return o
}

// checkResult asserts the invariants every Result must keep.
func checkResult(t *testing.T, r *poll.Result, from, to poll.Date) {
	t.Helper()
	for _, s := range r.Series {
		if len(s.Points) == 0 {
			continue
		}
		if got, want := len(s.Points), int(to-from)+1; got != want {
			t.Fatalf("%s: %d points, want %d", s.Option, got, want)
		}
		for i, p := range s.Points {
			if got, want := p.Date, from+poll.Date(i); got != want {
				t.Fatalf("%s: point %d date %s, want %s", s.Option, i, got, want)
			}
			for _, v := range []float64{p.Estimate, p.Lower, p.Upper, p.PollLower, p.PollUpper, p.NEff} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s %s: non-finite value in %+v", s.Option, p.Date, p)
				}
			}
			// The band of the average and the range of a new poll both hold
			// the estimate; without shared error the band lies inside the
			// range (a new poll shares the polls' common error, so the band
			// that allows for it may reach past the range).
			nested := p.PollLower <= p.Lower && p.Upper <= p.PollUpper
			if !(0 <= p.Lower && p.Lower <= p.Estimate && p.Estimate <= p.Upper && p.Upper <= 100 &&
				0 <= p.PollLower && p.PollLower <= p.Estimate && p.Estimate <= p.PollUpper && p.PollUpper <= 100) ||
				(r.Options.SharedError == 0 && !nested) {
				t.Fatalf("%s %s: bands out of order: %+v", s.Option, p.Date, p)
			}
		}
	}
	for i := range r.Series[0].Points {
		sum := 0.0
		for _, s := range r.Series {
			if len(s.Points) > 0 {
				sum += s.Points[i].Estimate
			}
		}
		if sum > 100+1e-9 {
			t.Fatalf("day %d: estimates sum to %v", i, sum)
		}
	}
	w := 0.0
	for _, pw := range r.Weights {
		w += pw.Weight
	}
	if math.Abs(w-1) > 1e-6 {
		t.Fatalf("weights sum to %v, want 1", w)
	}
}

func TestAverage_Demo(t *testing.T) {
	// Figures pinned from the current implementation on the real demo
	// polls; they change only when a formula or default changes, which
	// METHODOLOGY.md must then explain.
	tests := []struct {
		method        poll.Method
		lastSupport   float64
		lastOppose    float64
		maxHalfWidth  float64 // of the average's band on the last day, support
		minPollHalfOK float64 // the new-poll range is at least this wide
	}{
		{poll.MethodKalman, 36.63, 57.60, 3, 6},
		{poll.MethodLoess, 36.6, 57.7, 6, 6},
		{poll.MethodWeighted, 36.58, 57.68, 3, 6},
		{poll.MethodLatest, 36.63, 57.61, 3, 6},
	}
	for _, tt := range tests {
		t.Run(string(tt.method), func(t *testing.T) {
			o := optionsFor(tt.method)
			o.SharedError = 0 // the polls' own band
			r, err := poll.Average(demoQuestion(), demoPolls(), o)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, day("2023-03-07"), day("2023-03-14"))
			if got, want := len(r.Series), 3; got != want {
				t.Fatalf("series=%d, want %d", got, want)
			}
			last := len(r.Series[0].Points) - 1
			sup, opp := r.Series[0].Points[last], r.Series[1].Points[last]
			if math.Abs(sup.Estimate-tt.lastSupport) > 0.6 || math.Abs(opp.Estimate-tt.lastOppose) > 0.6 {
				t.Errorf("last day support %.2f oppose %.2f, want about %.2f and %.2f", sup.Estimate, opp.Estimate, tt.lastSupport, tt.lastOppose)
			}
			if hw := (sup.Upper - sup.Lower) / 2; hw > tt.maxHalfWidth || hw < 0.5 {
				t.Errorf("band half-width %.2f, want 0.5..%v", hw, tt.maxHalfWidth)
			}
			if hw := (sup.PollUpper - sup.PollLower) / 2; hw < tt.minPollHalfOK {
				t.Errorf("new-poll half-width %.2f, want at least %v", hw, tt.minPollHalfOK)
			}
			if got, want := len(r.Weights), 7; got != want {
				t.Errorf("weights=%d, want %d", got, want)
			}
			if got, want := len(r.HouseEffects), 17; got != want {
				t.Errorf("house effects=%d, want %d", got, want)
			}
		})
	}
}

func TestAverage_Errors(t *testing.T) {
	bad := poll.DefaultOptions()
	bad.Span = 0
	negDE := poll.DefaultOptions()
	negDE.DesignEffect[poll.ModeARS] = -1
	noAnswers := []poll.Poll{{Pollster: "A", Start: 100, End: 100, Results: poll.SharesOf(map[string]float64{"other": 50})}}
	tests := []struct {
		name  string
		q     *poll.Question
		polls []poll.Poll
		o     poll.Options
		code  string
	}{
		{"NoPolls", demoQuestion(), nil, poll.DefaultOptions(), poll.EINVALID},
		{"NoUsableAnswer", demoQuestion(), noAnswers, poll.DefaultOptions(), poll.EINVALID},
		{"BadSpan", demoQuestion(), demoPolls(), bad, poll.EINVALID},
		{"NegativeDesignEffect", demoQuestion(), demoPolls(), negDE, poll.EINVALID},
		{"NilQuestion", nil, demoPolls(), poll.DefaultOptions(), poll.EINVALID},
		{"ZeroOptions", demoQuestion(), demoPolls(), poll.Options{}, poll.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := poll.Average(tt.q, tt.polls, tt.o)
			if got, want := poll.ErrorCode(err), tt.code; got != want {
				t.Fatalf("code=%q (%v), want %q", got, err, want)
			}
		})
	}
}

// series builds single-option polls: support only, on a two-option question.
func mk(pollster string, d poll.Date, n int, support float64) poll.Poll {
	return poll.Poll{Pollster: pollster, Start: d, End: d, SampleSize: n, Mode: poll.ModeLive,
		Results: poll.SharesOf(map[string]float64{"support": support, "oppose": 100 - support})}
}

func TestAverage_EdgeCases(t *testing.T) {
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}}}
	d0 := day("2024-01-01")
	var tracking []poll.Poll
	for i := 0; i < 60; i++ {
		tracking = append(tracking, mk("Daily", d0+poll.Date(i), 500, 40+float64(i%3)))
	}
	tests := []struct {
		name  string
		polls []poll.Poll
		// want is the support estimate every method must give on every day
		// (NaN: no exact value, only the invariants).
		want float64
		tol  float64
	}{
		{"OnePoll", []poll.Poll{mk("A", d0, 1000, 42)}, 42, 1e-9},
		{"AllOnOneDay", []poll.Poll{mk("A", d0, 1000, 40), mk("B", d0, 1000, 44), mk("C", d0, 1000, 42)}, 42, 1e-6},
		{"SinglePollster", []poll.Poll{mk("A", d0, 1000, 41), mk("A", d0+10, 1000, 41), mk("A", d0+20, 1000, 41)}, 41, 1e-6},
		{"ZeroVariance", []poll.Poll{mk("A", d0, 800, 37), mk("B", d0+3, 1200, 37), mk("C", d0+9, 1000, 37), mk("A", d0+15, 1000, 37)}, 37, 1e-6},
		{"ZeroPercent", []poll.Poll{mk("A", d0, 1000, 0), mk("B", d0+5, 1000, 0), mk("A", d0+9, 1000, 0)}, 0, 1e-9},
		{"HundredPercent", []poll.Poll{mk("A", d0, 1000, 100), mk("B", d0+5, 1000, 100), mk("A", d0+9, 1000, 100)}, 100, 1e-9},
		{"GapOfMonths", []poll.Poll{mk("A", d0, 1000, 40), mk("B", d0+2, 1000, 42), mk("A", d0+200, 1000, 50), mk("B", d0+203, 1000, 52)}, math.NaN(), 0},
		{"PollsterWithOnePoll", append(append([]poll.Poll(nil), tracking...), mk("Once", d0+30, 1000, 55)), math.NaN(), 0},
		{"NoSampleSize", []poll.Poll{mk("A", d0, 0, 45)}, 45, 1e-9},
	}
	for _, tt := range tests {
		for _, m := range poll.Methods {
			t.Run(tt.name+"/"+string(m), func(t *testing.T) {
				r, err := poll.Average(q, tt.polls, optionsFor(m))
				if err != nil {
					t.Fatal(err)
				}
				first, last := poll.Date(math.MaxInt32), poll.Date(math.MinInt32)
				for _, p := range tt.polls {
					first, last = min(first, p.Midpoint()), max(last, p.Midpoint())
				}
				checkResult(t, r, first, last)
				if math.IsNaN(tt.want) {
					return
				}
				for _, p := range r.Series[0].Points {
					if math.Abs(p.Estimate-tt.want) > tt.tol {
						t.Fatalf("%s: estimate %v, want %v", p.Date, p.Estimate, tt.want)
					}
				}
			})
		}
	}
}

func TestAverage_GapWidensBand(t *testing.T) {
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}}}
	d0 := day("2024-01-01")
	polls := []poll.Poll{mk("A", d0, 1000, 40), mk("B", d0+2, 1000, 42), mk("C", d0+4, 1000, 41),
		mk("A", d0+200, 1000, 50), mk("B", d0+202, 1000, 52), mk("C", d0+204, 1000, 51)}
	o := poll.DefaultOptions()
	o.SharedError = 0 // the polls' own band, which the gap widens
	r, err := poll.Average(q, polls, o)
	if err != nil {
		t.Fatal(err)
	}
	pts := r.Series[0].Points
	edge, mid := pts[2].Upper-pts[2].Lower, pts[100].Upper-pts[100].Lower
	if !(mid > 1.5*edge) {
		t.Fatalf("band mid-gap %.2f, at the polls %.2f: want the gap clearly wider", mid, edge)
	}
	if e := pts[100].Estimate; e < 42 || e > 50 {
		t.Fatalf("mid-gap estimate %.2f, want between the two clusters", e)
	}
}

func TestAverage_FromTo(t *testing.T) {
	o := poll.DefaultOptions()
	from, to := day("2023-03-01"), day("2023-03-20")
	o.From, o.To = &from, &to
	for _, m := range poll.Methods {
		o.Method = m
		r, err := poll.Average(demoQuestion(), demoPolls(), o)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, r, from, to)
	}
}

func TestAverage_DropUndecided(t *testing.T) {
	for _, m := range poll.Methods {
		o := optionsFor(m)
		o.DropUndecided = true
		r, err := poll.Average(demoQuestion(), demoPolls(), o)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(r.Series), 2; got != want {
			t.Fatalf("%s: %d series, want %d", m, got, want)
		}
		for i := range r.Series[0].Points {
			if s := r.Series[0].Points[i].Estimate + r.Series[1].Points[i].Estimate; math.Abs(s-100) > 1e-9 {
				t.Fatalf("%s: day %d sums to %v, want 100", m, i, s)
			}
		}
	}
}

func TestAverage_HugePollDoesNotDominate(t *testing.T) {
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}}}
	d0 := day("2024-01-01")
	polls := []poll.Poll{mk("A", d0, 1000, 40), mk("B", d0, 1000, 40), mk("C", d0, 1000, 40), mk("Big", d0, 1000000, 60)}
	for _, m := range []poll.Method{poll.MethodWeighted, poll.MethodLoess} {
		o := optionsFor(m)
		o.AdjustHouse = false
		r, err := poll.Average(q, polls, o)
		if err != nil {
			t.Fatal(err)
		}
		// Capped at 2500 effective respondents: weight sqrt(2500) against
		// 3·sqrt(1000/1.5).
		big := math.Sqrt(2500)
		small := math.Sqrt(1000 / 1.5)
		want := (3*small*40 + big*60) / (3*small + big)
		if got := r.Series[0].Points[0].Estimate; math.Abs(got-want) > 1e-9 {
			t.Fatalf("%s: estimate %v, want %v", m, got, want)
		}
	}
}

// TestAverage_SharedErrorWidensBand checks that the shared error adds in
// quadrature to the band of the average, for every method, and leaves the
// estimate and the range of a new poll alone.
func TestAverage_SharedErrorWidensBand(t *testing.T) {
	for _, m := range poll.Methods {
		t.Run(string(m), func(t *testing.T) {
			o := optionsFor(m)
			o.SharedError = 0
			r0, err := poll.Average(demoQuestion(), demoPolls(), o)
			if err != nil {
				t.Fatal(err)
			}
			o.SharedError = 3
			r3, err := poll.Average(demoQuestion(), demoPolls(), o)
			if err != nil {
				t.Fatal(err)
			}
			for k := range r0.Series {
				for i, p0 := range r0.Series[k].Points {
					p3 := r3.Series[k].Points[i]
					if p0.Estimate != p3.Estimate || p0.PollLower != p3.PollLower || p0.PollUpper != p3.PollUpper {
						t.Fatalf("%s %s: estimate or new-poll range moved: %+v vs %+v", r0.Series[k].Option, p0.Date, p0, p3)
					}
					if p3.Lower == 0 || p3.Upper == 100 || p0.Lower == 0 {
						continue // clamped: quadrature does not hold at 0 or 100
					}
					se0 := (p0.Upper - p0.Lower) / 2 / 1.959963984540054
					se3 := (p3.Upper - p3.Lower) / 2 / 1.959963984540054
					if want := math.Sqrt(se0*se0 + 9); math.Abs(se3-want) > 1e-9 {
						t.Fatalf("%s %s: band SE %.6f, want sqrt(%.6f² + 3²) = %.6f", r0.Series[k].Option, p0.Date, se3, se0, want)
					}
				}
			}
		})
	}
}
