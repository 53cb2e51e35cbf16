package poll

import (
	"math"
	"runtime"
	"sort"
	"sync"
)

// z95 is the normal quantile of a two-sided 95% interval.
const z95 = 1.959963984540054

// Average turns a question's polls into a daily average of every answer
// option with the method and weights of o. Polls may come in any order;
// answers the question lacks are ignored; a poll without a sample size
// counts as o.DefaultSampleSize. Result.Series follows the question's
// option order (without undecided options when o.DropUndecided is set), with
// one Point per day from the first poll's field-period midpoint (or o.From)
// to the last one's (or o.To). Estimates and bands lie in [0, 100], and the
// estimates of one day never sum to more than 100.
//
// Average returns an EINVALID error for invalid options (see
// [Options.Validate]), a nil question, or no poll with a usable answer ("no
// polls to average"). It does not panic and never returns NaN.
func Average(q *Question, polls []Poll, o Options) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, Errorf(EINTERNAL, "averaging failed: %v", r)
		}
	}()
	pr, err := prepare(q, polls, o)
	if err != nil {
		return nil, err
	}
	e := newEngine(pr)
	res = &Result{QuestionID: q.ID, Options: o}
	res.Series = e.series()
	res.HouseEffects, res.ModeEffects = e.effects()
	res.modeGaps = e.allModeGaps()
	res.Weights = e.influence(pr.to)
	return res, nil
}

// Influence returns each poll's weight in the estimate of day under the
// options o: the weight a reader sees beside every poll in the table. The
// weights are averaged over the answer options and sum to 1; they follow
// the order of polls, leaving out polls without a usable answer. For the
// kalman method they are exact (the estimate is Σ weight·poll, house effects
// included), so a poll whose main role is to reveal its pollster's house
// effect can weigh slightly below zero; loess' weights can also dip below
// zero at the ends of the series. For the other methods the house effects
// are held fixed. Errors are those of Average.
func Influence(q *Question, polls []Poll, o Options, day Date) (ws []PollWeight, err error) {
	defer func() {
		if r := recover(); r != nil {
			ws, err = nil, Errorf(EINTERNAL, "influence failed: %v", r)
		}
	}()
	o2 := o
	o2.From, o2.To = nil, nil
	pr, err := prepare(q, polls, o2)
	if err != nil {
		return nil, err
	}
	d := int(day - pr.day0)
	if d < 0 || d >= pr.nDays {
		// Widen the grid to reach day.
		lo, hi := min(day, pr.day0), max(day, pr.day0+Date(pr.nDays-1))
		o2.From, o2.To = &lo, &hi
		if pr, err = prepare(q, polls, o2); err != nil {
			return nil, err
		}
		d = int(day - pr.day0)
	}
	e := newEngine(pr)
	return e.influence(d), nil
}

// engine holds the fits shared by the methods for one call.
type engine struct {
	pr   *prepared
	full []*kfit     // house-and-mode model per option (nil without data)
	est  []*kfit     // kalman's own fit per option (may equal full)
	adj  [][]float64 // per option, per poll: the lean subtracted (nil: none)
	opt  [][]int     // per option: indices of the polls that report it, by t
	ts   [][]float64 // per option: their midpoints
	shr  []float64   // per poll: prior weight after pollster sharing
	// Scratch space per option, so that options run in parallel.
	scratch [][]float64 // loess kernel weights
	counts  [][]int     // weighted: polls per pollster in the window
}

func newEngine(pr *prepared) *engine {
	o := &pr.o
	K := len(pr.opts)
	e := &engine{pr: pr, full: make([]*kfit, K), est: make([]*kfit, K), adj: make([][]float64, K),
		opt: make([][]int, K), ts: make([][]float64, K), scratch: make([][]float64, K), counts: make([][]int, K)}
	for k := range e.counts {
		e.counts[k] = make([]int, len(pr.pollsters))
	}
	fullSpec := kspec{house: true, mode: true}
	estSpec := kspec{house: o.AdjustHouse, mode: o.AdjustHouse || o.AdjustMode}
	for k := range pr.opts {
		n := 0
		for i := range pr.polls {
			if !math.IsNaN(pr.polls[i].y[k]) {
				n++
			}
		}
		e.opt[k], e.ts[k] = make([]int, 0, n), make([]float64, 0, n)
		for i := range pr.polls {
			if !math.IsNaN(pr.polls[i].y[k]) {
				e.opt[k] = append(e.opt[k], i)
				e.ts[k] = append(e.ts[k], pr.polls[i].t)
			}
		}
	}
	// The options are fitted independently: in parallel.
	parallel(K, func(k int) {
		if len(e.opt[k]) == 0 {
			return
		}
		e.full[k] = fitKalman(pr, k, fullSpec)
		if o.Method == MethodKalman {
			if estSpec == fullSpec {
				e.est[k] = e.full[k]
			} else {
				e.est[k] = fitKalman(pr, k, estSpec)
			}
			return
		}
		if o.AdjustHouse || o.AdjustMode {
			f := e.full[k]
			a := make([]float64, len(pr.polls))
			for _, kp := range f.polls {
				if o.AdjustHouse {
					a[kp.i] = f.lean(&kp)
				} else if kp.mc >= 0 {
					a[kp.i] = f.theta[kp.mc]
				}
			}
			e.adj[k] = a
		}
	})
	if o.Method == MethodLoess || o.Method == MethodWeighted {
		e.shr = e.shares()
	}
	return e
}

// parallel calls fn(0) … fn(n-1) on up to GOMAXPROCS goroutines and waits.
// A panic in fn is re-raised in the caller, where Average recovers it.
func parallel(n int, fn func(int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for k := 0; k < n; k++ {
			fn(k)
		}
		return
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
		perr any
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					mu.Lock()
					perr = r
					mu.Unlock()
				}
			}()
			for {
				mu.Lock()
				k := next
				next++
				mu.Unlock()
				if k >= n {
					return
				}
				fn(k)
			}
		}()
	}
	wg.Wait()
	if perr != nil {
		panic(perr)
	}
}

// shares returns each poll's prior weight divided, when SharePollster is
// set, by the number of its pollster's polls within Window days of it.
func (e *engine) shares() []float64 {
	pr := e.pr
	out := make([]float64, len(pr.polls))
	byP := make([][]int, len(pr.pollsters))
	for i := range pr.polls {
		byP[pr.polls[i].pollster] = append(byP[pr.polls[i].pollster], i)
	}
	W := float64(pr.o.Window)
	for _, idx := range byP {
		lo, hi := 0, 0
		for _, i := range idx {
			t := pr.polls[i].t
			for pr.polls[idx[lo]].t < t-W {
				lo++
			}
			for hi < len(idx) && pr.polls[idx[hi]].t <= t+W {
				hi++
			}
			out[i] = pr.polls[i].base
			if pr.o.SharePollster {
				out[i] /= float64(hi - lo)
			}
		}
	}
	return out
}

// iw is one poll's normalised weight in a linear average.
type iw struct {
	i int // index into prepared.polls
	w float64
}

// weightsAt returns the normalised weights of the polls reporting option k
// in the estimate of grid day d, for the linear methods.
func (e *engine) weightsAt(k, d int, buf []iw) []iw {
	switch e.pr.o.Method {
	case MethodLatest:
		return e.latestAt(k, d, buf)
	case MethodWeighted:
		return e.weightedAt(k, d, buf)
	default:
		return e.loessAt(k, d, buf)
	}
}

// optSeries is one option's daily estimate over the output days.
type optSeries struct {
	est, v, neff []float64
}

// series computes every option's series and turns them into AnswerSeries.
func (e *engine) series() []AnswerSeries {
	pr := e.pr
	n := pr.to - pr.from + 1
	raw := make([]*optSeries, len(pr.opts))
	parallel(len(pr.opts), func(k int) {
		if e.full[k] == nil {
			return
		}
		s := &optSeries{est: make([]float64, n), v: make([]float64, n), neff: make([]float64, n)}
		if pr.o.Method == MethodKalman {
			e.kalmanSeries(k, s)
		} else {
			e.linearSeries(k, s)
		}
		raw[k] = s
	})
	return e.assemble(raw)
}

// kalmanSeries copies the kalman fit of option k to s.
func (e *engine) kalmanSeries(k int, s *optSeries) {
	pr, f := e.pr, e.est[k]
	neff := kishRW(f.H, f.e2, f.q, f.qx)
	var extra []float64
	if !pr.o.AdjustHouse {
		extra = e.unadjustedLeanVar(k, f)
	}
	for d := pr.from; d <= pr.to; d++ {
		x := d - pr.from
		s.est[x] = f.mu[d]
		s.v[x] = f.v[d]
		if extra != nil {
			s.v[x] += extra[d]
		}
		s.neff[x] = neff[d]
	}
}

// linearSeries evaluates a linear method (latest, weighted, loess) for
// option k on every output day.
func (e *engine) linearSeries(k int, s *optSeries) {
	pr := e.pr
	f := e.full[k]
	J, M := len(pr.pollsters), len(pr.modes)
	wj, wm := make([]float64, J), make([]float64, M)
	var buf []iw
	stride := e.loessStride(k)
	for d := pr.from; d <= pr.to; d++ {
		x := d - pr.from
		if stride > 1 && x%stride != 0 && d != pr.to {
			continue // filled in between the fitted days below
		}
		buf = e.weightsAt(k, d, buf[:0])
		est := 0.0
		for _, w := range buf {
			y := pr.polls[w.i].y[k]
			if e.adj[k] != nil {
				y -= e.adj[k][w.i]
			}
			est += w.w * y
		}
		p := clamp(est, 0, 100)
		sum, sq, drift, samp := 0.0, 0.0, 0.0, 0.0
		clear(wj)
		clear(wm)
		for _, w := range buf {
			pl := &pr.polls[w.i]
			sum += w.w
			sq += w.w * w.w
			samp += w.w * w.w * (binomVar(p, pl.neff) + f.ns2)
			drift += math.Abs(w.w) * math.Sqrt(math.Abs(pl.t-float64(d)))
			wj[pl.pollster] += w.w
			wm[pl.mode] += w.w
		}
		s.est[x] = est
		s.v[x] = samp + f.q*drift*drift + f.leanVar(wj, wm, pr.o.AdjustHouse, pr.o.AdjustMode)
		if sq > 0 {
			s.neff[x] = sum * sum / sq
		}
	}
	if stride > 1 {
		interpolate(s, stride)
	}
}

// loessBudget bounds the work of one answer's loess series, in poll
// visits (days fitted × polls in a neighbourhood). Past it, loess fits
// every stride-th day exactly and interpolates between them, as R's loess
// does by default (surface = "interpolate"); below it, which covers every
// question of fewer than about 25,000 polls over five years, every day is
// fitted exactly (surface = "direct"). BENCHMARKS.md gives the cost and
// TestLoess_Interpolated the error.
var loessBudget = 6e6

// loessStride returns every how many days loess fits option k exactly: 1
// for the other methods and for series within loessBudget.
func (e *engine) loessStride(k int) int {
	pr := e.pr
	if pr.o.Method != MethodLoess {
		return 1
	}
	n := float64(len(e.ts[k]))
	q := math.Max(n*math.Max(pr.o.Span, loessMinPolls/n), 1)
	days := float64(pr.to - pr.from + 1)
	return max(1, int(math.Ceil(days*q/loessBudget)))
}

// interpolate fills the days between the fitted ones (every stride-th
// output day, and the last): the estimate by cubic Hermite interpolation
// with Catmull-Rom tangents, the variance and n_eff linearly.
func interpolate(s *optSeries, stride int) {
	n := len(s.est)
	var knots []int
	for x := 0; x < n; x += stride {
		knots = append(knots, x)
	}
	if knots[len(knots)-1] != n-1 {
		knots = append(knots, n-1)
	}
	tangent := func(i int) float64 { // slope per day at knot i
		a, b := max(i-1, 0), min(i+1, len(knots)-1)
		return (s.est[knots[b]] - s.est[knots[a]]) / float64(knots[b]-knots[a])
	}
	for i := 0; i+1 < len(knots); i++ {
		x0, x1 := knots[i], knots[i+1]
		h := float64(x1 - x0)
		m0, m1 := tangent(i)*h, tangent(i+1)*h
		for x := x0 + 1; x < x1; x++ {
			t := float64(x-x0) / h
			t2, t3 := t*t, t*t*t
			s.est[x] = (2*t3-3*t2+1)*s.est[x0] + (t3-2*t2+t)*m0 + (-2*t3+3*t2)*s.est[x1] + (t3-t2)*m1
			s.v[x] = (1-t)*s.v[x0] + t*s.v[x1]
			s.neff[x] = (1-t)*s.neff[x0] + t*s.neff[x1]
		}
	}
}

// assemble turns per-option series into AnswerSeries: it fits each day's
// answers so they stay coherent (see coherent), adds the shared error to
// the band and the new-poll range around it, and removes any NaN.
func (e *engine) assemble(raw []*optSeries) []AnswerSeries {
	pr := e.pr
	n := pr.to - pr.from + 1
	out := make([]AnswerSeries, len(pr.opts))
	complete := true
	for k, opt := range pr.opts {
		out[k] = AnswerSeries{Option: opt.ID, Points: []Point{}}
		if raw[k] == nil {
			complete = false
			continue
		}
		out[k].Points = make([]Point, n)
	}
	shared := pr.o.SharedError * pr.o.SharedError
	// Answers reported by no poll are left out of the day's fit.
	var live []int
	for k := range raw {
		if raw[k] != nil {
			live = append(live, k)
		}
	}
	est := make([]float64, len(live))
	vs := make([]float64, len(live))
	fit := make([]float64, len(live))
	exact := pr.o.DropUndecided && complete
	for x := 0; x < n; x++ {
		for i, k := range live {
			s := raw[k]
			est[i] = nanTo(s.est[x], 0)
			v := nanTo(s.v[x], 0)
			if v < 0 || math.IsInf(v, 0) {
				v = 0
			}
			vs[i] = v
		}
		coherent(est, vs, exact, fit)
		for i, k := range live {
			s := raw[k]
			p, v := fit[i], vs[i]
			se := math.Sqrt(v + shared)
			pse := math.Sqrt(v + e.pollVar(k, p))
			out[k].Points[x] = Point{
				Date:      pr.day0 + Date(pr.from+x),
				Estimate:  p,
				Lower:     clamp(p-z95*se, 0, p),
				Upper:     clamp(p+z95*se, p, 100),
				PollLower: clamp(p-z95*pse, 0, p),
				PollUpper: clamp(p+z95*pse, p, 100),
				NEff:      math.Max(nanTo(s.neff[x], 0), 0),
			}
		}
	}
	return out
}

// coherent fits one day's answers to shares that can be true together:
// each within 0-100 and together at most 100 (exactly 100 when exact, the
// decided answers once undecided is dropped). It writes to fit the
// coherent shares nearest to est in the metric of the estimates'
// variances, Σ (fit_k − est_k)² / v_k, so that the answers known least
// precisely absorb most of the correction. The solution is
// fit_k = clamp(est_k − λ·v_k, 0, 100) for the λ that meets the sum
// (λ = 0 when the clamped estimates already fit), found by bisection.
func coherent(est, v []float64, exact bool, fit []float64) {
	K := len(est)
	if K == 0 {
		return
	}
	// Weights: the variances, floored so that an answer with no variance
	// still moves (and all move alike when every variance is zero).
	w := make([]float64, K)
	maxV := 0.0
	for _, x := range v {
		maxV = math.Max(maxV, x)
	}
	floor := math.Max(maxV*1e-6, 1e-9)
	for k := range w {
		w[k] = math.Max(v[k], floor)
	}
	at := func(lambda float64) float64 {
		sum := 0.0
		for k := range est {
			fit[k] = clamp(est[k]-lambda*w[k], 0, 100)
			sum += fit[k]
		}
		return sum
	}
	sum := at(0)
	if sum <= 100 && !exact || sum == 100 {
		return
	}
	if exact && sum == 0 {
		return // nothing to rescale: no answer has any share
	}
	// Σ fit(λ) falls as λ grows; bracket the λ where it crosses 100.
	lo, hi := 0.0, 0.0
	for k := range est {
		lo = math.Min(lo, (est[k]-100)/w[k])
		hi = math.Max(hi, est[k]/w[k])
	}
	for range 200 {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if at(mid) > 100 {
			lo = mid
		} else {
			hi = mid
		}
	}
	at(hi)
}

// pollVar is the variance of a new poll of typical size around a true
// share p: sampling, non-sampling and house-and-mode spread.
func (e *engine) pollVar(k int, p float64) float64 {
	f := e.full[k]
	return binomVar(p, e.pr.nTyp) + f.ns2 + f.spread()
}

func nanTo(v, alt float64) float64 {
	if math.IsNaN(v) {
		return alt
	}
	return v
}

// influence returns every usable poll's weight on grid day d, averaged over
// the options that poll reports, in the caller's order.
func (e *engine) influence(d int) []PollWeight {
	pr := e.pr
	sum := make([]float64, len(pr.polls))
	cnt := make([]int, len(pr.polls))
	var buf []iw
	for k := range pr.opts {
		if e.full[k] == nil {
			continue
		}
		if pr.o.Method == MethodKalman {
			f := e.est[k]
			for j, w := range f.influence(d) {
				i := f.polls[j].i
				sum[i] += w
				cnt[i]++
			}
			continue
		}
		for _, i := range e.opt[k] {
			cnt[i]++
		}
		buf = e.weightsAt(k, d, buf[:0])
		for _, w := range buf {
			sum[w.i] += w.w
		}
	}
	nOpts := 0
	for k := range pr.opts {
		if e.full[k] != nil {
			nOpts++
		}
	}
	out := make([]PollWeight, 0, len(pr.polls))
	order := make([]int, len(pr.polls))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return pr.polls[order[a]].src < pr.polls[order[b]].src })
	for _, i := range order {
		w := 0.0
		if cnt[i] > 0 {
			// A poll missing some options counts 0 in those.
			w = sum[i] / float64(nOpts)
		}
		out = append(out, PollWeight{PollID: pr.polls[i].id, Weight: nanTo(w, 0)})
	}
	return out
}
