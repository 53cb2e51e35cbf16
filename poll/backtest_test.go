package poll_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pollagg/pollagg/poll"
)

// races simulates n two-party races on the given election day, each with
// polls from pollsters P0..P9 whose bias on dem is bias[j], an industry
// miss per race of SD raceSD and binomial noise.
func races(r *rand.Rand, n int, day poll.Date, bias []float64, raceSD float64, prefix string) []poll.ResultCase {
	var out []poll.ResultCase
	for i := 0; i < n; i++ {
		q := &poll.Question{ID: fmt.Sprintf("%s-%d", prefix, i), Options: []poll.Option{{ID: "dem"}, {ID: "rep"}}}
		truth := 40 + 20*r.Float64()
		miss := raceSD * r.NormFloat64()
		c := poll.ResultCase{Question: q, Outcome: poll.Outcome{Date: day, Shares: map[string]float64{"dem": truth, "rep": 100 - truth}}}
		for k := 0; k < 4; k++ {
			j := r.IntN(len(bias))
			n := 600
			y := truth + miss + bias[j] + r.NormFloat64()*math.Sqrt(truth*(100-truth)/float64(n)+1.4) // 1.2 points beyond sampling
			d := day - poll.Date(1+r.IntN(20))
			c.Polls = append(c.Polls, poll.Poll{ID: fmt.Sprintf("%s-%d-%d", prefix, i, k), QuestionID: q.ID, Pollster: fmt.Sprintf("P%d", j),
				Start: d, End: d, SampleSize: n, Results: poll.SharesOf(map[string]float64{"dem": y, "rep": 100 - y})})
		}
		out = append(out, c)
	}
	return out
}

// TestBacktest_NoLookAhead checks that a question's score depends only on
// results dated before it: adding later races, whose pollster biases and
// misses are wild, changes no row of the earlier ones.
func TestBacktest_NoLookAhead(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	bias := []float64{2, -2, 1, -1, 0, 3, -3, 0.5, -0.5, 0}
	early := append(races(r, 25, day("2010-11-02"), bias, 2, "a"), races(r, 25, day("2012-11-06"), bias, 2, "b")...)
	wild := []float64{-8, 8, -8, 8, -8, 8, -8, 8, -8, 8}
	late := races(r, 30, day("2014-11-04"), wild, 6, "c")
	bo := poll.BacktestOptions{Methods: []poll.Method{poll.MethodKalman, poll.MethodLatest}, Variants: true}
	a := poll.Backtest(early, bo)
	b := poll.Backtest(append(append([]poll.ResultCase{}, late...), early...), bo)
	rows := map[string]poll.BacktestRow{}
	for _, row := range b.Rows {
		rows[row.QuestionID+"|"+row.Answer+"|"+row.Method] = row
	}
	ratings := 0
	for _, row := range a.Rows {
		got, ok := rows[row.QuestionID+"|"+row.Answer+"|"+row.Method]
		if !ok || got != row {
			t.Fatalf("%s %s %s: with later races %+v, without %+v", row.QuestionID, row.Answer, row.Method, got, row)
		}
		if row.Ratings {
			ratings++
		}
	}
	if ratings == 0 {
		t.Fatal("no row of the second election used ratings learned from the first")
	}
	for _, row := range a.Rows {
		if row.ResultDate == day("2010-11-02") && (row.Ratings || (row.SharedError != poll.DefaultSharedErrorModel.For(row.Pollsters) && row.SharedError != 0)) {
			t.Fatalf("the first election's rows used something learned: %+v", row)
		}
	}
}

// TestRatePollsters_Shrinkage checks that a pollster's bias is recovered
// with many polls and shrunk toward zero with one.
func TestRatePollsters_Shrinkage(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	bias := []float64{3, -3, 1.5, -1.5, 0, 0, 2, -2, 0.5, -0.5}
	cases := races(r, 300, day("2016-11-08"), bias, 2, "r")
	// One poll from a newcomer that missed by 6 points with the others on the race.
	c := &cases[0]
	y := c.Outcome.Shares["dem"] + 6
	c.Polls = append(c.Polls, poll.Poll{ID: "one", Pollster: "Newcomer", Start: c.Outcome.Date - 3, End: c.Outcome.Date - 3, SampleSize: 600,
		Results: poll.SharesOf(map[string]float64{"dem": y, "rep": 100 - y})})
	rs, model := poll.RatePollsters(cases)
	byName := map[string]poll.Rating{}
	for _, x := range rs {
		byName[x.Pollster] = x
	}
	biasOf := func(name, answer string) poll.AnswerBias {
		for _, b := range byName[name].Bias {
			if b.Answer == answer {
				return b
			}
		}
		t.Fatalf("%s has no bias on %s", name, answer)
		return poll.AnswerBias{}
	}
	for j, want := range bias {
		b := biasOf(fmt.Sprintf("P%d", j), "dem")
		if math.Abs(b.Bias-want) > 3*b.SE+0.3 {
			t.Errorf("P%d: bias %.2f ± %.2f, want about %.1f", j, b.Bias, b.SE, want)
		}
		if r := biasOf(fmt.Sprintf("P%d", j), "rep"); math.Abs(r.Bias+b.Bias) > 1e-6 {
			t.Errorf("P%d: rep bias %.3f is not the mirror of dem's %.3f", j, r.Bias, b.Bias)
		}
	}
	nb := biasOf("Newcomer", "dem")
	// One poll cannot tell a bias from noise: its 6-point miss is shrunk
	// by τ²/(τ² + s + σ²), to about half or less here, with an SE near τ.
	if nb.Bias <= 0 || nb.Bias > 0.6*6 || nb.SE < 1 {
		t.Errorf("one-poll pollster: bias %.2f ± %.2f, want shrunk well below its 6-point miss, with a wide SE", nb.Bias, nb.SE)
	}
	if w := byName["Newcomer"].Weight; math.Abs(w-1) > 0.3 {
		t.Errorf("one-poll pollster: weight %.2f, want near 1", w)
	}
	if model.RaceSD < 1.5 || model.RaceSD > 2.5 {
		t.Errorf("race SD %.2f, want about 2", model.RaceSD)
	}
	if model.PollsterSD < 1 || model.PollsterSD > 2.6 {
		t.Errorf("pollster SD %.2f, want about 1.8", model.PollsterSD)
	}
}

func TestLearnSharedError(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, want := range []poll.SharedErrorModel{{Industry: 0, Pollster: 3}, {Industry: 1.5, Pollster: 0}, {Industry: 2.5, Pollster: 3}} {
		var e, v []float64
		var js []int
		for i := 0; i < 3000; i++ {
			vi := 0.5 + 3*r.Float64()
			j := 1 + r.IntN(12)
			e = append(e, math.Sqrt(vi+want.Industry*want.Industry+want.Pollster*want.Pollster/float64(j))*r.NormFloat64())
			v = append(v, vi)
			js = append(js, j)
		}
		got := poll.LearnSharedError(e, v, js)
		if math.Abs(got.Industry-want.Industry) > 3*got.IndustrySE+0.25 || math.Abs(got.Pollster-want.Pollster) > 3*got.PollsterSE+0.25 {
			t.Errorf("learned %+v, want %+v", got, want)
		}
		if got.Questions != 3000 {
			t.Errorf("questions %d", got.Questions)
		}
	}
	if m := poll.LearnSharedError([]float64{1}, []float64{1}, []int{1}); m != poll.DefaultSharedErrorModel {
		t.Errorf("one miss: %+v, want the default", m)
	}
	if got, want := poll.DefaultSharedErrorModel.For(4), math.Sqrt(2.5*2.5+2*2/4.0); math.Abs(got-want) > 1e-12 {
		t.Errorf("For(4) = %v, want %v", got, want)
	}
}

func TestIntervalScore(t *testing.T) {
	for _, tt := range []struct{ lo, hi, y, want float64 }{
		{48, 52, 50, 4}, {48, 52, 47, 4 + 40*1}, {48, 52, 53.5, 4 + 40*1.5},
	} {
		if got := poll.IntervalScore(tt.lo, tt.hi, tt.y, 0.05); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("IntervalScore(%v, %v, %v) = %v, want %v", tt.lo, tt.hi, tt.y, got, tt.want)
		}
	}
}

func TestCalibrationApply(t *testing.T) {
	c := &poll.Calibration{Ratings: []poll.Rating{{Pollster: "Alpha", Weight: 0.5, Bias: []poll.AnswerBias{{Answer: "dem", Bias: 2}, {Answer: "support", Bias: 3}}}}}
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "dem"}, {ID: "rep"}, {ID: "support"}}}
	o := poll.DefaultOptions()
	c.Apply(&o, q)
	if o.PollsterRating["Alpha"] != 0.5 {
		t.Errorf("rating %v, want 0.5", o.PollsterRating)
	}
	if o.HouseBias["Alpha"]["dem"] != 2 {
		t.Errorf("dem bias %v, want 2 (a party id carries)", o.HouseBias)
	}
	if _, ok := o.HouseBias["Alpha"]["support"]; ok {
		t.Errorf("support bias carried: %v (a generic id means something else in every question)", o.HouseBias)
	}
	for id, want := range map[string]bool{"dem": true, "ppp": true, "support": false, "undecided": false, "cand1": false, "option-2": false} {
		if got := poll.BiasCarries(id); got != want {
			t.Errorf("BiasCarries(%q) = %v, want %v", id, got, want)
		}
	}
}

// TestBacktest_Degenerate feeds the backtest and the ratings what a real
// database can hold: a result with no poll before it, polls missing an
// answer of the result, one answer, shares of 0 and 100, an undecided
// option the result lacks. Nothing panics and every score is a number.
func TestBacktest_Degenerate(t *testing.T) {
	q2 := &poll.Question{ID: "two", Options: []poll.Option{{ID: "dem"}, {ID: "rep"}}}
	q3 := &poll.Question{ID: "three", Options: []poll.Option{{ID: "yes"}, {ID: "no"}, {ID: "undecided", Undecided: true}}}
	d := day("2020-11-03")
	p := func(id, pollster string, end poll.Date, n int, res map[string]float64) poll.Poll {
		return poll.Poll{ID: id, Pollster: pollster, Start: end, End: end, SampleSize: n, Results: poll.SharesOf(res)}
	}
	cases := []poll.ResultCase{
		{Question: q2, Outcome: poll.Outcome{Date: d, Shares: map[string]float64{"dem": 50, "rep": 50}}},
		{Question: &poll.Question{ID: "x", Options: q2.Options}, Outcome: poll.Outcome{Date: d, Shares: map[string]float64{"dem": 100, "rep": 0}},
			Polls: []poll.Poll{p("a", "A", d-3, 0, map[string]float64{"dem": 100, "rep": 0}), p("b", "B", d-2, 500, map[string]float64{"dem": 98})}},
		{Question: q3, Outcome: poll.Outcome{Date: d + 400, Shares: map[string]float64{"yes": 55, "no": 45}},
			Polls: []poll.Poll{p("c", "A", d+390, 1000, map[string]float64{"yes": 50, "no": 40, "undecided": 10}),
				p("e", "C", d+395, 800, map[string]float64{"yes": 52, "no": 44})}},
		{Question: &poll.Question{ID: "one", Options: q2.Options}, Outcome: poll.Outcome{Date: d + 800, Shares: map[string]float64{"dem": 100}},
			Polls: []poll.Poll{p("f", "A", d+700, 1000, map[string]float64{"dem": 60, "rep": 40})}},
	}
	rep := poll.Backtest(cases, poll.BacktestOptions{Variants: true})
	for _, s := range rep.Scores {
		for _, v := range []float64{s.MAE, s.Bias, s.RMSE, s.Coverage, s.Width, s.IntervalScore} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: non-finite score %+v", s.Method, s)
			}
		}
	}
	for _, r := range rep.Rows {
		if r.QuestionID == "two" || r.QuestionID == "one" {
			t.Fatalf("scored a question with no poll or one answer: %+v", r)
		}
		if r.QuestionID == "three" && r.Answer == "undecided" {
			t.Fatalf("scored an answer the result does not have: %+v", r)
		}
	}
	c := poll.Calibrate(cases)
	if c.Questions != 4 || len(c.Ratings) != 2 { // B's one poll lacks rep: not rated
		t.Fatalf("calibration %+v", c)
	}
	for _, r := range c.Ratings {
		if math.IsNaN(r.Weight) || math.IsNaN(r.ExcessError) || r.Weight <= 0 {
			t.Fatalf("rating %+v", r)
		}
	}
}
