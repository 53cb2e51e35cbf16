package poll_test

import (
	"math"
	"sort"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/poll/sim"
)

// TestHouseEffects_Recovered checks that the estimated leans find the
// simulation's true ones: most within two standard errors, and their
// errors far smaller than the leans themselves.
func TestHouseEffects_Recovered(t *testing.T) {
	s := sim.Scenario{Days: 365, Pollsters: 8, PollsPerWeek: 8, Start: 42, Undecided: 8, DriftSD: 0.12,
		HouseSD: 3, ModeScale: 1, NonSamplingSD: 1.5, JumpSD: 4}
	within, total := 0, 0
	var sqErr, sqLean float64
	for seed := uint64(1); seed <= 5; seed++ {
		w := sim.Generate(seed, s)
		r, err := poll.Average(w.Question, w.Polls, poll.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if !sort.SliceIsSorted(r.HouseEffects, func(a, b int) bool { return r.HouseEffects[a].Pollster < r.HouseEffects[b].Pollster }) {
			t.Fatal("HouseEffects not sorted by pollster")
		}
		truth := map[string]map[string]float64{}
		for _, p := range w.Pollsters {
			truth[p.Name] = p.Lean
		}
		for _, h := range r.HouseEffects {
			if h.Option != sim.Support || h.Polls < 5 {
				continue
			}
			tr := truth[h.Pollster][h.Option]
			total++
			if math.Abs(h.Effect-tr) <= 2*h.SE {
				within++
			}
			sqErr += (h.Effect - tr) * (h.Effect - tr)
			sqLean += tr * tr
		}
	}
	if total < 20 {
		t.Fatalf("only %d house effects scored", total)
	}
	t.Logf("%d of %d within 2 SE; RMSE %.2f vs RMS lean %.2f", within, total, math.Sqrt(sqErr/float64(total)), math.Sqrt(sqLean/float64(total)))
	if frac := float64(within) / float64(total); frac < 0.85 {
		t.Errorf("%.0f%% of house effects within 2 SE of the truth, want at least 85%%", 100*frac)
	}
	if rmse, rms := math.Sqrt(sqErr/float64(total)), math.Sqrt(sqLean/float64(total)); rmse > rms/3 {
		t.Errorf("house effect RMSE %.2f against leans of RMS %.2f: want at most a third", rmse, rms)
	}
}

// TestModeEffects_Recovered: live and ARS polls of the same pollsters'
// kind differ by a known mode gap, which ModeEffects must find.
func TestModeEffects_Recovered(t *testing.T) {
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}}}
	d0 := day("2024-01-01")
	var polls []poll.Poll
	for i := 0; i < 60; i++ {
		for j, name := range []string{"L1", "L2", "A1", "A2"} {
			mode, lean := poll.ModeLive, -3.0
			if j >= 2 {
				mode, lean = poll.ModeARS, 3.0
			}
			s := 40 + lean + float64((i*7+j*3)%5-2)*0.4
			p := mk(name, d0+poll.Date(i*3+j%3), 1000, s)
			p.Mode = mode
			polls = append(polls, p)
		}
	}
	o := poll.DefaultOptions()
	o.AdjustMode = true
	r, err := poll.Average(q, polls, o)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]poll.HouseEffect{}
	for _, m := range r.ModeEffects {
		if m.Option == "support" {
			got[m.Pollster] = m
		}
	}
	live, ars := got[string(poll.ModeLive)], got[string(poll.ModeARS)]
	if gap := ars.Effect - live.Effect; math.Abs(gap-6) > 1 {
		t.Fatalf("ARS - live gap %.2f, want about 6 (live %+v, ARS %+v)", gap, live, ars)
	}
	if live.Polls != 120 || ars.Polls != 120 {
		t.Fatalf("mode poll counts %d and %d, want 120 each", live.Polls, ars.Polls)
	}
	if e := r.Series[0].Points[60].Estimate; math.Abs(e-40) > 1 {
		t.Fatalf("mode-adjusted average %.2f, want about 40 (the modes' midpoint)", e)
	}
}
