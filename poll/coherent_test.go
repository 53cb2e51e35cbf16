package poll

import (
	"math"
	"testing"
)

func TestCoherent(t *testing.T) {
	tests := []struct {
		name  string
		est   []float64
		v     []float64
		exact bool
		want  []float64
	}{
		{"already coherent", []float64{40, 50, 8}, []float64{1, 1, 1}, false, []float64{40, 50, 8}},
		{"equal variances share the excess", []float64{45, 58, 3}, []float64{1, 1, 1}, false, []float64{43, 56, 1}},
		{"the least precise answer absorbs most", []float64{45, 58}, []float64{1, 3}, false, []float64{44.25, 55.75}},
		{"a share below zero is lifted, not the others lowered", []float64{-2, 60, 30}, []float64{1, 1, 1}, false, []float64{0, 60, 30}},
		{"above 100 alone", []float64{104, 1}, []float64{1, 1}, false, []float64{100, 0}},
		{"exact: decided answers sum to 100", []float64{40, 55}, []float64{1, 1}, true, []float64{42.5, 57.5}},
		{"exact, weighted", []float64{40, 55}, []float64{4, 1}, true, []float64{44, 56}},
		{"a share at the cap stays at 0 while others absorb", []float64{0.5, 70, 40}, []float64{1, 1, 1}, false, []float64{0, 65, 35}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fit := make([]float64, len(tt.est))
			coherent(tt.est, tt.v, tt.exact, fit)
			sum := 0.0
			for k := range fit {
				if math.Abs(fit[k]-tt.want[k]) > 1e-6 {
					t.Errorf("fit %v, want %v", fit, tt.want)
					break
				}
				if fit[k] < 0 || fit[k] > 100 {
					t.Errorf("share %d = %v outside 0-100", k, fit[k])
				}
				sum += fit[k]
			}
			if sum > 100+1e-9 || (tt.exact && math.Abs(sum-100) > 1e-9) {
				t.Errorf("shares sum to %v", sum)
			}
		})
	}
}

// TestAverage_UnknownModeIsMissing checks that polls without a reported
// mode are not a mode of their own: one pollster's live and unreported
// polls show no mode effect, and two modes still give one.
func TestAverage_UnknownModeIsMissing(t *testing.T) {
	q := &Question{ID: "q", Options: []Option{{ID: "support"}, {ID: "oppose"}}}
	var polls []Poll
	for i := 0; i < 12; i++ {
		m := ModeLive
		if i%2 == 1 {
			m = ModeUnknown
		}
		d := Date(19000 + 7*i)
		polls = append(polls, Poll{Pollster: "Gallup Korea", Start: d, End: d, SampleSize: 1000, Mode: m,
			Results: SharesOf(map[string]float64{"support": 40 + float64(i%3), "oppose": 50})})
	}
	r, err := Average(q, polls, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.ModeEffects) != 0 {
		t.Fatalf("mode effects %+v: a poll without a mode is missing its mode, not another mode", r.ModeEffects)
	}
	// A second pollster with ARS polls: the ARS–live contrast is estimated,
	// and still no "unknown" mode appears.
	for i := 0; i < 12; i++ {
		d := Date(19000 + 7*i + 3)
		polls = append(polls, Poll{Pollster: "Realmeter", Start: d, End: d, SampleSize: 1000, Mode: ModeARS,
			Results: SharesOf(map[string]float64{"support": 46, "oppose": 48})})
	}
	if r, err = Average(q, polls, DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	modes := map[string]bool{}
	for _, m := range r.ModeEffects {
		modes[m.Pollster] = true
	}
	if !modes[string(ModeARS)] || !modes[string(ModeLive)] || modes["unknown"] {
		t.Fatalf("mode effects %+v: want phone-ARS and phone-live, no unknown", r.ModeEffects)
	}
}
