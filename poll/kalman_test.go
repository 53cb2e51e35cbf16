package poll

import (
	"math"
	"math/rand/v2"
	"testing"
)

// solve returns M⁻¹B for a dense n×n M and n×m B by Gauss-Jordan
// elimination with partial pivoting, independent of invertSPD.
func solve(M [][]float64, B [][]float64) [][]float64 {
	n, m := len(M), len(B[0])
	a := make([][]float64, n)
	for i := range a {
		a[i] = append(append([]float64(nil), M[i]...), B[i]...)
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < n; r++ {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k < n+m; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, m)
		for k := 0; k < m; k++ {
			out[i][k] = a[i][n+k] / a[i][i]
		}
	}
	return out
}

// randomPolls makes a small question with three pollsters, two modes,
// several polls on some days and a gap.
func randomPolls(seed uint64) (*Question, []Poll) {
	r := rand.New(rand.NewPCG(seed, 1))
	q := &Question{ID: "q", Options: []Option{{ID: "a"}, {ID: "b"}}, Events: []Event{{Date: 12}}}
	pollsters := []string{"P1", "P2", "P3"}
	modes := []Mode{ModeLive, ModeARS, ModeARS}
	var ps []Poll
	for i := 0; i < 14; i++ {
		j := r.IntN(3)
		d := Date(r.IntN(25))
		if i%5 == 0 {
			d = 3 // several polls on one day
		}
		m := modes[j]
		if j == 2 && i%2 == 0 {
			m = ModeLive // a pollster with two modes
		}
		a := 40 + 4*r.Float64() + float64(j)
		ps = append(ps, Poll{Pollster: pollsters[j], Start: d, End: d + Date(r.IntN(2)), SampleSize: 500 + r.IntN(1500),
			Mode: m, Results: SharesOf(map[string]float64{"a": a, "b": 100 - a})})
	}
	return q, ps
}

// TestKalman_MatchesDenseGLS checks the augmented filter and smoother
// against the same model solved by brute force: the polls' joint Gaussian
// covariance written out in full, GLS for θ under the anchor, and the
// conditional mean and variance of the average on every day.
func TestKalman_MatchesDenseGLS(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		q, polls := randomPolls(seed)
		pr, err := prepare(q, polls, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		f := newKfit(pr, 0, kspec{house: true, mode: true})
		f.q, f.tau2 = 0.3, 2.5
		f.ns2 = 1
		for i := range f.polls {
			f.polls[i].bv = 3 + float64(i%3) // unequal variances
		}
		f.finish()

		if f.qx == nil || f.qx[12] != 16 {
			t.Fatalf("seed %d: the event day's jump variance is missing", seed)
		}
		n, p := len(f.polls), f.p
		// Cw[t] is Var(w_t): the step variances accumulated to day t.
		Cw := make([]float64, f.T)
		for t := 1; t < f.T; t++ {
			Cw[t] = Cw[t-1] + f.q + f.qx[t]
		}
		// V = Cov(w at the polls' days) + diag(σ²/rating), X the regression rows.
		V := make([][]float64, n)
		X := make([][]float64, n)
		y := make([][]float64, n)
		for i, a := range f.polls {
			V[i] = make([]float64, n)
			for j, b := range f.polls {
				V[i][j] = Cw[min(a.day, b.day)]
			}
			V[i][i] += 1 / a.pi
			X[i] = make([]float64, p)
			X[i][0] = 1
			if a.hc >= 0 {
				X[i][a.hc] = 1
			}
			if a.mc >= 0 {
				X[i][a.mc] = 1
			}
			y[i] = []float64{a.y}
		}
		ViX, Viy := solve(V, X), solve(V, y)
		A := make([][]float64, p)
		b := make([][]float64, p)
		for r := 0; r < p; r++ {
			A[r] = make([]float64, p)
			for c := 0; c < p; c++ {
				for i := 0; i < n; i++ {
					A[r][c] += X[i][r] * ViX[i][c]
				}
			}
			b[r] = []float64{0}
			for i := 0; i < n; i++ {
				b[r][0] += X[i][r] * Viy[i][0]
			}
		}
		for _, c := range f.hcol {
			if c >= 0 {
				A[c][c] += 1 / f.tau2
			}
		}
		for _, c := range f.mcol {
			if c >= 0 {
				A[c][c] += 1 / (modePrior * modePrior)
			}
		}
		// Constrained posterior: Cov = A⁻¹ - A⁻¹C(CᵀA⁻¹C)⁻¹CᵀA⁻¹.
		id := make([][]float64, p)
		for r := range id {
			id[r] = make([]float64, p)
			id[r][r] = 1
		}
		Ai := solve(A, id)
		C := f.anchor()
		u := make([]float64, p)
		s := 0.0
		for r := 0; r < p; r++ {
			for c := 0; c < p; c++ {
				u[r] += Ai[r][c] * C[c]
			}
			s += C[r] * u[r]
		}
		cov := make([][]float64, p)
		theta := make([]float64, p)
		for r := 0; r < p; r++ {
			cov[r] = make([]float64, p)
			for c := 0; c < p; c++ {
				cov[r][c] = Ai[r][c] - u[r]*u[c]/s
				theta[r] += cov[r][c] * b[c][0]
			}
		}
		for r := 0; r < p; r++ {
			if d := math.Abs(theta[r] - f.theta[r]); d > 1e-8 {
				t.Fatalf("seed %d: θ[%d]=%v, dense %v", seed, r, f.theta[r], theta[r])
			}
			for c := 0; c < p; c++ {
				if d := math.Abs(cov[r][c] - f.cov[r*p+c]); d > 1e-8 {
					t.Fatalf("seed %d: cov[%d][%d]=%v, dense %v", seed, r, c, f.cov[r*p+c], cov[r][c])
				}
			}
		}
		for d := 0; d < f.T; d++ {
			cd := make([][]float64, n)
			for i, a := range f.polls {
				cd[i] = []float64{Cw[min(d, a.day)]}
			}
			Vic := solve(V, cd)
			g := make([]float64, p)
			g[0] = 1
			mu, P := 0.0, Cw[d]
			for i := 0; i < n; i++ {
				mu += Vic[i][0] * y[i][0]
				P -= cd[i][0] * Vic[i][0]
				for c := 0; c < p; c++ {
					g[c] -= X[i][c] * Vic[i][0]
				}
			}
			for c := 0; c < p; c++ {
				mu += g[c] * theta[c]
			}
			v := P
			for r := 0; r < p; r++ {
				for c := 0; c < p; c++ {
					v += g[r] * cov[r][c] * g[c]
				}
			}
			if math.Abs(mu-f.mu[d]) > 1e-8 || math.Abs(v-f.v[d]) > 1e-8 {
				t.Fatalf("seed %d day %d: μ=%v v=%v, dense μ=%v v=%v", seed, d, f.mu[d], f.v[d], mu, v)
			}
			// Influence: weights reproduce the estimate and match V⁻¹c + V⁻¹X·Cov·g.
			infl := f.influence(d)
			sum := 0.0
			for i := 0; i < n; i++ {
				want := Vic[i][0]
				for r := 0; r < p; r++ {
					for c := 0; c < p; c++ {
						want += ViX[i][r] * cov[r][c] * g[c]
					}
				}
				if math.Abs(infl[i]-want) > 1e-8 {
					t.Fatalf("seed %d day %d poll %d: influence %v, dense %v", seed, d, i, infl[i], want)
				}
				sum += infl[i] * f.polls[i].y
			}
			if math.Abs(sum-f.mu[d]) > 1e-8 {
				t.Fatalf("seed %d day %d: Σ influence·y = %v, estimate %v", seed, d, sum, f.mu[d])
			}
		}
	}
}

// TestKishRW checks the forward-backward Kish recursion against weights
// computed by brute force: the smoothed estimate's derivative with respect
// to each poll, for a model with only a level.
func TestKishRW(t *testing.T) {
	q, polls := randomPolls(7)
	o := DefaultOptions()
	pr, err := prepare(q, polls, o)
	if err != nil {
		t.Fatal(err)
	}
	f := newKfit(pr, 0, kspec{})
	f.q = 0.4
	f.finish()
	got := kishRW(f.H, f.e2, f.q, f.qx)
	for d := 0; d < f.T; d++ {
		w := f.influence(d)
		s1, s2 := 0.0, 0.0
		for _, x := range w {
			s1 += x
			s2 += x * x
		}
		if want := s1 * s1 / s2; math.Abs(got[d]-want) > 1e-9*want {
			t.Fatalf("day %d: NEff %v, brute force %v", d, got[d], want)
		}
	}
}

func TestGoldenMax(t *testing.T) {
	tests := []struct {
		name   string
		f      func(float64) float64
		lo, hi float64
		want   float64
	}{
		{"Parabola", func(x float64) float64 { return -(x - 1.3) * (x - 1.3) }, -5, 5, 1.3},
		{"AtEdge", func(x float64) float64 { return x }, 0, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := goldenMax(tt.f, tt.lo, tt.hi, 1e-6); math.Abs(got-tt.want) > 1e-5 {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestKalman_QUncertainty checks that widening the band for q̂'s
// uncertainty leaves the estimate, θ and the smoother state at q̂, and only
// adds to the variance (at least the 2/3 weight of q̂'s own).
func TestKalman_QUncertainty(t *testing.T) {
	q, polls := randomPolls(11)
	pr, err := prepare(q, polls, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	f := fitKalman(pr, 0, kspec{house: true, mode: true})
	g := newKfit(pr, 0, kspec{house: true, mode: true})
	g.q, g.tau2, g.ns2 = f.q, f.tau2, f.ns2
	for i := range g.polls {
		g.polls[i].bv = f.polls[i].bv
	}
	g.finish()
	widened := false
	for d := 0; d < f.T; d++ {
		if math.Abs(f.mu[d]-g.mu[d]) > 1e-9 {
			t.Fatalf("day %d: estimate %v, want %v (the estimate stays at q̂)", d, f.mu[d], g.mu[d])
		}
		if f.v[d] < 2.0/3*g.v[d]-1e-12 {
			t.Fatalf("day %d: variance %v below 2/3 of q̂'s %v", d, f.v[d], g.v[d])
		}
		widened = widened || f.v[d] > g.v[d]*(1+1e-9)
	}
	if !widened {
		t.Fatal("q̂'s uncertainty widened no day's band")
	}
	for i, w := range f.influence(f.T - 1) {
		if gw := g.influence(g.T - 1)[i]; math.Abs(w-gw) > 1e-9 {
			t.Fatalf("poll %d: influence %v, want %v (computed at q̂)", i, w, gw)
		}
	}
}

// finish computes θ, its covariance and the smoothed series for the
// current q, τ² and σ² (tests set those by hand and then call this).
func (f *kfit) finish() {
	f.aggregate()
	f.w.gls(f)
	f.w.smooth(f)
	f.spr = f.computeSpread()
}
