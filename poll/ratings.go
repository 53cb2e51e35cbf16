package poll

import (
	"math"
	"sort"
)

// Pollster ratings. Every poll of a question with a result misses it by
//
//	e_i = y_i − result = b_r + h_j + ε_i,   ε_i ~ N(0, s_i + σ²)
//
// on each answer, where b_r ~ N(0, ω²) is the miss the polls of race r
// share (the industry's error there), h_j ~ N(0, τ²) is pollster j's bias
// relative to the others, s_i = y(100 − y)/n is the poll's sampling
// variance and σ² the error beyond sampling of a typical poll. b and h are
// estimated jointly by backfitting their posterior means, and ω², τ², σ²
// by EM, so a pollster with few polls gets a bias shrunk toward zero in
// proportion to how little its polls say (a one-poll pollster's bias is
// about τ²/(τ² + s + σ²) of its raw miss). Its excess error compares its
// polls' absolute residuals (after b and h) with a typical poll's, shrunk
// toward zero across pollsters (see excess).

// ratingIters bounds the backfitting rounds; the fit converges in far fewer.
const ratingIters = 200

// minExcessVar is the least between-pollster variance of excess absolute
// error (points²) the shrinkage assumes, so that a method-of-moments estimate of
// zero does not claim every pollster is exactly average.
const minExcessVar = 0.01

// ratingObs is one poll's miss on one answer.
type ratingObs struct {
	race, pollster int
	e, s           float64 // miss and sampling variance
	first          bool    // on the question's first answer (one per poll)
}

// pollShares returns a poll's shares of the outcome's answers, rescaled to
// sum to 100 over them, and false when the poll misses any of them.
func pollShares(p *Poll, answers []string) ([]float64, bool) {
	ys := make([]float64, len(answers))
	sum := 0.0
	for k, a := range answers {
		v, ok := p.Results.Get(a)
		if !ok || math.IsNaN(v) || v < 0 {
			return nil, false
		}
		ys[k] = v
		sum += v
	}
	if !(sum > 0) {
		return nil, false
	}
	for k := range ys {
		ys[k] *= 100 / sum
	}
	return ys, true
}

// outcomeAnswers returns the outcome's answers in the question's option
// order (answers the question lacks are left out).
func outcomeAnswers(q *Question, o *Outcome) []string {
	var out []string
	for _, opt := range q.Options {
		if _, ok := o.Shares[opt.ID]; ok {
			out = append(out, opt.ID)
		}
	}
	return out
}

// RatePollsters rates every pollster with a poll of one of cases against
// the results, as described above. Polls without a sample size count as
// DefaultOptions' DefaultSampleSize; a poll that does not report every
// answer of its question's result is left out.
func RatePollsters(cases []ResultCase) ([]Rating, RatingModel) {
	names := map[string]int{}
	var display []string
	byAnswer := map[string][]ratingObs{}
	var answerOrder []string
	type record struct {
		races  map[int]bool
		polls  int
		absSum float64
	}
	var recs []record
	defN := float64(DefaultOptions().DefaultSampleSize)
	for r := range cases {
		c := &cases[r]
		answers := outcomeAnswers(c.Question, &c.Outcome)
		if len(answers) < 2 {
			continue
		}
		truth := make([]float64, len(answers))
		tsum := 0.0
		for k, a := range answers {
			truth[k] = c.Outcome.Shares[a]
			tsum += truth[k]
		}
		for k := range truth {
			truth[k] *= 100 / tsum
		}
		for i := range c.Polls {
			p := &c.Polls[i]
			ys, ok := pollShares(p, answers)
			if !ok {
				continue
			}
			key := pollsterKey(p.Pollster)
			j, ok := names[key]
			if !ok {
				j = len(display)
				names[key] = j
				display = append(display, p.Pollster)
				recs = append(recs, record{races: map[int]bool{}})
			}
			n := float64(p.SampleSize)
			if n <= 0 {
				n = defN
			}
			recs[j].races[r] = true
			recs[j].polls++
			recs[j].absSum += math.Abs(ys[0] - truth[0])
			for k, a := range answers {
				if _, seen := byAnswer[a]; !seen {
					answerOrder = append(answerOrder, a)
				}
				y := clamp(ys[k], 0.5, 99.5)
				byAnswer[a] = append(byAnswer[a], ratingObs{race: r, pollster: j, e: ys[k] - truth[k], s: y * (100 - y) / n, first: k == 0})
			}
		}
	}
	J := len(display)
	out := make([]Rating, J)
	for j := range out {
		out[j] = Rating{Pollster: display[j], Questions: len(recs[j].races), Polls: recs[j].polls,
			MeanAbsError: recs[j].absSum / float64(max(recs[j].polls, 1)), Weight: 1, Bias: []AnswerBias{}}
	}
	var model RatingModel
	// The excess error comes from each poll's first answer only: with two
	// answers the second is the first's mirror image.
	var firstObs []ratingObs
	var firstRes []float64
	most := 0
	sort.Strings(answerOrder)
	for _, a := range answerOrder {
		obs := byAnswer[a]
		fit := fitMisses(obs, len(cases), J)
		for j := range out {
			if fit.count[j] > 0 {
				out[j].Bias = append(out[j].Bias, AnswerBias{Answer: a, Bias: fit.h[j], SE: math.Sqrt(fit.vh[j]), Polls: fit.count[j]})
			}
		}
		for i, o := range obs {
			if o.first {
				firstObs = append(firstObs, o)
				firstRes = append(firstRes, fit.resid[i])
			}
		}
		if fit.n > most { // the model of the answer with the most polls
			most = fit.n
			model = RatingModel{RaceSD: math.Sqrt(fit.omega2), PollsterSD: math.Sqrt(fit.tau2), PollSD: math.Sqrt(fit.sigma2)}
		}
	}
	excess(out, firstObs, firstRes, model.PollSD*model.PollSD)
	return out, model
}

// missFit is the fitted race and pollster effects of one answer.
type missFit struct {
	n                    int
	h, vh                []float64 // per pollster: bias and its posterior variance
	count                []int     // per pollster: observations
	resid                []float64 // per observation: e − b − h
	omega2, tau2, sigma2 float64
}

// fitMisses fits e_i = b_r + h_j + ε_i by backfitting with EM updates of
// the variance components.
func fitMisses(obs []ratingObs, R, J int) *missFit {
	f := &missFit{n: len(obs), h: make([]float64, J), vh: make([]float64, J), count: make([]int, J), resid: make([]float64, len(obs))}
	if len(obs) == 0 {
		return f
	}
	b, vb := make([]float64, R), make([]float64, R)
	inR := make([]bool, R)
	for _, o := range obs {
		f.count[o.pollster]++
		inR[o.race] = true
	}
	omega2, tau2, sigma2 := 4.0, 1.0, 2.0
	num, den := make([]float64, max(R, J)), make([]float64, max(R, J))
	for it := 0; it < ratingIters; it++ {
		clear(num)
		clear(den)
		for _, o := range obs {
			v := o.s + sigma2
			num[o.race] += (o.e - f.h[o.pollster]) / v
			den[o.race] += 1 / v
		}
		for r := range b {
			if inR[r] {
				d := den[r] + 1/omega2
				b[r], vb[r] = num[r]/d, 1/d
			}
		}
		clear(num)
		clear(den)
		for _, o := range obs {
			v := o.s + sigma2
			num[o.pollster] += (o.e - b[o.race]) / v
			den[o.pollster] += 1 / v
		}
		for j := range f.h {
			if f.count[j] > 0 {
				d := den[j] + 1/tau2
				f.h[j], f.vh[j] = num[j]/d, 1/d
			}
		}
		// EM updates of the variance components.
		so, nr := 0.0, 0
		for r := range b {
			if inR[r] {
				so += b[r]*b[r] + vb[r]
				nr++
			}
		}
		st, nj := 0.0, 0
		for j := range f.h {
			if f.count[j] > 0 {
				st += f.h[j]*f.h[j] + f.vh[j]
				nj++
			}
		}
		ss := 0.0
		for _, o := range obs {
			r := o.e - b[o.race] - f.h[o.pollster]
			ss += r*r + vb[o.race] + f.vh[o.pollster] - o.s
		}
		nOmega := math.Max(so/float64(nr), 0.01)
		nTau := math.Max(st/float64(nj), 0.01)
		nSigma := math.Max(ss/float64(len(obs)), 0.1)
		done := math.Abs(nOmega-omega2) < 1e-6*omega2 && math.Abs(nTau-tau2) < 1e-6*tau2 && math.Abs(nSigma-sigma2) < 1e-6*sigma2
		omega2, tau2, sigma2 = nOmega, nTau, nSigma
		if done && it > 2 {
			break
		}
	}
	for i, o := range obs {
		f.resid[i] = o.e - b[o.race] - f.h[o.pollster]
	}
	f.omega2, f.tau2, f.sigma2 = omega2, tau2, sigma2
	return f
}

// excess sets each rating's excess error and weight from the residuals
// r_i of the polls' first answers, the way FiveThirtyEight's plus-minus
// compares absolute errors: a_i = |r_i| − E|r_i| with E|r_i| =
// √(2/π)·√(s_i + σ²), the absolute error a typical poll of its size would
// have, centred on the mean over all polls. A pollster's mean a is shrunk
// toward zero by the between-pollster variance (DerSimonian–Laird's
// moment estimate, floored at minExcessVar) and turned into points of
// standard deviation (× √(π/2)). Only polls in races of two polls or more
// count (in a one-poll race the race's miss absorbs the poll's own error);
// a pollster with none keeps an excess error of 0 and a weight of 1.
func excess(out []Rating, obs []ratingObs, res []float64, sigma2 float64) {
	J := len(out)
	perRace := map[int]int{}
	for _, o := range obs {
		perRace[o.race]++
	}
	var as, svs []float64
	var who []int
	mean := 0.0
	for i, o := range obs {
		if perRace[o.race] < 2 {
			continue
		}
		a := math.Abs(res[i]) - math.Sqrt(2/math.Pi)*math.Sqrt(o.s+sigma2)
		as = append(as, a)
		who = append(who, o.pollster)
		svs = append(svs, o.s)
		mean += a
	}
	if len(as) < 2 {
		return
	}
	mean /= float64(len(as))
	sum, cnt := make([]float64, J), make([]int, J)
	va := 0.0
	for i, a := range as {
		a -= mean
		sum[who[i]] += a
		cnt[who[i]]++
		va += a * a
	}
	va /= float64(len(as) - 1)
	// DerSimonian–Laird: Q = Σ w_j m_j² over pollsters with w_j = n_j/va.
	q, sw, sw2, nj := 0.0, 0.0, 0.0, 0
	for j := range out {
		if cnt[j] == 0 {
			continue
		}
		m := sum[j] / float64(cnt[j])
		w := float64(cnt[j]) / va
		q += w * m * m
		sw += w
		sw2 += w * w
		nj++
	}
	A := minExcessVar
	if d := sw - sw2/sw; d > 0 {
		A = math.Max((q-float64(nj-1))/d, minExcessVar)
	}
	sort.Float64s(svs)
	typSD := math.Sqrt(svs[len(svs)/2] + sigma2)
	for j := range out {
		if cnt[j] == 0 {
			continue
		}
		raw := sum[j] / float64(cnt[j])
		se2 := va / float64(cnt[j])
		x := raw * A / (A + se2)
		post := math.Sqrt(A * se2 / (A + se2))
		out[j].ExcessError = x * math.Sqrt(math.Pi/2)
		out[j].ExcessErrorSE = post * math.Sqrt(math.Pi/2)
		sd := math.Max(typSD+out[j].ExcessError, typSD/2)
		out[j].Weight = clamp(typSD*typSD/(sd*sd), 0.25, 4)
	}
}

// LearnSharedError estimates the shared-error model by empirical Bayes
// from the misses e_i of averages against results, the variance v_i of
// each average's own band (without shared error) and the number of
// pollsters j_i behind it: the maximum over Industry and Pollster, each in
// [0, 25] points, of the likelihood
//
//	Σ −½ [log(w_i) + e_i²/w_i],   w_i = v_i + Industry² + Pollster²/j_i
//
// with standard errors from its curvature. Fewer than MinLearnedResults
// misses give DefaultSharedErrorModel.
func LearnSharedError(e, v []float64, pollsters []int) SharedErrorModel {
	n := len(e)
	if n < MinLearnedResults || len(v) != n || len(pollsters) != n {
		return DefaultSharedErrorModel
	}
	inv := make([]float64, n)
	for i, j := range pollsters {
		inv[i] = 1 / float64(max(j, 1))
	}
	ll := func(a, b float64) float64 {
		t, a2, b2 := 0.0, a*a, b*b
		for i := range e {
			w := math.Max(v[i], 0) + a2 + b2*inv[i]
			if w <= 1e-9 {
				w = 1e-9
			}
			t -= 0.5 * (math.Log(w) + e[i]*e[i]/w)
		}
		return t
	}
	// A coarse grid, then coordinate-wise golden sections around its best.
	ba, bb, best := 0.0, 0.0, math.Inf(-1)
	for a := 0.0; a <= 25; a += 1 {
		for b := 0.0; b <= 25; b += 1 {
			if l := ll(a, b); l > best {
				ba, bb, best = a, b, l
			}
		}
	}
	for range 30 {
		oa, ob := ba, bb
		ba = goldenMax(func(a float64) float64 { return ll(a, bb) }, math.Max(ba-1, 0), math.Min(ba+1, 25), 1e-6)
		bb = goldenMax(func(b float64) float64 { return ll(ba, b) }, math.Max(bb-1, 0), math.Min(bb+1, 25), 1e-6)
		if math.Abs(ba-oa) < 1e-6 && math.Abs(bb-ob) < 1e-6 {
			break
		}
	}
	m := SharedErrorModel{Industry: ba, Pollster: bb, Questions: n}
	// Standard errors: the inverse of the observed information (the
	// negative Hessian), by central differences; one-sided at 0.
	h := 1e-3
	at := func(x float64) float64 { return math.Max(x, h) }
	a0, b0 := at(ba), at(bb)
	f0 := ll(a0, b0)
	haa := (ll(a0+h, b0) - 2*f0 + ll(a0-h, b0)) / (h * h)
	hbb := (ll(a0, b0+h) - 2*f0 + ll(a0, b0-h)) / (h * h)
	hab := (ll(a0+h, b0+h) - ll(a0+h, b0-h) - ll(a0-h, b0+h) + ll(a0-h, b0-h)) / (4 * h * h)
	if det := haa*hbb - hab*hab; det > 0 && haa < 0 {
		m.IndustrySE = math.Sqrt(-hbb / det)
		m.PollsterSE = math.Sqrt(-haa / det)
	}
	return m
}
