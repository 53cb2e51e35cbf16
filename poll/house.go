package poll

import "math"

// House and mode effects come from the kalman model with a column per
// pollster and per mode (see kalman.go), fitted for every method: a
// pollster's lean on an answer is h_j + Σ_k frac_jk·m_k, its house effect
// plus the mode effects of the modes it used, weighted by how often it used
// them. The leans average to zero over pollsters (Jackman's anchor).

// pollsterLean returns the coefficient vector a with aᵀθ = pollster j's lean.
func (f *kfit) pollsterLean(j int) []float64 {
	a := make([]float64, f.p)
	if c := f.hcol[j]; c >= 0 {
		a[c] = 1
	}
	for k, c := range f.mcol {
		if c >= 0 {
			a[c] += f.frac[j][k]
		}
	}
	return a
}

// leanOf returns pollster j's lean and its standard error.
func (f *kfit) leanOf(j int) (effect, se float64) {
	a := f.pollsterLean(j)
	for c, x := range a {
		effect += x * f.theta[c]
	}
	return effect, math.Sqrt(quad(f.cov, a, f.p))
}

// spread is the variance of the pollsters' leans: the mean over pollsters
// of lean² + SE², an EM-style estimate of how far one pollster's polls sit
// from the average.
func (f *kfit) spread() float64 { return f.spr }

// computeSpread computes spread from θ and its covariance.
func (f *kfit) computeSpread() float64 {
	s, n := 0.0, 0
	for j, c := range f.hasPolls {
		if c == 0 {
			continue
		}
		e, se := f.leanOf(j)
		s += e*e + se*se
		n++
	}
	if n == 0 {
		return 0
	}
	return s / float64(n)
}

// modeSpread is the mean squared mode effect.
func (f *kfit) modeSpread() float64 {
	s, n := 0.0, 0
	for _, c := range f.mcol {
		if c >= 0 {
			s += f.theta[c] * f.theta[c]
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return s / float64(n)
}

// leanVar is the variance that house and mode effects add to a linear
// average whose weights sum to wj per pollster and wm per mode. Subtracted
// effects contribute their estimation error (cᵀ Cov c); effects left in
// contribute their spread (τ² per pollster, the mode spread per mode).
func (f *kfit) leanVar(wj, wm []float64, adjHouse, adjMode bool) float64 {
	c := make([]float64, f.p)
	v := 0.0
	if adjHouse || adjMode {
		for k, w := range wm {
			if col := f.mcol[k]; col >= 0 {
				c[col] += w
			}
		}
	} else {
		ms := f.modeSpread()
		for _, w := range wm {
			v += w * w * ms
		}
	}
	if adjHouse {
		for j, w := range wj {
			if col := f.hcol[j]; col >= 0 {
				c[col] += w
			}
		}
	} else {
		for _, w := range wj {
			v += w * w * f.tau2
		}
	}
	return v + quad(f.cov, c, f.p)
}

// unadjustedLeanVar returns, for every grid day, the variance that the
// pollsters' and modes' leans add to a kalman fit that does not subtract
// them: Σ_j W_j²τ² + Σ_k W_k²·(mode spread), with W the smoother's weight
// per pollster and per mode from forward and backward recursions. full
// supplies τ² and the mode spread.
func (e *engine) unadjustedLeanVar(k int, f *kfit) []float64 {
	full := e.full[k]
	pr := e.pr
	J, M := len(pr.pollsters), len(pr.modes)
	G := J + M
	gv := make([]float64, G)
	for j := 0; j < J; j++ {
		gv[j] = full.tau2
	}
	ms := full.modeSpread()
	if !pr.o.AdjustMode {
		for m := 0; m < M; m++ {
			gv[J+m] = ms
		}
	}
	T := f.T
	// Per day: each group's share of the day's precision.
	share := make([][]struct {
		g int
		s float64
	}, T)
	for _, kp := range f.polls {
		r := kp.pi / f.H[kp.day]
		share[kp.day] = append(share[kp.day], struct {
			g int
			s float64
		}{kp.j, r}, struct {
			g int
			s float64
		}{J + kp.k, r})
	}
	fw := make([]float64, T*G)
	lf := make([]float64, T)
	cur := make([]float64, G)
	L := 0.0
	for t := 0; t < T; t++ {
		if t > 0 && L > 0 {
			L = 1 / (1/L + f.qAt(t))
		}
		if f.H[t] > 0 {
			n := L + f.H[t]
			a, b := L/n, f.H[t]/n
			for g := range cur {
				cur[g] *= a
			}
			for _, s := range share[t] {
				cur[s.g] += b * s.s
			}
			L = n
		}
		lf[t] = L
		copy(fw[t*G:], cur)
	}
	out := make([]float64, T)
	clear(cur)
	L = 0
	for t := T - 1; t >= 0; t-- {
		lb := 0.0
		if L > 0 {
			lb = 1 / (1/L + f.qAt(t+1))
		}
		if tot := lf[t] + lb; tot > 0 {
			a := lf[t] / tot
			v := 0.0
			for g := 0; g < G; g++ {
				w := a*fw[t*G+g] + (1-a)*cur[g]
				v += w * w * gv[g]
			}
			out[t] = v
		}
		if f.H[t] > 0 {
			n := lb + f.H[t]
			a, b := lb/n, f.H[t]/n
			for g := range cur {
				cur[g] *= a
			}
			for _, s := range share[t] {
				cur[s.g] += b * s.s
			}
			L = n
		} else {
			L = lb
		}
	}
	return out
}

// effects returns the house effects (each pollster's lean per option,
// sorted by pollster then option order) and the mode effects (when polls
// of two or more modes report an option).
func (e *engine) effects() (house, mode []HouseEffect) {
	pr := e.pr
	house = []HouseEffect{}
	for j, name := range pr.pollsters {
		for k, opt := range pr.opts {
			f := e.full[k]
			if f == nil || f.hasPolls[j] == 0 {
				continue
			}
			eff, se := f.leanOf(j)
			house = append(house, HouseEffect{Pollster: name, Option: opt.ID, Effect: nanTo(eff, 0), SE: nanTo(se, 0), Polls: f.hasPolls[j]})
		}
	}
	for m, md := range pr.modes {
		name := string(md)
		if md == ModeUnknown {
			name = "unknown"
		}
		for k, opt := range pr.opts {
			f := e.full[k]
			if f == nil || f.mcol[m] < 0 {
				continue
			}
			c := f.mcol[m]
			n := 0
			for _, kp := range f.polls {
				if kp.k == m {
					n++
				}
			}
			mode = append(mode, HouseEffect{Pollster: name, Option: opt.ID, Effect: nanTo(f.theta[c], 0),
				SE: nanTo(math.Sqrt(math.Max(f.cov[c*f.p+c], 0)), 0), Polls: n})
		}
	}
	return house, mode
}
