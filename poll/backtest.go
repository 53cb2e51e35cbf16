package poll

import (
	"math"
	"sort"
	"strings"
)

// Backtests score the averages against results, the way FiveThirtyEight
// and the Economist published theirs: for every question with a result,
// each method's estimate for the last day before the result, from only the
// polls that ended before it, with whatever pollagg learns from results
// (the shared error, the pollster ratings) learned only from results dated
// before it. Nothing is learned from the future.

// MinLearnedResults is how many earlier results the shared error is
// learned from before it replaces DefaultSharedErrorModel: with fewer, one
// odd year would set every band.
const MinLearnedResults = 20

// Baseline methods a backtest scores beside the averaging methods.
const (
	// BaselineMean is the plain mean of the polls.
	BaselineMean = "mean"
	// BaselineRecent is the plain mean of the polls that ended in the
	// last RecentDays days.
	BaselineRecent = "mean-21d"
	// RecentDays is BaselineRecent's window.
	RecentDays = 21
)

// BacktestOptions chooses what a backtest scores.
type BacktestOptions struct {
	// Methods to score (all when empty); the baselines are always scored.
	Methods []Method
	// Base supplies every other option (DefaultOptions when nil); Method,
	// SharedError, To and the ratings are set per question.
	Base *Options
	// NoRatings scores the methods without pollster ratings.
	NoRatings bool
	// Variants adds each method's band without shared error
	// ("kalman/shared_error=0") and, unless NoRatings, the default method
	// without ratings ("kalman/ratings=off").
	Variants bool
	// MinPolls skips questions with fewer polls before their result.
	MinPolls int
}

// BacktestRow is one question's estimate of one answer by one method.
type BacktestRow struct {
	QuestionID string
	ResultDate Date
	Answer     string
	// Method is a method, a baseline, or a variant "METHOD/shared_error=0"
	// or "METHOD/ratings=off".
	Method      string
	Estimate    float64
	Lower       float64
	Upper       float64
	Actual      float64
	Covered     bool
	SharedError float64 // the shared error in the band, points
	Ratings     bool    // whether pollster ratings fed the estimate
	Polls       int     // polls that ended before the result
	Pollsters   int     // their pollsters
}

// MethodScore sums up one method's rows, on each question's first answer
// (with two answers the other is its mirror image).
type MethodScore struct {
	Method    string  `json:"method"`
	Questions int     `json:"questions"`
	MAE       float64 `json:"mae"`
	Bias      float64 `json:"bias"` // mean of estimate − result
	RMSE      float64 `json:"rmse"`
	Coverage  float64 `json:"coverage"`   // share of results inside the 95% band
	Width     float64 `json:"mean_width"` // mean band width, points
	// IntervalScore is the mean interval score of the 95% band
	// (Gneiting & Raftery 2007): width + (2/α)·distance outside, α = 0.05.
	// Lower is better; it rewards narrow bands and punishes misses.
	IntervalScore float64 `json:"interval_score"`
}

// BacktestReport is a backtest's every row and its scores, in the order
// methods, variants, baselines.
type BacktestReport struct {
	Rows   []BacktestRow
	Scores []MethodScore
	// SharedError is each method's shared-error model learned from all
	// the results (what Calibrate stores).
	SharedError map[Method]SharedErrorModel
}

// IntervalScore returns the interval score of the band [lo, hi] for the
// value y at level 1 − alpha.
func IntervalScore(lo, hi, y, alpha float64) float64 {
	s := hi - lo
	if y < lo {
		s += 2 / alpha * (lo - y)
	} else if y > hi {
		s += 2 / alpha * (y - hi)
	}
	return s
}

// btMiss is one scored question's miss on its first answer, the variance
// of its average's own band and its number of pollsters: what
// LearnSharedError learns from.
type btMiss struct {
	e, v float64
	j    int
}

// Backtest scores the methods on cases in the order of their result dates.
// For the questions of one result date it learns the pollster ratings from
// the cases dated before it (RatePollsters) and each method's shared-error
// model from those cases' misses (LearnSharedError, once MinLearnedResults
// are known; DefaultSharedErrorModel before), then averages each
// question's polls up to the day before its result.
func Backtest(cases []ResultCase, bo BacktestOptions) *BacktestReport {
	methods := bo.Methods
	if len(methods) == 0 {
		methods = Methods
	}
	base := DefaultOptions()
	if bo.Base != nil {
		base = *bo.Base
	}
	order := make([]int, len(cases))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ca, cb := &cases[order[a]], &cases[order[b]]
		if ca.Outcome.Date != cb.Outcome.Date {
			return ca.Outcome.Date < cb.Outcome.Date
		}
		return ca.Question.ID < cb.Question.ID
	})
	history := map[Method][]btMiss{}
	rep := &BacktestReport{SharedError: map[Method]SharedErrorModel{}}
	perCase := make([][]BacktestRow, len(cases))
	for lo := 0; lo < len(order); {
		d := cases[order[lo]].Outcome.Date
		hi := lo
		for hi < len(order) && cases[order[hi]].Outcome.Date == d {
			hi++
		}
		// What is known before d: earlier results only.
		var cal *Calibration
		if lo > 0 && !bo.NoRatings {
			prior := make([]ResultCase, lo)
			for i := 0; i < lo; i++ {
				prior[i] = cases[order[i]]
			}
			rs, model := RatePollsters(prior)
			cal = &Calibration{Ratings: rs, Model: model}
		}
		shared := map[Method]SharedErrorModel{}
		for _, m := range methods {
			shared[m] = learnFrom(history[m])
		}
		group := order[lo:hi]
		misses := make([]map[Method]btMiss, len(group))
		parallel(len(group), func(g int) {
			i := group[g]
			perCase[i], misses[g] = scoreCase(&cases[i], methods, base, cal, shared, bo)
		})
		for _, ms := range misses {
			for _, m := range methods {
				if x, ok := ms[m]; ok {
					history[m] = append(history[m], x)
				}
			}
		}
		lo = hi
	}
	for _, m := range methods {
		rep.SharedError[m] = learnFrom(history[m])
	}
	for _, i := range order {
		rep.Rows = append(rep.Rows, perCase[i]...)
	}
	rep.Scores = scoreRows(rep.Rows)
	return rep
}

func learnFrom(h []btMiss) SharedErrorModel {
	e, v, j := make([]float64, len(h)), make([]float64, len(h)), make([]int, len(h))
	for i, x := range h {
		e[i], v[i], j[i] = x.e, x.v, x.j
	}
	return LearnSharedError(e, v, j)
}

// scoreCase scores one question: every method (and variant) and the
// baselines. It returns the rows and each method's miss on the first
// answer.
func scoreCase(c *ResultCase, methods []Method, base Options, cal *Calibration, shared map[Method]SharedErrorModel, bo BacktestOptions) ([]BacktestRow, map[Method]btMiss) {
	q := c.Question
	answers := outcomeAnswers(q, &c.Outcome)
	if len(answers) < 2 || len(c.Polls) == 0 || len(c.Polls) < bo.MinPolls {
		return nil, nil
	}
	d := c.Outcome.Date
	to := d - 1
	J := CountPollsters(c.Polls)
	truth := map[string]float64{}
	tsum := 0.0
	for _, a := range answers {
		tsum += c.Outcome.Shares[a]
	}
	for _, a := range answers {
		truth[a] = c.Outcome.Shares[a] * 100 / tsum
	}
	// An undecided option the result does not have is dropped and the
	// rest renormalised, so the average estimates what the result measures.
	drop := false
	for _, opt := range q.Options {
		if _, ok := c.Outcome.Shares[opt.ID]; !ok && opt.Undecided {
			drop = true
		}
	}
	var rows []BacktestRow
	misses := map[Method]btMiss{}
	row := func(a, method string, est, v, s float64, ratings bool) BacktestRow {
		se := math.Sqrt(v + s*s)
		lo, hi := clamp(est-z95*se, 0, est), clamp(est+z95*se, est, 100)
		y := truth[a]
		return BacktestRow{QuestionID: q.ID, ResultDate: d, Answer: a, Method: method, Estimate: est, Lower: lo, Upper: hi,
			Actual: y, Covered: lo <= y && y <= hi, SharedError: s, Ratings: ratings, Polls: len(c.Polls), Pollsters: J}
	}
	run := func(m Method, withRatings bool) (map[string][2]float64, bool) {
		o := base
		o.Method, o.SharedError, o.To, o.From = m, 0, &to, nil
		o.DropUndecided = o.DropUndecided || drop
		if withRatings {
			cal.Apply(&o, q)
		}
		res, err := Average(q, c.Polls, o)
		if err != nil {
			return nil, false
		}
		out := map[string][2]float64{}
		for _, s := range res.Series {
			if len(s.Points) == 0 {
				continue
			}
			p := s.Points[len(s.Points)-1]
			hw := math.Max(p.Estimate-p.Lower, p.Upper-p.Estimate) / z95
			out[s.Option] = [2]float64{p.Estimate, hw * hw}
		}
		for _, a := range answers {
			if _, ok := out[a]; !ok {
				return nil, false
			}
		}
		return out, true
	}
	ratings := cal != nil && !bo.NoRatings
	for _, m := range methods {
		est, ok := run(m, ratings)
		if !ok {
			continue
		}
		for _, a := range answers {
			rows = append(rows, row(a, string(m), est[a][0], est[a][1], shared[m].For(J), ratings))
		}
		misses[m] = btMiss{e: est[answers[0]][0] - truth[answers[0]], v: est[answers[0]][1], j: J}
		if bo.Variants {
			for _, a := range answers {
				rows = append(rows, row(a, string(m)+"/shared_error=0", est[a][0], est[a][1], 0, ratings))
			}
		}
		if bo.Variants && !bo.NoRatings && m == DefaultMethod {
			plain, ok := run(m, false)
			if !ok {
				continue
			}
			for _, a := range answers {
				rows = append(rows, row(a, string(m)+"/ratings=off", plain[a][0], plain[a][1], shared[m].For(J), false))
			}
		}
	}
	// The baselines: plain means with the margin of error of their pooled
	// sample, the band a naive average reports.
	for _, bl := range []string{BaselineMean, BaselineRecent} {
		sum := make([]float64, len(answers))
		n, size := 0, 0.0
		for i := range c.Polls {
			p := &c.Polls[i]
			if bl == BaselineRecent && p.End < d-RecentDays {
				continue
			}
			ys, ok := pollShares(p, answers)
			if !ok {
				continue
			}
			for k := range ys {
				sum[k] += ys[k]
			}
			n++
			ss := float64(p.SampleSize)
			if ss <= 0 {
				ss = float64(base.DefaultSampleSize)
			}
			size += ss
		}
		if n == 0 {
			continue
		}
		for k, a := range answers {
			est := sum[k] / float64(n)
			pp := clamp(est, 0.5, 99.5)
			rows = append(rows, row(a, bl, est, pp*(100-pp)/size, 0, false))
		}
	}
	return rows, misses
}

// scoreRows sums up rows per method on each question's first answer, in
// the order methods first appear.
func scoreRows(rows []BacktestRow) []MethodScore {
	idx := map[string]int{}
	var out []MethodScore
	var sq []float64
	first := map[[2]string]bool{}
	for _, r := range rows {
		k := [2]string{r.QuestionID, r.Method}
		if first[k] {
			continue
		}
		first[k] = true
		i, ok := idx[r.Method]
		if !ok {
			i = len(out)
			idx[r.Method] = i
			out = append(out, MethodScore{Method: r.Method})
			sq = append(sq, 0)
		}
		s := &out[i]
		e := r.Estimate - r.Actual
		s.Questions++
		s.MAE += math.Abs(e)
		s.Bias += e
		sq[i] += e * e
		if r.Covered {
			s.Coverage++
		}
		s.Width += r.Upper - r.Lower
		s.IntervalScore += IntervalScore(r.Lower, r.Upper, r.Actual, 0.05)
	}
	for i := range out {
		s := &out[i]
		n := float64(s.Questions)
		s.MAE /= n
		s.Bias /= n
		s.RMSE = math.Sqrt(sq[i] / n)
		s.Coverage /= n
		s.Width /= n
		s.IntervalScore /= n
	}
	// methods first, then variants, then baselines
	rank := func(m string) int {
		switch {
		case m == BaselineMean || m == BaselineRecent:
			return 2
		case strings.Contains(m, "/"):
			return 1
		}
		return 0
	}
	sort.SliceStable(out, func(a, b int) bool { return rank(out[a].Method) < rank(out[b].Method) })
	return out
}

// Calibrate learns the shared error of every method and the pollster
// ratings from cases (questions with results): the shared error from the
// misses of a full backtest (each average computed with only what was
// known before its result, so the misses are honest), the ratings from
// every result.
func Calibrate(cases []ResultCase) *Calibration {
	rep := Backtest(cases, BacktestOptions{})
	rs, model := RatePollsters(cases)
	c := &Calibration{SharedError: rep.SharedError, Ratings: rs, Model: model}
	for i := range cases {
		c.Questions++
		c.Polls += len(cases[i].Polls)
		c.LastResult = max(c.LastResult, cases[i].Outcome.Date)
	}
	sort.Slice(c.Ratings, func(a, b int) bool { return pollsterKey(c.Ratings[a].Pollster) < pollsterKey(c.Ratings[b].Pollster) })
	return c
}
