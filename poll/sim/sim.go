// Package sim simulates public opinion and the polls that measure it, so
// that pollagg's averaging methods can be scored against a known truth.
//
// A World has a true share for each answer on every day (a random walk with
// jumps on event days), pollsters with house effects and survey modes with
// mode effects, design effects, uneven field periods and sample sizes, and
// polls drawn from all of that with sampling and non-sampling error. The
// pollsters' total leans (house plus mode effect) average to zero: that is
// the assumption every poll average rests on (no method can learn from
// polls alone what the whole industry gets wrong), so the simulation makes
// it true; on top of that every World draws an industry bias that all its
// polls share (Scenario.SharedSD), as real elections show, so that the
// bands are scored on the error they claim to hold.
package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/pollagg/pollagg/poll"
)

// Option ids of the simulated question.
const (
	Support   = "support"
	Oppose    = "oppose"
	Undecided = "undecided"
)

// Scenario is the recipe for one World. RandomScenario draws one; the
// fields are exported so tests can pin them.
type Scenario struct {
	Days          int     // days from the first to the last possible field day
	Pollsters     int     // pollsters, one of them a weekly tracker
	PollsPerWeek  float64 // all pollsters together
	Start         float64 // true support on day 0, percent
	Undecided     float64 // true undecided share on day 0, percent
	DriftSD       float64 // SD of the daily change of support, points
	Jumps         []Jump  // event days
	JumpSD        float64 // SD of a jump's size, points: the model behind Jumps
	HouseSD       float64 // SD of the pollsters' house effects on support, points
	ModeScale     float64 // multiplies the mode effects in modeEffect
	NonSamplingSD float64 // SD of each poll's non-sampling error on support, points
	Unreported    float64 // share of polls without a sample size
	// SharedSD is the SD of the industry's bias on support, points: one
	// draw per World that every poll shares (oppose gets its opposite),
	// the error no average of polls can remove.
	SharedSD float64
}

// Jump is an event that moves support by Size points on Day.
type Jump struct {
	Day  int     // days after the World's Start
	Size float64 // points of support, + or -
}

// undecidedDriftSD is the daily SD of the undecided share's random walk.
const undecidedDriftSD = 0.04

// modeEffect is each mode's typical lean on support and on undecided before
// ModeScale: automated (ARS) polls reach more engaged, more opinionated
// respondents (fewer undecided), live interviews more undecided.
var modeEffect = map[poll.Mode][2]float64{
	poll.ModeARS:    {2.5, -3},
	poll.ModeLive:   {-2, 2.5},
	poll.ModeOnline: {1, 0},
	poll.ModeMixed:  {0, 0.5},
}

// trueDesignEffect is the centre of each mode's real design effect.
var trueDesignEffect = map[poll.Mode]float64{
	poll.ModeARS: 2.0, poll.ModeLive: 1.5, poll.ModeOnline: 1.8, poll.ModeMixed: 1.7,
}

// RandomScenario draws a scenario: a year of polling with 4 to 14
// pollsters, 3 to 10 polls a week, drift from calm to volatile, up to three
// events, house effects of 1 to 4 points, mode gaps of 0 to 9 points and 1
// to 3 points of non-sampling error.
func RandomScenario(r *rand.Rand) Scenario {
	s := Scenario{
		Days:          365,
		Pollsters:     4 + r.IntN(11),
		PollsPerWeek:  3 + 7*r.Float64(),
		Start:         30 + 25*r.Float64(),
		Undecided:     4 + 8*r.Float64(),
		DriftSD:       0.05 + 0.25*r.Float64(),
		HouseSD:       1 + 3*r.Float64(),
		ModeScale:     2 * r.Float64(),
		NonSamplingSD: 1 + 2*r.Float64(),
		Unreported:    0.05,
		JumpSD:        4,
		SharedSD:      poll.DefaultSharedError,
	}
	for i := r.IntN(4); i > 0; i-- {
		s.Jumps = append(s.Jumps, Jump{Day: 30 + r.IntN(s.Days-60), Size: s.JumpSD * r.NormFloat64()})
	}
	return s
}

// Pollster is one simulated pollster.
type Pollster struct {
	Name         string
	Mode         poll.Mode          // every poll of a pollster uses its one mode
	DesignEffect float64            // the real one, near the mode's default
	Lean         map[string]float64 // true total lean (house + mode) per option, centred
	Polls        int                // how many polls it fielded
}

// World is one simulated question: the truth and the polls.
type World struct {
	Scenario  Scenario
	Question  *poll.Question // support, oppose, undecided; the jumps as events
	Polls     []poll.Poll
	Start     poll.Date            // day 0
	Truth     map[string][]float64 // option → true share per day from Start
	Pollsters []Pollster
	// Q is the true random-walk variance per option, points² per day
	// (jumps aside).
	Q map[string]float64
	// TrueVar is, per poll and option, the true variance of its error
	// around truth + lean: sampling on the real effective n plus
	// non-sampling.
	TrueVar []map[string]float64
	// PollDay is each poll's midpoint day (days after Start).
	PollDay []int
	// IndustryBias is this World's shared error on support, points:
	// added to every poll's support (and taken from its oppose), on top
	// of the pollsters' leans, which average zero.
	IndustryBias float64
}

// Generate builds the World of scenario s with random seed seed.
func Generate(seed uint64, s Scenario) *World {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	w := &World{Scenario: s, Start: poll.NewDate(2024, 1, 1)}
	// Its own stream, so that the rest of the World is the same whatever
	// the shared error.
	w.IndustryBias = s.SharedSD * rand.New(rand.NewPCG(seed, 0x5eed5eed)).NormFloat64()
	w.Question = &poll.Question{ID: "sim", Options: []poll.Option{
		{ID: Support, LabelEn: "Support"}, {ID: Oppose, LabelEn: "Oppose"}, {ID: Undecided, LabelEn: "Undecided", Undecided: true}}}
	// Truth.
	T := s.Days + 1
	sup, und, opp := make([]float64, T), make([]float64, T), make([]float64, T)
	sup[0], und[0] = s.Start, s.Undecided
	for t := 1; t < T; t++ {
		sup[t] = sup[t-1] + s.DriftSD*r.NormFloat64()
		for _, j := range s.Jumps {
			if j.Day == t {
				sup[t] += j.Size
			}
		}
		sup[t] = clamp(sup[t], 5, 85)
		und[t] = clamp(und[t-1]+undecidedDriftSD*r.NormFloat64(), 1, 20)
	}
	for t := range opp {
		opp[t] = 100 - sup[t] - und[t]
	}
	w.Q = map[string]float64{
		Support:   s.DriftSD * s.DriftSD,
		Undecided: undecidedDriftSD * undecidedDriftSD,
		Oppose:    s.DriftSD*s.DriftSD + undecidedDriftSD*undecidedDriftSD,
	}
	// Pollsters: one weekly tracker, the rest at lognormal rates.
	modes := []poll.Mode{poll.ModeARS, poll.ModeARS, poll.ModeARS, poll.ModeLive, poll.ModeLive, poll.ModeLive, poll.ModeOnline, poll.ModeMixed}
	rates := make([]float64, s.Pollsters)
	sum := 0.0
	for i := 0; i < s.Pollsters; i++ {
		m := modes[r.IntN(len(modes))]
		if i == 0 {
			m = poll.ModeARS // the tracker, as Realmeter's weekly ARS poll
		}
		de := trueDesignEffect[m] * math.Exp(0.15*r.NormFloat64())
		me := modeEffect[m]
		hs, hu := s.HouseSD*r.NormFloat64(), s.HouseSD/2*r.NormFloat64()
		ls, lu := hs+s.ModeScale*me[0], hu+s.ModeScale*me[1]
		w.Pollsters = append(w.Pollsters, Pollster{Name: fmt.Sprintf("Pollster %02d", i+1), Mode: m, DesignEffect: de,
			Lean: map[string]float64{Support: ls, Undecided: lu, Oppose: -ls - lu}})
		if i > 0 {
			rates[i] = math.Exp(r.NormFloat64())
			sum += rates[i]
		}
	}
	perDay := s.PollsPerWeek / 7
	tracker := 0.0
	if s.Pollsters > 1 {
		tracker = 1.0 / 7
	} else {
		tracker = perDay
	}
	other := math.Max(perDay-tracker, perDay/3)
	sizes := []int{500, 800, 1000, 1000, 1000, 1000, 1000, 1200, 1500, 2000, 3000}
	type fp struct {
		j          int
		start, end int
	}
	var fields []fp
	for start := r.IntN(7); start+2 <= s.Days; start += 7 {
		fields = append(fields, fp{0, start, start + 2 + r.IntN(3)})
	}
	for j := 1; j < s.Pollsters; j++ {
		rate := other * rates[j] / sum
		for t := 0; t < s.Days; t++ {
			// Several polls a day only at rates of one or more (benchmarks).
			whole := math.Floor(rate)
			for k := 0; k < int(whole); k++ {
				fields = append(fields, fp{j, t, t + r.IntN(4)})
			}
			if r.Float64() < rate-whole {
				fields = append(fields, fp{j, t, t + r.IntN(4)})
			}
		}
	}
	// Centre the leans over the pollsters that poll, and move the truth
	// by the same amount so that every poll is unchanged.
	for _, o := range []string{Support, Undecided, Oppose} {
		c, n := 0.0, 0
		seen := map[int]bool{}
		for _, f := range fields {
			if !seen[f.j] {
				seen[f.j] = true
				c += w.Pollsters[f.j].Lean[o]
				n++
			}
		}
		if n == 0 {
			continue
		}
		c /= float64(n)
		for j := range w.Pollsters {
			w.Pollsters[j].Lean[o] -= c
		}
		series := map[string][]float64{Support: sup, Undecided: und, Oppose: opp}[o]
		for t := range series {
			series[t] += c
		}
	}
	w.Truth = map[string][]float64{Support: sup, Undecided: und, Oppose: opp}
	// The question's events: every jump, and half the time a decoy (an
	// event that moved nobody).
	for _, j := range s.Jumps {
		w.Question.Events = append(w.Question.Events, poll.Event{Date: w.Start + poll.Date(j.Day), LabelEn: "event"})
	}
	if r.Float64() < 0.5 {
		w.Question.Events = append(w.Question.Events, poll.Event{Date: w.Start + poll.Date(30+r.IntN(s.Days-60)), LabelEn: "non-event"})
	}
	for _, f := range fields {
		end := min(f.end, s.Days)
		pl := &w.Pollsters[f.j]
		pl.Polls++
		n := sizes[r.IntN(len(sizes))]
		neff := float64(n) / pl.DesignEffect
		// The truth over the field period.
		var ts, tu float64
		for t := f.start; t <= end; t++ {
			ts += sup[t]
			tu += und[t]
		}
		days := float64(end - f.start + 1)
		ts, tu = ts/days+pl.Lean[Support]+w.IndustryBias, tu/days+pl.Lean[Undecided]
		ts, tu = clamp(ts, 0.5, 99), clamp(tu, 0.2, 99)
		to := clamp(100-ts-tu, 0.2, 99)
		es := math.Sqrt(ts*(100-ts)/neff)*r.NormFloat64() + s.NonSamplingSD*r.NormFloat64()
		eu := math.Sqrt(tu*(100-tu)/neff)*r.NormFloat64() + s.NonSamplingSD/2*r.NormFloat64()
		// Multinomial: support and undecided errors are negatively
		// correlated; the normal approximation above ignores that and
		// oppose takes the remainder.
		ys := round1(clamp(ts+es, 0, 100))
		yu := round1(clamp(tu+eu, 0, 100-ys))
		yo := round1(clamp(100-ys-yu, 0, 100))
		res := map[string]float64{Support: ys, Oppose: yo}
		if r.Float64() < 0.7 {
			res[Undecided] = yu
		}
		p := poll.Poll{
			ID:         fmt.Sprintf("sim-%d", len(w.Polls)+1),
			QuestionID: "sim",
			Pollster:   pl.Name,
			Start:      w.Start + poll.Date(f.start),
			End:        w.Start + poll.Date(end),
			SampleSize: n,
			Mode:       pl.Mode,
			Results:    poll.SharesOf(res),
		}
		if r.Float64() < s.Unreported {
			p.SampleSize = 0
		}
		rr := 2 + 3*r.Float64()
		if pl.Mode == poll.ModeLive {
			rr = 8 + 10*r.Float64()
		}
		p.ResponseRate = &rr
		ns2 := s.NonSamplingSD * s.NonSamplingSD
		w.Polls = append(w.Polls, p)
		w.TrueVar = append(w.TrueVar, map[string]float64{
			Support:   ts*(100-ts)/neff + ns2,
			Undecided: tu*(100-tu)/neff + ns2/4,
			Oppose:    to*(100-to)/neff + ns2*1.25,
		})
		w.PollDay = append(w.PollDay, int(p.Midpoint()-w.Start))
	}
	return w
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func round1(v float64) float64 { return math.Round(v*10) / 10 }
