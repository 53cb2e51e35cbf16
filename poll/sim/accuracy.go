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
	Name    string
	Options poll.Options
	// Oracle marks the Kalman smoother given the true random-walk
	// variance, the true leans and the true poll variances: the floor no
	// method can beat (bar the jumps, which it does not know either).
	Oracle bool
}

// Score accumulates one contender's errors against the truth.
type Score struct {
	Name string
	// Every scored day of every seed.
	N                  int
	SumSq, SumAbs      float64
	Covered            int
	SumWidth           float64
	LastN, LastCovered int
	LastSumSq, LastAbs float64
	PollN, PollCovered int // polls inside the new-poll range of their day
	Errors             int
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
		for i, p := range w.Polls {
			y, ok := p.Results[o]
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
			_ = i
		}
	}
}

// Oracle returns, for each scored option, the Kalman smoother's daily
// estimate given the true random-walk variance, each pollster's true lean
// and each poll's true error variance, from the first poll's midpoint to
// the last one's.
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
			y, ok := p.Results[o]
			if !ok {
				continue
			}
			t := w.PollDay[i] - first
			pi := 1 / w.TrueVar[i][o]
			H[t] += pi
			zb[t] += pi * (y - lean[p.Pollster][o])
		}
		mu, v := smooth(H, zb, w.Q[o])
		pts := make([]poll.Point, T)
		for t := range pts {
			se := math.Sqrt(v[t])
			pts[t] = poll.Point{Date: w.Start + poll.Date(first+t), Estimate: mu[t], Lower: mu[t] - 1.96*se, Upper: mu[t] + 1.96*se}
		}
		out[o] = pts
	}
	return out
}

// smooth is a plain diffuse random-walk Kalman filter and RTS smoother.
// H holds each day's total precision and hz the precision-weighted sum of
// its observations. It is written independently of package poll.
func smooth(H, hz []float64, q float64) (mu, v []float64) {
	T := len(H)
	mf, pf, pp := make([]float64, T), make([]float64, T), make([]float64, T)
	m, P := 0.0, math.Inf(1)
	for t := 0; t < T; t++ {
		if t > 0 {
			P += q
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
			mu[t], v[t] = mu[t+1], v[t+1]+q
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
