package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/pollagg/pollagg/poll"
)

// Contender is one row of the accuracy table: a method with its options,
// or the oracle.
type Contender struct {
	Name    string       // the table's row label
	Options poll.Options // passed to poll.Average
	// Oracle marks the Kalman smoother given the true random-walk
	// variance (jumps included), the true leans and the true poll
	// variances: the floor no method can beat.
	Oracle bool
}

// Score accumulates one contender's errors against the truth.
type Score struct {
	Name string
	// Every scored day of every seed: count, sums of squared and absolute
	// errors, days whose band held the truth, and the bands' total width.
	N             int
	SumSq, SumAbs float64
	Covered       int
	SumWidth      float64
	// The same for the last day of each seed.
	LastN, LastCovered int
	LastSumSq, LastAbs float64
	// Polls inside the new-poll range of their day, out of PollN.
	PollN, PollCovered int
	// Errors counts seeds on which Average failed.
	Errors int
}

// RMSE is the root mean squared error over every scored day.
func (s *Score) RMSE() float64 { return math.Sqrt(s.SumSq / float64(s.N)) }

// MAE is the mean absolute error over every scored day.
func (s *Score) MAE() float64 { return s.SumAbs / float64(s.N) }

// Coverage is the share of days whose 95% band holds the truth.
func (s *Score) Coverage() float64 { return float64(s.Covered) / float64(s.N) }

// Width is the mean width of the 95% band.
func (s *Score) Width() float64 { return s.SumWidth / float64(s.N) }

// LastRMSE is the RMSE on the last day alone.
func (s *Score) LastRMSE() float64 { return math.Sqrt(s.LastSumSq / float64(s.LastN)) }

// LastMAE is the MAE on the last day alone.
func (s *Score) LastMAE() float64 { return s.LastAbs / float64(s.LastN) }

// LastCoverage is the last day's coverage.
func (s *Score) LastCoverage() float64 { return float64(s.LastCovered) / float64(s.LastN) }

// PollCoverage is the share of polls inside the new-poll range.
func (s *Score) PollCoverage() float64 { return float64(s.PollCovered) / float64(max(s.PollN, 1)) }

// Scored are the options whose averages are scored: the two substantive
// answers.
var Scored = []string{Support, Oppose}

// Run generates one World per seed (with RandomScenario seeded from it)
// and scores every contender on it.
func Run(seeds []uint64, cs []Contender) []*Score {
	scores := make([]*Score, len(cs))
	for i, c := range cs {
		scores[i] = &Score{Name: c.Name}
	}
	for _, seed := range seeds {
		w := Generate(seed, RandomScenario(rand.New(rand.NewPCG(seed, 7))))
		for i, c := range cs {
			scores[i].add(w, c)
		}
	}
	return scores
}

// add scores contender c on world w.
func (s *Score) add(w *World, c Contender) {
	if len(w.Polls) == 0 {
		return
	}
	var series map[string][]poll.Point
	if c.Oracle {
		series = Oracle(w)
	} else {
		r, err := poll.Average(w.Question, w.Polls, c.Options)
		if err != nil {
			s.Errors++
			return
		}
		series = map[string][]poll.Point{}
		for _, a := range r.Series {
			series[a.Option] = a.Points
		}
	}
	for _, o := range Scored {
		pts := series[o]
		for x, p := range pts {
			truth := w.Truth[o][int(p.Date-w.Start)]
			e := p.Estimate - truth
			cov := p.Lower <= truth && truth <= p.Upper
			s.N++
			s.SumSq += e * e
			s.SumAbs += math.Abs(e)
			s.SumWidth += p.Upper - p.Lower
			if cov {
				s.Covered++
			}
			if x == len(pts)-1 {
				s.LastN++
				s.LastSumSq += e * e
				s.LastAbs += math.Abs(e)
				if cov {
					s.LastCovered++
				}
			}
		}
		if len(pts) == 0 || c.Oracle {
			continue
		}
		for _, p := range w.Polls {
			y, ok := p.Results.Get(o)
			if !ok {
				continue
			}
			x := int(p.Midpoint() - pts[0].Date)
			if x < 0 || x >= len(pts) {
				continue
			}
			s.PollN++
			if pts[x].PollLower <= y && y <= pts[x].PollUpper {
				s.PollCovered++
			}
		}
	}
}

// Oracle returns, for each scored option, the Kalman smoother's daily
// estimate given the true model: the random-walk variance (with the jumps'
// variance added on event days), each pollster's true lean and each poll's
// true error variance, from the first poll's midpoint to the last one's.
// Knowing every parameter, it is the best linear estimate: a floor.
func Oracle(w *World) map[string][]poll.Point {
	first, last := math.MaxInt, math.MinInt
	for _, d := range w.PollDay {
		first, last = min(first, d), max(last, d)
	}
	out := map[string][]poll.Point{}
	lean := map[string]map[string]float64{}
	for _, pl := range w.Pollsters {
		lean[pl.Name] = pl.Lean
	}
	for _, o := range Scored {
		T := last - first + 1
		H, zb := make([]float64, T), make([]float64, T)
		for i, p := range w.Polls {
			y, ok := p.Results.Get(o)
			if !ok {
				continue
			}
			t := w.PollDay[i] - first
			pi := 1 / w.TrueVar[i][o]
			H[t] += pi
			zb[t] += pi * (y - lean[p.Pollster][o])
		}
		// The true process variance of each day: the drift, plus the
		// jumps' variance on event days (support and oppose move
		// together). The oracle knows the model, not the realised jumps.
		q := make([]float64, T)
		for t := range q {
			q[t] = w.Q[o]
			for _, j := range w.Scenario.Jumps {
				if j.Day == first+t {
					q[t] += w.Scenario.JumpSD * w.Scenario.JumpSD
				}
			}
		}
		mu, v := smooth(H, zb, q)
		// The oracle knows how large the industry's bias may be, not
		// what it was: its band adds the shared variance.
		sh := w.Scenario.SharedSD * w.Scenario.SharedSD
		pts := make([]poll.Point, T)
		for t := range pts {
			se := math.Sqrt(v[t] + sh)
			pts[t] = poll.Point{Date: w.Start + poll.Date(first+t), Estimate: mu[t], Lower: mu[t] - 1.96*se, Upper: mu[t] + 1.96*se}
		}
		out[o] = pts
	}
	return out
}

// smooth is a plain diffuse random-walk Kalman filter and RTS smoother.
// H holds each day's total precision, hz the precision-weighted sum of its
// observations and q[t] the variance of the step into day t. It is written
// independently of package poll.
func smooth(H, hz, q []float64) (mu, v []float64) {
	T := len(H)
	mf, pf, pp := make([]float64, T), make([]float64, T), make([]float64, T)
	m, P := 0.0, math.Inf(1)
	for t := 0; t < T; t++ {
		if t > 0 {
			P += q[t]
		}
		pp[t] = P
		if H[t] > 0 {
			z, R := hz[t]/H[t], 1/H[t]
			if math.IsInf(P, 1) {
				m, P = z, R
			} else {
				K := P / (P + R)
				m += K * (z - m)
				P = (1 - K) * P
			}
		}
		mf[t], pf[t] = m, P
	}
	mu, v = make([]float64, T), make([]float64, T)
	mu[T-1], v[T-1] = mf[T-1], pf[T-1]
	for t := T - 2; t >= 0; t-- {
		if math.IsInf(pf[t], 1) {
			mu[t], v[t] = mu[t+1], v[t+1]+q[t+1]
			continue
		}
		J := pf[t] / pp[t+1]
		mu[t] = mf[t] + J*(mu[t+1]-mf[t])
		v[t] = pf[t] + J*J*(v[t+1]-pp[t+1])
	}
	return mu, v
}

// DefaultContenders are the rows of the accuracy table in METHODOLOGY.md.
func DefaultContenders() []Contender {
	with := func(m poll.Method, f func(*poll.Options)) poll.Options {
		o := poll.DefaultOptions()
		o.Method = m
		if f != nil {
			f(&o)
		}
		return o
	}
	raw := func(o *poll.Options) { o.AdjustHouse = false }
	return []Contender{
		{Name: "oracle", Oracle: true},
		{Name: "kalman (default)", Options: with(poll.MethodKalman, nil)},
		{Name: "kalman, no house adjustment", Options: with(poll.MethodKalman, raw)},
		{Name: "loess", Options: with(poll.MethodLoess, nil)},
		{Name: "loess, no house adjustment", Options: with(poll.MethodLoess, raw)},
		{Name: "weighted", Options: with(poll.MethodWeighted, nil)},
		{Name: "weighted, no house adjustment", Options: with(poll.MethodWeighted, raw)},
		{Name: "latest, house-adjusted", Options: with(poll.MethodLatest, nil)},
		{Name: "latest (RCP baseline)", Options: with(poll.MethodLatest, raw)},
	}
}

// Table formats scores as a markdown table. Ratios are to the rows named
// base and oracle.
func Table(scores []*Score, base, oracle string) string {
	var b, o *Score
	for _, s := range scores {
		switch s.Name {
		case base:
			b = s
		case oracle:
			o = s
		}
	}
	var sb strings.Builder
	sb.WriteString("| method | RMSE | MAE | 95% coverage | band width | last-day RMSE | last-day MAE | last-day coverage | new-poll range coverage | RMSE ÷ baseline | RMSE ÷ oracle |\n")
	sb.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range scores {
		if s.N == 0 {
			fmt.Fprintf(&sb, "| %s | (no result: %d errors) |\n", s.Name, s.Errors)
			continue
		}
		ratio := func(x *Score) string {
			if x == nil || x.N == 0 {
				return "–"
			}
			return fmt.Sprintf("%.2f", s.RMSE()/x.RMSE())
		}
		pc := "–"
		if s.PollN > 0 {
			pc = fmt.Sprintf("%.1f%%", 100*s.PollCoverage())
		}
		fmt.Fprintf(&sb, "| %s | %.2f | %.2f | %.1f%% | %.2f | %.2f | %.2f | %.1f%% | %s | %s | %s |\n",
			s.Name, s.RMSE(), s.MAE(), 100*s.Coverage(), s.Width(), s.LastRMSE(), s.LastMAE(), 100*s.LastCoverage(), pc, ratio(b), ratio(o))
	}
	return sb.String()
}

// Variant is one setting tried when choosing a default.
type Variant struct {
	Param   string // the option varied, e.g. "HalfLife"
	Value   string // its value, as printed
	Default bool   // the value DefaultOptions uses
	Contender
}

// Sweep lists the settings METHODOLOGY.md compares when it explains each
// default: one option varied at a time, the rest at their defaults.
func Sweep() []Variant {
	var vs []Variant
	add := func(param string, m poll.Method, value string, isDefault bool, f func(*poll.Options)) {
		o := poll.DefaultOptions()
		o.Method = m
		f(&o)
		vs = append(vs, Variant{Param: param, Value: value, Default: isDefault,
			Contender: Contender{Name: fmt.Sprintf("%s %s=%s", m, param, value), Options: o}})
	}
	def := poll.DefaultOptions()
	for _, v := range []float64{7, 14, 28} {
		add("HalfLife", poll.MethodWeighted, fmt.Sprint(v), v == def.HalfLife, func(o *poll.Options) { o.HalfLife = v })
	}
	for _, v := range []int{14, 30, 60} {
		add("Window", poll.MethodLatest, fmt.Sprint(v), v == def.Window, func(o *poll.Options) { o.Window = v })
	}
	for _, v := range []float64{0.1, 0.2, 0.3, 0.5} {
		add("Span", poll.MethodLoess, fmt.Sprint(v), v == def.Span, func(o *poll.Options) { o.Span = v })
	}
	for _, v := range []float64{1000, 2500, 10000} {
		add("MaxEffectiveN", poll.MethodWeighted, fmt.Sprint(v), v == def.MaxEffectiveN, func(o *poll.Options) { o.MaxEffectiveN = v })
	}
	for _, v := range []bool{true, false} {
		add("SharePollster", poll.MethodWeighted, fmt.Sprint(v), v == def.SharePollster, func(o *poll.Options) { o.SharePollster = v })
	}
	add("DesignEffect", poll.MethodKalman, "by mode", true, func(o *poll.Options) {})
	add("DesignEffect", poll.MethodKalman, "all 1", false, func(o *poll.Options) {
		for m := range o.DesignEffect {
			o.DesignEffect[m] = 1
		}
	})
	for _, v := range []float64{0, 1, 2, 3} {
		add("NonSamplingSD", poll.MethodKalman, fmt.Sprint(v), v == def.NonSamplingSD, func(o *poll.Options) { o.NonSamplingSD = v })
	}
	for _, v := range []float64{0, 2, 4, 8} {
		add("EventJumpSD", poll.MethodKalman, fmt.Sprint(v), v == def.EventJumpSD, func(o *poll.Options) { o.EventJumpSD = v })
	}
	add("LowResponseRate", poll.MethodKalman, "0 (off)", def.LowResponseRate == 0, func(o *poll.Options) {})
	add("LowResponseRate", poll.MethodKalman, "5", false, func(o *poll.Options) { o.LowResponseRate = 5 })
	for _, v := range []string{"house", "mode only", "none"} {
		add("Adjust", poll.MethodKalman, v, v == "house", func(o *poll.Options) {
			o.AdjustHouse = v == "house"
			o.AdjustMode = v == "mode only"
		})
	}
	return vs
}

// SweepTable formats the scores of Sweep's variants as a markdown table,
// the default of each option marked.
func SweepTable(vs []Variant, scores []*Score) string {
	var sb strings.Builder
	sb.WriteString("| option | value | method | RMSE | 95% coverage | last-day RMSE | last-day coverage |\n")
	sb.WriteString("|---|---|---|---:|---:|---:|---:|\n")
	for i, v := range vs {
		s := scores[i]
		val := v.Value
		if v.Default {
			val = "**" + val + "** (default)"
		}
		if s.N == 0 {
			fmt.Fprintf(&sb, "| %s | %s | %s | – | – | – | – |\n", v.Param, val, v.Options.Method)
			continue
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %.3f | %.1f%% | %.3f | %.1f%% |\n", v.Param, val, v.Options.Method,
			s.RMSE(), 100*s.Coverage(), s.LastRMSE(), 100*s.LastCoverage())
	}
	return sb.String()
}
