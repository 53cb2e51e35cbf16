package sim

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
)

func TestGenerate_Deterministic(t *testing.T) {
	s := RandomScenario(rand.New(rand.NewPCG(3, 7)))
	a, b := Generate(3, s), Generate(3, s)
	if !reflect.DeepEqual(a.Polls, b.Polls) {
		t.Fatal("the same seed gave different polls")
	}
	if c := Generate(4, s); reflect.DeepEqual(a.Polls, c.Polls) {
		t.Fatal("different seeds gave the same polls")
	}
}

func TestGenerate_World(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		s := RandomScenario(rand.New(rand.NewPCG(seed, 7)))
		w := Generate(seed, s)
		if len(w.Polls) < 50 {
			t.Fatalf("seed %d: only %d polls", seed, len(w.Polls))
		}
		q := w.Question
		for i := range w.Polls {
			if errs := w.Polls[i].Validate(q, w.Start+poll.Date(s.Days)); len(errs) > 0 {
				t.Fatalf("seed %d poll %d invalid: %v", seed, i, errs)
			}
		}
		// The leans of the pollsters that poll average to zero.
		for _, o := range []string{Support, Oppose, Undecided} {
			sum, n := 0.0, 0
			for _, p := range w.Pollsters {
				if p.Polls > 0 {
					sum += p.Lean[o]
					n++
				}
			}
			if math.Abs(sum/float64(n)) > 1e-9 {
				t.Fatalf("seed %d: %s leans average %v, want 0", seed, o, sum/float64(n))
			}
		}
		// The shares of one day sum to 100.
		for d := range w.Truth[Support] {
			if sum := w.Truth[Support][d] + w.Truth[Oppose][d] + w.Truth[Undecided][d]; math.Abs(sum-100) > 1e-9 {
				t.Fatalf("seed %d day %d: truth sums to %v", seed, d, sum)
			}
		}
		// Every jump is an event on the question.
		if len(q.Events) < len(s.Jumps) {
			t.Fatalf("seed %d: %d events for %d jumps", seed, len(q.Events), len(s.Jumps))
		}
	}
}

// TestSmooth checks the oracle's smoother on a case worked by hand: two
// observations of precision 1 on days 0 and 1 and a step of variance 1.
func TestSmooth(t *testing.T) {
	mu, v := smooth([]float64{1, 1}, []float64{0, 3}, []float64{1, 1})
	// Filter: day 0 → 0 (var 1); day 1 predicted var 2, gain 2/3 → 2
	// (var 2/3). Smoother: J = 1/2, day 0 → 0 + (2-0)/2 = 1, var 1 +
	// (2/3-2)/4 = 2/3.
	want := [][2]float64{{1, 2.0 / 3}, {2, 2.0 / 3}}
	for t2, w := range want {
		if math.Abs(mu[t2]-w[0]) > 1e-12 || math.Abs(v[t2]-w[1]) > 1e-12 {
			t.Fatalf("day %d: (%v, %v), want %v", t2, mu[t2], v[t2], w)
		}
	}
}

// TestRun scores a few seeds: every contender scored, the oracle the most
// accurate, the table well formed.
func TestRun(t *testing.T) {
	scores := Run([]uint64{1, 2, 3}, DefaultContenders())
	var oracle, kalman, latest *Score
	for _, s := range scores {
		if s.N == 0 || s.Errors > 0 || math.IsNaN(s.RMSE()) {
			t.Fatalf("%s: N=%d errors=%d RMSE=%v", s.Name, s.N, s.Errors, s.RMSE())
		}
		switch s.Name {
		case "oracle":
			oracle = s
		case "kalman (default)":
			kalman = s
		case "latest (RCP baseline)":
			latest = s
		}
	}
	if !(oracle.RMSE() < kalman.RMSE() && kalman.RMSE() < latest.RMSE()) {
		t.Fatalf("RMSE oracle %.2f, kalman %.2f, latest %.2f: want them in that order", oracle.RMSE(), kalman.RMSE(), latest.RMSE())
	}
	tab := Table(scores, "latest (RCP baseline)", "oracle")
	if got, want := strings.Count(tab, "\n"), len(scores)+2; got != want {
		t.Fatalf("table has %d lines, want %d:\n%s", got, want, tab)
	}
}
