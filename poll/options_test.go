package poll_test

import (
	"math"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
)

func TestDefaultOptions(t *testing.T) {
	o := poll.DefaultOptions()
	if err := o.Validate(); err != nil {
		t.Fatalf("DefaultOptions does not validate: %v", err)
	}
	if got, want := o.Method, poll.MethodKalman; got != want {
		t.Fatalf("Method=%q, want %q", got, want)
	}
	// Each call returns its own map.
	o.DesignEffect[poll.ModeARS] = 9
	if got := poll.DefaultOptions().DesignEffect[poll.ModeARS]; got != 2 {
		t.Fatalf("DefaultOptions shares its DesignEffect map: ARS=%v", got)
	}
}

func TestOptions_Validate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*poll.Options)
		field string // named in the message; "" means valid
	}{
		{"OK", func(o *poll.Options) {}, ""},
		{"UnknownMethod", func(o *poll.Options) { o.Method = "median" }, "method"},
		{"HalfLifeZero", func(o *poll.Options) { o.HalfLife = 0 }, "half_life"},
		{"HalfLifeNaN", func(o *poll.Options) { o.HalfLife = math.NaN() }, "half_life"},
		{"WindowZero", func(o *poll.Options) { o.Window = 0 }, "window"},
		{"SpanAboveOne", func(o *poll.Options) { o.Span = 1.5 }, "span"},
		{"NegativeCap", func(o *poll.Options) { o.MaxEffectiveN = -1 }, "max_effective_n"},
		{"ZeroCapMeansDefault", func(o *poll.Options) { o.MaxEffectiveN = 0 }, ""},
		{"NegativeSampleSize", func(o *poll.Options) { o.DefaultSampleSize = -5 }, "default_sample_size"},
		{"NonSamplingNaN", func(o *poll.Options) { o.NonSamplingSD = math.NaN() }, "non_sampling_sd"},
		{"EventJumpNegative", func(o *poll.Options) { o.EventJumpSD = -1 }, "event_jump_sd"},
		{"ResponseRateAbove100", func(o *poll.Options) { o.LowResponseRate = 101 }, "low_response_rate"},
		{"ResponseFactorAboveOne", func(o *poll.Options) { o.LowResponseFactor = 2 }, "low_response_factor"},
		{"DesignEffectZero", func(o *poll.Options) { o.DesignEffect[poll.ModeLive] = 0 }, "design_effect"},
		{"RatingNegative", func(o *poll.Options) { o.PollsterRating = map[string]float64{"A": -1} }, "pollster_rating"},
		{"RatingZeroIsAllowed", func(o *poll.Options) { o.PollsterRating = map[string]float64{"A": 0} }, ""},
		{"ToBeforeFrom", func(o *poll.Options) {
			a, b := poll.Date(10), poll.Date(5)
			o.From, o.To = &a, &b
		}, "before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := poll.DefaultOptions()
			tt.edit(&o)
			err := o.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if got, want := poll.ErrorCode(err), poll.EINVALID; got != want {
				t.Fatalf("code=%q (%v), want %q", got, err, want)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("message %q does not name %q", err, tt.field)
			}
		})
	}
}

func TestParseMethod(t *testing.T) {
	for _, m := range poll.Methods {
		if got, err := poll.ParseMethod(string(m)); err != nil || got != m {
			t.Fatalf("ParseMethod(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := poll.ParseMethod("mean"); poll.ErrorCode(err) != poll.EINVALID {
		t.Fatalf("ParseMethod(mean) error %v, want EINVALID", err)
	}
}
