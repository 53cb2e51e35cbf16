package poll

import (
	"math"
	"slices"
)

// The kalman method. For one answer option, poll i fielded on day d(i) by
// pollster j(i) in mode k(i) reports
//
//	y_i = level + w_d(i) + h_j(i) + m_k(i) + e_i,  e_i ~ N(0, σ_i²)
//
// where w is a random walk (w_0 = 0, w_t = w_(t-1) + N(0, q), plus
// EventJumpSD² on event days), h are the pollsters' house effects (random
// effects, N(0, τ²)), m the mode effects (nearly flat prior) and
// σ_i² = (p(100-p)/neff_i + ns²) / rating. The regression part
// θ = (level, h, m) is estimated by generalised least squares through the
// Kalman filter (the "augmented" filter of de Jong), under Jackman's
// anchor: the pollsters' average lean is zero. q maximises the marginal
// likelihood (with a weak prior), ns² the likelihood, and τ² comes from EM
// (see estimate). The average on day d is then
//
//	μ̂_d = level + ŵ_d     with variance   P_d|T + g_dᵀ Cov(θ̂) g_d
//
// P_d|T from the Rauch-Tung-Striebel smoother and g_d the smoothed
// regression columns: the band includes the uncertainty of the house
// effects themselves. METHODOLOGY.md §3.4 says the same in words.

// Bounds and priors of the kalman fit.
const (
	qMin      = 1e-6 // smallest random-walk variance, points² per day
	qMax      = 25   // largest: a 5-point daily step
	qStart    = 0.05 // starting value: about 1 point per 20 days
	qPrior    = 0.02 // centre of the weak prior on q: 0.14 point a day
	qPriorSD  = 1.5  // its SD on the log scale: a factor of 4.5
	tauPrior  = 2.0  // τ's prior guess, points
	tauPriorN = 1.0  // ... worth one pollster
	modePrior = 20.0 // prior SD of a mode effect: nearly flat
	kIters    = 30   // most rounds of estimate
	nsFloor   = 0.01 // smallest non-sampling variance, points²
	nsMax     = 100  // largest: 10 points
)

// kspec chooses the regression part of a kalman fit.
type kspec struct {
	house bool // a column per pollster
	mode  bool // a column per mode
}

// kpoll is one poll as one option's fit sees it.
type kpoll struct {
	i    int // index into prepared.polls
	day  int
	y    float64
	neff float64
	prec float64 // rating multiplier
	hc   int     // pollster column or -1
	mc   int     // mode column or -1
	j, k int     // pollster and mode index
	pi   float64 // precision: rating / σ²
	bv   float64 // binomial variance at the smoothed share
	s2   float64 // σ² = bv + ns²
}

// kfit is the fitted state-space model of one option.
type kfit struct {
	T, p       int
	q, tau2    float64
	hcol       []int // pollster → column, -1 when none
	mcol       []int // mode → column, -1 when none
	hasPolls   []int // pollster → number of polls with this option
	frac       [][]float64
	polls      []kpoll
	theta      []float64
	cov        []float64 // p×p
	H, zb      []float64 // per day: total precision, precision-weighted mean
	e2         []float64 // per day: Σ (π_i/H)²
	mu, v      []float64 // per day: average and its variance
	ms         []float64 // T×(p+1): smoothed regression columns and data
	Pf, Pp     []float64 // filtered and predicted variance of w
	Ps         []float64 // smoothed variance of w
	qx         []float64 // per day: extra step variance on event days (nil: none)
	ns2        float64   // non-sampling variance, estimated
	nsMin      float64   // its floor: Options.NonSamplingSD²
	spr        float64   // spread of the pollsters' leans (see computeSpread)
	xc, ca, cb float64   // estimate's correction to the likelihood of log q
	gen        int       // counts aggregate's calls: the precisions' generation
	w          *kwork
}

// fitKalman fits one option (index k of pr.opts) with the given spec: it
// estimates q and τ² and returns the smoothed fit, or nil when no poll
// reports the option.
func fitKalman(pr *prepared, k int, spec kspec) *kfit {
	f := newKfit(pr, k, spec)
	if f == nil {
		return nil
	}
	f.estimate(spec) // ends with θ̂ at the final parameters
	f.w.smooth(f)
	f.qUncertainty()
	f.spr = f.computeSpread()
	return f
}

// qUncertainty widens the band by the uncertainty of q̂. The log
// posterior of log q (the objective of estimate) is approximated by a
// normal of the same curvature, and the average is recomputed at the
// Gauss-Hermite nodes log q̂ ± √3·s (weights 1/6, with 2/3 on q̂ itself):
// the variance becomes Σ w·(Var_q + (μ̂_q − μ̂)²). The estimate itself, and
// everything else, stays at q̂.
func (f *kfit) qUncertainty() {
	rb := make([]float64, f.T)
	f.residuals(rb)
	x0 := math.Log(f.q)
	obj := func(x float64) float64 {
		d, p := x-f.xc, (x-math.Log(qPrior))/qPriorSD
		return rwLogLik(f.H, rb, math.Exp(x), f.qx) + f.cb*d + f.ca*d*d - p*p/2
	}
	const h = 0.25
	c := -(obj(x0+h) - 2*obj(x0) + obj(x0-h)) / (h * h)
	if !(c > 0) {
		return
	}
	sd := math.Min(1/math.Sqrt(c), 1.5)
	// Keep the fit at q̂; the nodes overwrite the working state.
	q0, tau0 := f.q, f.tau2
	theta, cov := append([]float64(nil), f.theta...), append([]float64(nil), f.cov...)
	ms := append([]float64(nil), f.ms...)
	mu := append([]float64(nil), f.mu...)
	v := append([]float64(nil), f.v...)
	Pf, Pp, Ps := append([]float64(nil), f.Pf...), append([]float64(nil), f.Pp...), append([]float64(nil), f.Ps...)
	vt := make([]float64, f.T)
	for t := range vt {
		vt[t] = 2.0 / 3 * v[t]
	}
	for _, dx := range []float64{-math.Sqrt(3) * sd, math.Sqrt(3) * sd} {
		x := clamp(x0+dx, math.Log(qMin), math.Log(qMax))
		f.q = math.Exp(x)
		f.w.gls(f)
		f.w.smooth(f)
		for t := range vt {
			d := f.mu[t] - mu[t]
			vt[t] += (f.v[t] + d*d) / 6
		}
	}
	f.q, f.tau2 = q0, tau0
	copy(f.theta, theta)
	copy(f.cov, cov)
	f.ms = ms
	copy(f.mu, mu)
	copy(f.Pf, Pf)
	copy(f.Pp, Pp)
	copy(f.Ps, Ps)
	copy(f.v, vt)
}

// newKfit lays out the polls and columns of one option's fit, with σ²
// from the option's mean share and the starting q and τ².
func newKfit(pr *prepared, k int, spec kspec) *kfit {
	f := &kfit{T: pr.nDays, ns2: pr.o.NonSamplingSD * pr.o.NonSamplingSD, qx: pr.qx}
	J, K := len(pr.pollsters), len(pr.modes)
	f.hasPolls = make([]int, J)
	modeCount := make([]int, K)
	f.frac = make([][]float64, J)
	for j := range f.frac {
		f.frac[j] = make([]float64, K)
	}
	mean, n := 0.0, 0
	for i := range pr.polls {
		if !math.IsNaN(pr.polls[i].y[k]) {
			n++
		}
	}
	f.polls = make([]kpoll, 0, n)
	n = 0
	for i := range pr.polls {
		p := &pr.polls[i]
		y := p.y[k]
		if math.IsNaN(y) {
			continue
		}
		f.polls = append(f.polls, kpoll{i: i, day: p.day, y: y, neff: p.neff, prec: p.prec, j: p.pollster, k: p.mode})
		f.hasPolls[p.pollster]++
		f.frac[p.pollster][p.mode]++
		modeCount[p.mode]++
		mean += y
		n++
	}
	if n == 0 {
		return nil
	}
	mean /= float64(n)
	activeJ, activeK := 0, 0
	for j := range f.hasPolls {
		if f.hasPolls[j] > 0 {
			activeJ++
			for m := range f.frac[j] {
				f.frac[j][m] /= float64(f.hasPolls[j])
			}
		}
	}
	// A poll whose mode is not reported has a missing mode, not a mode of
	// its own: it gets no mode column, and its pollster's house effect
	// carries whatever its mode adds.
	unknown := slices.Index(pr.modes, ModeUnknown)
	for m, c := range modeCount {
		if c > 0 && m != unknown {
			activeK++
		}
	}
	f.p = 1
	f.hcol = make([]int, J)
	f.mcol = make([]int, K)
	for j := range f.hcol {
		f.hcol[j] = -1
		if spec.house && activeJ >= 2 && f.hasPolls[j] > 0 {
			f.hcol[j] = f.p
			f.p++
		}
	}
	for m := range f.mcol {
		f.mcol[m] = -1
		if spec.mode && activeK >= 2 && modeCount[m] > 0 && m != unknown {
			f.mcol[m] = f.p
			f.p++
		}
	}
	for i := range f.polls {
		kp := &f.polls[i]
		kp.hc, kp.mc = f.hcol[kp.j], f.mcol[kp.k]
	}
	T := f.T
	f.H, f.zb, f.e2 = make([]float64, T), make([]float64, T), make([]float64, T)
	f.mu, f.v = make([]float64, T), make([]float64, T)
	f.Pf, f.Pp, f.Ps = make([]float64, T), make([]float64, T), make([]float64, T)
	f.theta = make([]float64, f.p)
	f.cov = make([]float64, f.p*f.p)
	f.q, f.tau2 = qStart, tauPrior*tauPrior
	for i := range f.polls {
		kp := &f.polls[i]
		kp.bv = binomVar(mean, kp.neff)
		kp.s2 = kp.bv + f.ns2
	}
	f.nsMin = f.ns2
	f.w = newKwork(f)
	return f
}

// estimate finds q, the non-sampling variance ns² and τ². Each round
// takes θ̂ (GLS at the current values, τ² settled by EM on the same normal
// equations, see emTau) and then
//
//   - q: maximises the marginal likelihood of the polls (θ integrated out,
//     as in REML) plus a weak prior on log q. The marginal likelihood costs
//     one GLS pass per value, so it is evaluated at log q ± 0.7 only; the
//     search runs on the cheap likelihood with θ held at θ̂ plus a quadratic
//     in log q that makes it agree with the marginal one at those three
//     points;
//   - ns²: maximises the likelihood with θ held at θ̂;
//   - σ²: the binomial variances move to the smoothed shares.
//
// It stops when q and ns² move by less than 2% and θ by less than 0.01
// point.
func (f *kfit) estimate(spec kspec) {
	w := f.w
	rb := make([]float64, f.T)
	e := make([]float64, len(f.polls))
	bv := make([]float64, len(f.polls))
	old := make([]float64, f.p)
	prior := func(x float64) float64 {
		d := (x - math.Log(qPrior)) / qPriorSD
		return -d * d / 2
	}
	lo, hi := math.Log(qMin), math.Log(qMax)
	var xc, ca, cb float64 // the correction's centre and coefficients
	defer func() { f.xc, f.ca, f.cb = xc, ca, cb }()
	f.aggregate()
	m0 := w.gls(f)
	if spec.house {
		m0 = f.emTau(w)
	}
	for it := 0; it < kIters; it++ {
		copy(old, f.theta)
		f.residuals(rb)
		x0 := math.Log(f.q)
		if it == 0 {
			// A start from the cheap likelihood over the whole range.
			x0 = goldenMax(func(x float64) float64 { return rwLogLik(f.H, rb, math.Exp(x), f.qx) + prior(x) }, lo, hi, 1e-2)
			f.q = math.Exp(x0)
			m0 = w.gls(f)
			f.residuals(rb)
		}
		for i := range f.polls {
			e[i] = f.polls[i].y - f.xtheta(&f.polls[i])
		}
		f.scalarSmooth(rb)
		for i := range f.polls {
			bv[i] = binomVar(f.mu[f.polls[i].day], f.polls[i].neff)
		}
		// q: the three-point correction (kept while q stays near where it
		// was computed), then the search.
		const h = 0.7
		if it == 0 || math.Abs(x0-xc) > h/2 {
			xc = x0
			xs := [3]float64{x0 - h, x0, x0 + h}
			var c [3]float64
			for j, x := range xs {
				m := m0
				if j != 1 {
					f.q = math.Exp(x)
					m = w.gls(f)
				}
				c[j] = m - rwLogLik(f.H, rb, math.Exp(x), f.qx)
			}
			// c(x) = c1 + cb·(x-xc) + ca·(x-xc)²
			cb = (c[2] - c[0]) / (2 * h)
			ca = (c[2] - 2*c[1] + c[0]) / (2 * h * h)
		}
		x1 := goldenMax(func(x float64) float64 {
			d := x - xc
			return rwLogLik(f.H, rb, math.Exp(x), f.qx) + cb*d + ca*d*d + prior(x)
		}, math.Max(lo, x0-2*h), math.Min(hi, x0+2*h), 1e-3)
		q := math.Exp(x1)
		ns2 := f.ns2
		if nlo, nhi := math.Log(math.Max(f.nsMin, nsFloor)), math.Log(nsMax); nlo < nhi {
			if it > 0 {
				x := math.Log(math.Max(ns2, nsFloor))
				nlo, nhi = math.Max(nlo, x-1), math.Min(nhi, x+1)
			}
			ns2 = math.Exp(goldenMax(func(x float64) float64 { return w.noiseLogLik(f, e, q, math.Exp(x)) }, nlo, nhi, 5e-3))
		}
		dq := math.Abs(x1 - x0)
		dn := math.Abs(math.Log(ns2) - math.Log(math.Max(f.ns2, nsFloor)))
		f.q, f.ns2 = q, ns2
		for i := range f.polls {
			f.polls[i].bv = bv[i]
		}
		f.aggregate()
		m0 = w.gls(f)
		if spec.house {
			m0 = f.emTau(w)
		}
		dth := 0.0
		for c := range old {
			dth = math.Max(dth, math.Abs(old[c]-f.theta[c]))
		}
		if dq < 0.02 && dn < 0.02 && dth < 0.01 {
			break
		}
	}
}

// emTau runs EM for τ² on the normal equations of the last gls pass:
// τ² = (Σ_j ĥ_j² + Var ĥ_j + prior) / (J + prior weight), each step a
// cheap solve, until τ² moves by less than 0.1%. It returns the log
// marginal likelihood at the final τ².
func (f *kfit) emTau(w *kwork) float64 {
	ll := 0.0
	for i := 0; i < 200; i++ {
		s, nj := tauPriorN*tauPrior*tauPrior, tauPriorN
		for _, c := range f.hcol {
			if c >= 0 {
				s += f.theta[c]*f.theta[c] + f.cov[c*f.p+c]
				nj++
			}
		}
		tau2 := math.Max(s/nj, 0.01)
		done := math.Abs(tau2-f.tau2) < 1e-3*f.tau2
		f.tau2 = tau2
		ll = w.solve(f)
		if done {
			break
		}
	}
	return ll
}

// noiseLogLik is the log-likelihood (up to a constant) of the residuals
// e_i = y_i - X_iᵀθ under a random walk of variance q and polls of variance
// bv_i + ns2: the daily means through the filter plus the spread of the
// polls within each day.
func (w *kwork) noiseLogLik(f *kfit, e []float64, q, ns2 float64) float64 {
	H, s, ss := w.H, w.s, w.ss
	clear(H)
	clear(s)
	clear(ss)
	var lg logSum
	for i := range f.polls {
		kp := &f.polls[i]
		pi := kp.prec / (kp.bv + ns2)
		H[kp.day] += pi
		s[kp.day] += pi * e[i]
		ss[kp.day] += pi * e[i] * e[i]
		lg.add(pi)
	}
	ll := 0.0
	for t, h := range H {
		if h > 0 {
			ll -= ss[t] - s[t]*s[t]/h
			lg.add(1 / h)
			s[t] /= h
		}
	}
	return 0.5*(ll+lg.value()) + rwLogLik(H, s, q, f.qx)
}

// aggregate computes each poll's precision and the per-day sums.
func (f *kfit) aggregate() {
	f.gen++
	for i := range f.polls {
		kp := &f.polls[i]
		kp.s2 = kp.bv + f.ns2
	}
	clear(f.H)
	clear(f.zb)
	clear(f.e2)
	for i := range f.polls {
		kp := &f.polls[i]
		kp.pi = kp.prec / math.Max(kp.s2, 1e-6)
		f.H[kp.day] += kp.pi
		f.zb[kp.day] += kp.pi * kp.y
	}
	for i := range f.polls {
		kp := &f.polls[i]
		r := kp.pi / f.H[kp.day]
		f.e2[kp.day] += r * r
	}
	for t, h := range f.H {
		if h > 0 {
			f.zb[t] /= h
		}
	}
}

// residuals fills rb with each day's precision-weighted mean of
// y_i - X_iᵀθ: the data the random walk has to explain.
func (f *kfit) residuals(rb []float64) {
	clear(rb)
	for i := range f.polls {
		kp := &f.polls[i]
		rb[kp.day] += kp.pi * (kp.y - f.xtheta(kp))
	}
	for t, h := range f.H {
		if h > 0 {
			rb[t] /= h
		}
	}
}

// xtheta is X_iᵀθ for one poll.
func (f *kfit) xtheta(kp *kpoll) float64 {
	s := f.theta[0]
	if kp.hc >= 0 {
		s += f.theta[kp.hc]
	}
	if kp.mc >= 0 {
		s += f.theta[kp.mc]
	}
	return s
}

// lean is the poll's estimated house and mode effect, X_iᵀθ without the level.
func (f *kfit) lean(kp *kpoll) float64 { return f.xtheta(kp) - f.theta[0] }

// scalarSmooth runs the filter and RTS smoother on the residual series rb
// and sets mu to level + ŵ (used between iterations to update σ²).
func (f *kfit) scalarSmooth(rb []float64) {
	P, m := 0.0, 0.0
	for t := 0; t < f.T; t++ {
		if t > 0 {
			P += f.qAt(t)
		}
		f.Pp[t] = P
		if f.H[t] > 0 {
			R := 1 / f.H[t]
			F := P + R
			K := P / F
			m += K * (rb[t] - m)
			P = P * R / F
		}
		f.Pf[t] = P
		f.mu[t] = m
	}
	for t := f.T - 2; t >= 0; t-- {
		if f.Pp[t+1] > 0 {
			f.mu[t] += f.Pf[t] / f.Pp[t+1] * (f.mu[t+1] - f.mu[t])
		}
	}
	for t := range f.mu {
		f.mu[t] += f.theta[0]
	}
}

// rwLogLik is the log-likelihood (up to a constant) of the daily series rb
// with precisions H under a random walk started at 0 whose step into day t
// has variance qstep(q, qx, t).
func rwLogLik(H, rb []float64, q float64, qx []float64) float64 {
	P, m, ss := 0.0, 0.0, 0.0
	var lg logSum
	for t, h := range H {
		if t > 0 {
			P += qstep(q, qx, t)
		}
		if h > 0 {
			F := P + 1/h
			v := rb[t] - m
			lg.add(F)
			ss += v * v / F
			K := P / F
			m += K * v
			P -= K * P
		}
	}
	return -0.5 * (lg.value() + ss)
}

// logSum adds logarithms by multiplying, taking a logarithm only when the
// product nears the float64 range: far fewer calls to math.Log.
type logSum struct {
	prod, sum float64
	started   bool
}

// add adds log x for x > 0.
func (l *logSum) add(x float64) {
	if !l.started {
		l.prod, l.started = 1, true
	}
	l.prod *= x
	if l.prod > 1e250 || l.prod < 1e-250 {
		l.sum += math.Log(l.prod)
		l.prod = 1
	}
}

// value returns the sum of the logarithms added.
func (l *logSum) value() float64 {
	if !l.started {
		return 0
	}
	return l.sum + math.Log(l.prod)
}

// goldenMax returns the x in [lo, hi] that maximises f, to within tol, by
// Brent's method: golden-section steps made faster by parabolic
// interpolation where f is smooth.
func goldenMax(f func(float64) float64, lo, hi, tol float64) float64 {
	const cg = 0.3819660112501051
	a, b := lo, hi
	x := a + cg*(b-a)
	w, v := x, x
	fx := -f(x)
	fw, fv := fx, fx
	d, e := 0.0, 0.0
	for iter := 0; iter < 100; iter++ {
		m := 0.5 * (a + b)
		tol1 := tol/3 + 1e-12*math.Abs(x)
		tol2 := 2 * tol1
		if math.Abs(x-m) <= tol2-0.5*(b-a) {
			break
		}
		golden := true
		if math.Abs(e) > tol1 {
			r := (x - w) * (fx - fv)
			q := (x - v) * (fx - fw)
			p := (x-v)*q - (x-w)*r
			q = 2 * (q - r)
			if q > 0 {
				p = -p
			} else {
				q = -q
			}
			if math.Abs(p) < math.Abs(0.5*q*e) && p > q*(a-x) && p < q*(b-x) {
				e, d = d, p/q
				if u := x + d; u-a < tol2 || b-u < tol2 {
					d = math.Copysign(tol1, m-x)
				}
				golden = false
			}
		}
		if golden {
			if x < m {
				e = b - x
			} else {
				e = a - x
			}
			d = cg * e
		}
		u := x + d
		if math.Abs(d) < tol1 {
			u = x + math.Copysign(tol1, d)
		}
		fu := -f(u)
		if fu <= fx {
			if u < x {
				b = x
			} else {
				a = x
			}
			v, fv, w, fw, x, fx = w, fw, x, fx, u, fu
		} else {
			if u < x {
				a = u
			} else {
				b = u
			}
			if fu <= fw || w == x {
				v, fv, w, fw = w, fw, u, fu
			} else if fu <= fv || v == x || v == w {
				v, fv = u, fu
			}
		}
	}
	// An optimum at the edge: Brent stops within tol of it.
	if fl := -f(lo); fl < fx {
		return lo
	}
	if fh := -f(hi); fh < fx {
		return hi
	}
	return x
}

// kwork is scratch space for the column filter.
type kwork struct {
	A, b, m, v, xs []float64
	A2             []float64 // A with the priors added
	V              []float64 // scaled innovations, column by column
	llF, yy        float64   // the filter's part of the marginal likelihood
	H, s, ss       []float64 // per day, for noiseLogLik
	touched        []int

	// What depends on the polls' precisions but not on q or τ², kept
	// for the precisions of generation gen (see days): the within-day
	// part of the normal equations, and each observed day's mean
	// regression row x̄ as its nonzero house and mode entries
	// (dcol[dayOff[o]:dayOff[o+1]], dval likewise, for the o-th day
	// with polls).
	gen    int
	Aw, bw []float64
	dayOff []int
	dcol   []int
	dval   []float64
	set    []int // the columns of xs that row last set
}

func newKwork(f *kfit) *kwork {
	p := f.p
	return &kwork{A: make([]float64, p*p), A2: make([]float64, p*p), b: make([]float64, p), m: make([]float64, p+1),
		v: make([]float64, p+1), xs: make([]float64, p+1), touched: make([]int, 0, p),
		H: make([]float64, f.T), s: make([]float64, f.T), ss: make([]float64, f.T),
		Aw: make([]float64, p*p), bw: make([]float64, p)}
}

// days computes what gls and smooth need of the polls' precisions alone,
// once per generation of precisions: estimate's search over q and
// qUncertainty's nodes run many passes on the same precisions.
func (w *kwork) days(f *kfit) {
	if f.gen != 0 && w.gen == f.gen {
		return
	}
	w.gen = f.gen
	for _, c := range w.set { // dayX needs xs zero but for its own columns
		w.xs[c] = 0
	}
	w.set = nil
	p := f.p
	A, b := w.Aw, w.bw
	clear(A)
	clear(b)
	w.dayOff, w.dcol, w.dval = w.dayOff[:0], w.dcol[:0], w.dval[:0]
	i := 0
	for t := 0; t < f.T; t++ {
		if f.H[t] == 0 {
			continue
		}
		a := i
		for i < len(f.polls) && f.polls[i].day == t {
			i++
		}
		w.dayX(f, a, i)
		w.dayOff = append(w.dayOff, len(w.dcol))
		for _, c := range w.touched {
			w.dcol = append(w.dcol, c)
			w.dval = append(w.dval, w.xs[c])
		}
		// Within-day contrasts: Σ π_i (X_i - x̄)(X_i - x̄)ᵀ = Σ π_i X_i X_iᵀ - H x̄ x̄ᵀ.
		if i-a > 1 && p > 1 {
			h := f.H[t]
			for q := a; q < i; q++ {
				kp := &f.polls[q]
				cols := [3]int{0, kp.hc, kp.mc}
				for _, r := range cols {
					if r < 0 {
						continue
					}
					for _, c := range cols {
						if c < 0 || c > r {
							continue
						}
						A[r*p+c] += kp.pi
					}
					b[r] += kp.pi * kp.y
				}
			}
			cols := append(w.touched, 0)
			for _, r := range cols {
				for _, c := range cols {
					if c > r {
						continue
					}
					A[r*p+c] -= h * w.xs[r] * w.xs[c]
				}
				b[r] -= h * w.xs[r] * w.xs[p]
			}
			w.touched = cols[:len(cols)-1]
		}
	}
	w.dayOff = append(w.dayOff, len(w.dcol))
	for _, c := range w.touched {
		w.xs[c] = 0
	}
	w.touched = w.touched[:0]
}

// row sets w.xs to x̄ (and z̄ in the last slot) of the o-th observed day,
// day t, from what days kept.
func (w *kwork) row(f *kfit, o, t int) {
	for _, c := range w.set {
		w.xs[c] = 0
	}
	lo, hi := w.dayOff[o], w.dayOff[o+1]
	w.set = w.dcol[lo:hi]
	for k, c := range w.set {
		w.xs[c] = w.dval[lo+k]
	}
	w.xs[0] = 1
	w.xs[f.p] = f.zb[t]
}

// dayX fills w.xs with the day's precision-weighted mean regression row x̄
// (and z̄ in the last slot) for the polls f.polls[a:b], all on one day.
func (w *kwork) dayX(f *kfit, a, b int) {
	p := f.p
	for _, c := range w.touched {
		w.xs[c] = 0
	}
	w.touched = w.touched[:0]
	h := f.H[f.polls[a].day]
	for i := a; i < b; i++ {
		kp := &f.polls[i]
		r := kp.pi / h
		if kp.hc >= 0 {
			if w.xs[kp.hc] == 0 {
				w.touched = append(w.touched, kp.hc)
			}
			w.xs[kp.hc] += r
		}
		if kp.mc >= 0 {
			if w.xs[kp.mc] == 0 {
				w.touched = append(w.touched, kp.mc)
			}
			w.xs[kp.mc] += r
		}
	}
	w.xs[0] = 1
	w.xs[p] = f.zb[f.polls[a].day]
}

// gls estimates θ and its constrained posterior covariance for the current
// precisions, q and τ². It returns the log marginal likelihood of the polls
// (θ integrated out under its prior), up to terms that depend on neither q
// nor τ².
func (w *kwork) gls(f *kfit) float64 {
	p := f.p
	A, b, m, v := w.A, w.b, w.m, w.v
	clear(m)
	// The innovations of every column, scaled by 1/sqrt(F), are stored
	// column by column; Σ_t ṽ_t ṽ_tᵀ is then a Gram matrix of long dot
	// products, much faster than a rank-one update per day.
	nObs := 0
	for _, h := range f.H {
		if h > 0 {
			nObs++
		}
	}
	if cap(w.V) < (p+1)*nObs {
		w.V = make([]float64, (p+1)*nObs)
	}
	V := w.V[:(p+1)*nObs]
	w.days(f)
	copy(A, w.Aw)
	copy(b, w.bw)
	P := 0.0
	o := 0
	var lg logSum
	yy := 0.0
	for t := 0; t < f.T; t++ {
		if t > 0 {
			P += f.qAt(t)
		}
		if f.H[t] == 0 {
			continue
		}
		w.row(f, o, t)
		R := 1 / f.H[t]
		F := P + R
		K := P / F
		lg.add(F)
		sc := 1 / math.Sqrt(F)
		for c := 0; c <= p; c++ {
			v[c] = w.xs[c] - m[c]
			m[c] += K * v[c]
			V[c*nObs+o] = v[c] * sc
		}
		yy += v[p] * v[p] / F
		o++
		P = P * R / F
	}
	gram(A, b, V, nObs, p)
	w.llF, w.yy = lg.value(), yy
	return w.solve(f)
}

// gram adds to the lower triangle of the p×p matrix A the dot products
// of the first p rows of V (p+1 rows of n values each), and to b their dot
// products with the last row: four columns at a time, so that each value
// of a row is loaded once for four products.
func gram(A, b, V []float64, n, p int) {
	row := func(r int) []float64 { return V[r*n : (r+1)*n] }
	for r := 0; r < p; r++ {
		vr := row(r)
		// Row r of the lower triangle is columns 0…r; b[r] comes last,
		// as column r+1, the dot product with V's last row.
		last := r + 1
		col := func(k int) int {
			if k == last {
				return p
			}
			return k
		}
		add := func(k int, s float64) {
			if k == last {
				b[r] += s
			} else {
				A[r*p+k] += s
			}
		}
		k := 0
		for ; k+4 <= last+1; k += 4 {
			s0, s1, s2, s3 := dot4(vr, row(col(k)), row(col(k+1)), row(col(k+2)), row(col(k+3)))
			add(k, s0)
			add(k+1, s1)
			add(k+2, s2)
			add(k+3, s3)
		}
		for ; k <= last; k++ {
			add(k, dot(vr, row(col(k))))
		}
	}
}

// dot4 returns the dot products of a with b0, b1, b2 and b3, all of a's
// length.
func dot4(a, b0, b1, b2, b3 []float64) (s0, s1, s2, s3 float64) {
	n := len(a)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	var t0, t1, t2, t3 float64
	i := 0
	for ; i+2 <= n; i += 2 {
		x, y := a[i], a[i+1]
		s0 += x * b0[i]
		t0 += y * b0[i+1]
		s1 += x * b1[i]
		t1 += y * b1[i+1]
		s2 += x * b2[i]
		t2 += y * b2[i+1]
		s3 += x * b3[i]
		t3 += y * b3[i+1]
	}
	if i < n {
		x := a[i]
		s0 += x * b0[i]
		s1 += x * b1[i]
		s2 += x * b2[i]
		s3 += x * b3[i]
	}
	return s0 + t0, s1 + t1, s2 + t2, s3 + t3
}

// dot returns Σ a[i]·b[i] for slices of equal length.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// solve adds the priors (τ² for the house effects) to the normal
// equations gls accumulated, solves them for θ and its covariance under the
// anchor, and returns the log marginal likelihood. Changing τ² needs only
// solve, not another pass of the filter.
func (w *kwork) solve(f *kfit) float64 {
	p := f.p
	A := w.A2
	copy(A, w.A)
	ll, yy := w.llF, w.yy
	for _, c := range f.hcol {
		if c >= 0 {
			A[c*p+c] += 1 / f.tau2
			ll += math.Log(f.tau2)
		}
	}
	for _, c := range f.mcol {
		if c >= 0 {
			A[c*p+c] += 1 / (modePrior * modePrior)
		}
	}
	for r := 0; r < p; r++ {
		for c := 0; c < r; c++ {
			A[c*p+r] = A[r*p+c]
		}
	}
	logdet, ok := invertSPD(A, f.cov, p)
	if !ok {
		// Degenerate data (no information at all): fall back to a
		// diagonal guess rather than failing.
		clear(f.cov)
		for r := 0; r < p; r++ {
			f.cov[r*p+r] = 1 / math.Max(A[r*p+r], 1e-9)
		}
	}
	for r := 0; r < p; r++ {
		s := 0.0
		for c := 0; c < p; c++ {
			s += f.cov[r*p+c] * w.b[c]
		}
		f.theta[r] = s
		yy -= s * w.b[r]
	}
	f.constrain()
	return -0.5 * (ll + yy + logdet)
}

// anchor returns the constraint vector: the pollsters' average lean.
func (f *kfit) anchor() []float64 {
	C := make([]float64, f.p)
	for _, c := range f.hcol {
		if c >= 0 {
			C[c] = 1
		}
	}
	for j, n := range f.hasPolls {
		if n == 0 {
			continue
		}
		for k, c := range f.mcol {
			if c >= 0 {
				C[c] += f.frac[j][k]
			}
		}
	}
	return C
}

// constrain conditions θ and its covariance on the anchor Cᵀθ = 0.
func (f *kfit) constrain() {
	if f.p == 1 {
		return
	}
	p := f.p
	C := f.anchor()
	u := make([]float64, p)
	s, ct := 0.0, 0.0
	for r := 0; r < p; r++ {
		for c := 0; c < p; c++ {
			u[r] += f.cov[r*p+c] * C[c]
		}
		s += C[r] * u[r]
		ct += C[r] * f.theta[r]
	}
	if !(s > 0) {
		return
	}
	for r := 0; r < p; r++ {
		f.theta[r] -= u[r] * ct / s
		for c := 0; c < p; c++ {
			f.cov[r*p+c] -= u[r] * u[c] / s
		}
	}
}

// smooth runs the column filter and the RTS smoother, keeping the smoothed
// columns, and sets mu and v for every day.
func (w *kwork) smooth(f *kfit) {
	p, T := f.p, f.T
	W := p + 1
	f.ms = make([]float64, T*W)
	m := w.m
	clear(m)
	P := 0.0
	w.days(f)
	o := 0
	for t := 0; t < T; t++ {
		if t > 0 {
			P += f.qAt(t)
		}
		f.Pp[t] = P
		if f.H[t] > 0 {
			w.row(f, o, t)
			o++
			R := 1 / f.H[t]
			F := P + R
			K := P / F
			for c := 0; c <= p; c++ {
				m[c] += K * (w.xs[c] - m[c])
			}
			P = P * R / F
		}
		f.Pf[t] = P
		copy(f.ms[t*W:(t+1)*W], m)
	}
	f.Ps[T-1] = f.Pf[T-1]
	for t := T - 2; t >= 0; t-- {
		if !(f.Pp[t+1] > 0) {
			f.Ps[t] = f.Pf[t]
			continue
		}
		J := f.Pf[t] / f.Pp[t+1]
		row, next := f.ms[t*W:(t+1)*W], f.ms[(t+1)*W:(t+2)*W]
		for c := range row {
			row[c] += J * (next[c] - row[c])
		}
		f.Ps[t] = f.Pf[t] + J*J*(f.Ps[t+1]-f.Pp[t+1])
	}
	g := make([]float64, p)
	for t := 0; t < T; t++ {
		row := f.ms[t*W : (t+1)*W]
		for c := 0; c < p; c++ {
			g[c] = -row[c]
		}
		g[0]++
		mu := row[p]
		for c := 0; c < p; c++ {
			mu += g[c] * f.theta[c]
		}
		f.mu[t] = mu
		f.v[t] = math.Max(f.Ps[t], 0) + quad(f.cov, g, p)
	}
}

// quad returns gᵀ C g for a symmetric p×p matrix C, reading its lower
// triangle: gᵀCg = Σ_r g_r (C_rr g_r + 2 Σ_(c<r) C_rc g_c).
func quad(C, g []float64, p int) float64 {
	s := 0.0
	for r := 0; r < p; r++ {
		gr := g[r]
		if gr == 0 {
			continue
		}
		row := C[r*p : r*p+r]
		gc := g[:r]
		var t0, t1 float64
		c := 0
		for ; c+2 <= len(row); c += 2 {
			t0 += row[c] * gc[c]
			t1 += row[c+1] * gc[c+1]
		}
		if c < len(row) {
			t0 += row[c] * gc[c]
		}
		s += gr * (2*(t0+t1) + C[r*p+r]*gr)
	}
	return math.Max(s, 0)
}

// influence returns ∂μ̂_d/∂y_i for every poll of the fit: the exact weight
// of each poll in the estimate of day d, house-effect estimation included.
// Σ_i weight_i·y_i equals the estimate.
func (f *kfit) influence(d int) []float64 {
	p, T := f.p, f.T
	W := p + 1
	// Cov(w_d, w_s) = the variance accumulated up to min(d, s): smooth
	// that "data" to get V⁻¹c_d.
	c := make([]float64, T)
	for t := 1; t < T; t++ {
		c[t] = c[t-1]
		if t <= d {
			c[t] += f.qAt(t)
		}
	}
	sm := smoothSeries(f.H, c, f.q, f.qx)
	g := make([]float64, p)
	row := f.ms[d*W : (d+1)*W]
	for k := 0; k < p; k++ {
		g[k] = -row[k]
	}
	g[0]++
	u := make([]float64, p)
	for r := 0; r < p; r++ {
		for k := 0; k < p; k++ {
			u[r] += f.cov[r*p+k] * g[k]
		}
	}
	out := make([]float64, len(f.polls))
	for i := range f.polls {
		kp := &f.polls[i]
		s := c[kp.day] - sm[kp.day]
		srow := f.ms[kp.day*W : (kp.day+1)*W]
		x := u[0]
		if kp.hc >= 0 {
			x += u[kp.hc]
		}
		if kp.mc >= 0 {
			x += u[kp.mc]
		}
		for k := 0; k < p; k++ {
			x -= u[k] * srow[k]
		}
		out[i] = kp.pi * (s + x)
	}
	return out
}

// smoothSeries returns the RTS-smoothed random walk (started at 0, step
// variance qstep(q, qx, t)) given daily data x with precisions H.
func smoothSeries(H, x []float64, q float64, qx []float64) []float64 {
	T := len(H)
	mf, pf, pp := make([]float64, T), make([]float64, T), make([]float64, T)
	P, m := 0.0, 0.0
	for t := 0; t < T; t++ {
		if t > 0 {
			P += qstep(q, qx, t)
		}
		pp[t] = P
		if H[t] > 0 {
			R := 1 / H[t]
			F := P + R
			m += P / F * (x[t] - m)
			P = P * R / F
		}
		mf[t], pf[t] = m, P
	}
	for t := T - 2; t >= 0; t-- {
		if pp[t+1] > 0 {
			mf[t] += pf[t] / pp[t+1] * (mf[t+1] - mf[t])
		}
	}
	return mf
}

// kishRW returns, for every day, the Kish effective number of polls behind a
// diffuse random-walk smoother with daily precisions H (house effects held
// fixed), from forward and backward weight recursions.
func kishRW(H, e2 []float64, q float64, qx []float64) []float64 {
	T := len(H)
	lf, f1, f2 := make([]float64, T), make([]float64, T), make([]float64, T)
	L, s1, s2 := 0.0, 0.0, 0.0
	for t := 0; t < T; t++ {
		if t > 0 && L > 0 {
			L = 1 / (1/L + qstep(q, qx, t))
		}
		if H[t] > 0 {
			n := L + H[t]
			a, b := L/n, H[t]/n
			s1 = s1*a + b
			s2 = s2*a*a + b*b*e2[t]
			L = n
		}
		lf[t], f1[t], f2[t] = L, s1, s2
	}
	out := make([]float64, T)
	L, s1, s2 = 0, 0, 0 // backward: polls after t, predicted to t
	for t := T - 1; t >= 0; t-- {
		lb := 0.0
		if L > 0 {
			lb = 1 / (1/L + qstep(q, qx, t+1))
		}
		tot := lf[t] + lb
		if tot > 0 {
			a := lf[t] / tot
			sum := a*f1[t] + (1-a)*s1
			sq := a*a*f2[t] + (1-a)*(1-a)*s2
			if sq > 0 {
				out[t] = sum * sum / sq
			}
		}
		// fold day t into the backward filter
		if H[t] > 0 {
			n := lb + H[t]
			a, b := lb/n, H[t]/n
			s1 = s1*a + b
			s2 = s2*a*a + b*b*e2[t]
			L = n
		} else {
			L = lb
		}
	}
	return out
}

// invertSPD writes the inverse of the symmetric positive-definite p×p
// matrix A into out by Cholesky decomposition and returns log det A; false
// if A is not positive definite.
func invertSPD(A, out []float64, p int) (float64, bool) {
	L := make([]float64, p*p)
	logdet := 0.0
	for j := 0; j < p; j++ {
		s := A[j*p+j]
		for k := 0; k < j; k++ {
			s -= L[j*p+k] * L[j*p+k]
		}
		if !(s > 0) || math.IsInf(s, 0) {
			return 0, false
		}
		d := math.Sqrt(s)
		logdet += math.Log(s)
		L[j*p+j] = d
		for i := j + 1; i < p; i++ {
			s := A[i*p+j]
			for k := 0; k < j; k++ {
				s -= L[i*p+k] * L[j*p+k]
			}
			L[i*p+j] = s / d
		}
	}
	// Invert L (lower), then out = L⁻ᵀ L⁻¹.
	Li := make([]float64, p*p)
	for i := 0; i < p; i++ {
		Li[i*p+i] = 1 / L[i*p+i]
		for j := 0; j < i; j++ {
			s := 0.0
			for k := j; k < i; k++ {
				s -= L[i*p+k] * Li[k*p+j]
			}
			Li[i*p+j] = s / L[i*p+i]
		}
	}
	for i := 0; i < p; i++ {
		for j := 0; j <= i; j++ {
			s := 0.0
			for k := i; k < p; k++ {
				s += Li[k*p+i] * Li[k*p+j]
			}
			out[i*p+j], out[j*p+i] = s, s
		}
	}
	return logdet, true
}

// qAt is the variance of the random walk's step into day t.
func (f *kfit) qAt(t int) float64 { return qstep(f.q, f.qx, t) }

// qstep is q, plus qx[t] when qx is not nil: an event day's jump variance.
func qstep(q float64, qx []float64, t int) float64 {
	if qx == nil {
		return q
	}
	return q + qx[t]
}
