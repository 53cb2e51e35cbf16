package poll

import (
	"math"
	"math/rand"
	"testing"
)

// modePolls simulates weekly polls of a flat 40/50 opinion by four live and
// two ARS pollsters, the ARS ones gap points higher on both answers, with
// small house effects and sampling noise.
func modePolls(seed int64, gap float64) []Poll {
	rng := rand.New(rand.NewSource(seed))
	type house struct {
		name string
		mode Mode
		lean float64
	}
	houses := []house{{"L1", ModeLive, 1}, {"L2", ModeLive, -1}, {"L3", ModeLive, 0.5}, {"L4", ModeLive, -0.5}, {"A1", ModeARS, 0.7}, {"A2", ModeARS, -0.7}}
	var ps []Poll
	for w := 0; w < 60; w++ {
		for _, h := range houses {
			d := NewDate(2023, 1, 2) + Date(7*w)
			shift := h.lean
			if h.mode == ModeARS {
				shift += gap
			}
			p := Poll{QuestionID: "q", Pollster: h.name, Start: d, End: d + 2, SampleSize: 1000, Mode: h.mode,
				Results: SharesOf(map[string]float64{"approve": 40 + shift + rng.NormFloat64()*1.5, "disapprove": 50 + shift + rng.NormFloat64()*1.5})}
			p.ID = PollID(&p)
			ps = append(ps, p)
		}
	}
	return ps
}

func TestModeGaps(t *testing.T) {
	q := &Question{ID: "q", Options: []Option{{ID: "approve"}, {ID: "disapprove"}}}
	for _, tt := range []struct {
		seed int64
		gap  float64
	}{{1, 4}, {2, 0}, {3, -3}} {
		gaps, err := ModeGaps(q, modePolls(tt.seed, tt.gap), DefaultOptions(), ModeLive, ModeARS)
		if err != nil || len(gaps) != 2 {
			t.Fatalf("seed %d: %v, %v", tt.seed, gaps, err)
		}
		for _, g := range gaps {
			if g.PollsA != 240 || g.PollsB != 120 || g.A != ModeLive || g.B != ModeARS {
				t.Errorf("seed %d %s: %+v", tt.seed, g.Option, g)
			}
			if !(g.SE > 0.1 && g.SE < 3) || math.Abs(g.Gap-tt.gap) > 3*g.SE {
				t.Errorf("seed %d %s: gap %.2f (SE %.2f), simulated %.1f", tt.seed, g.Option, g.Gap, g.SE, tt.gap)
			}
		}
	}
	// a mode no poll used: no gap, no error
	if gaps, err := ModeGaps(q, modePolls(1, 4), DefaultOptions(), ModeLive, ModeOnline); err != nil || len(gaps) != 0 {
		t.Errorf("online vs live = %v, %v; want none", gaps, err)
	}
	if _, err := ModeGaps(q, nil, DefaultOptions(), ModeLive, ModeARS); ErrorCode(err) != EINVALID {
		t.Errorf("no polls: %v, want EINVALID", err)
	}
}
