package poll

import (
	"math"
	"sort"
)

// The loess method: on day d, a local linear regression of the polls on
// their midpoints, fitted to the q = ⌊n·Span⌋ polls nearest to d (n is the
// number of polls reporting the answer), each weighted by
//
//	W_i = prior_i · (1 - (|t_i - d| / h)³)³
//
// where h is the distance to the q-th nearest poll and prior_i the weight
// of the weighted method without recency (sqrt(effective n) · rating ·
// response factor, shared among a pollster's polls within Window days).
// The estimate is the fitted line's value at d. With few polls the
// neighbourhood holds at least loessMinPolls polls (all of them when there
// are fewer), so that a short series is not fitted through two points. This is exactly what R's
// loess(y ~ x, weights = prior, span = Span, degree = 1, family =
// "gaussian", surface = "direct") computes; testdata/loess holds the check.

// loessMinPolls is the fewest polls a loess neighbourhood holds.
const loessMinPolls = 8

// loessAt returns the equivalent-kernel weights of loess for option k on
// day d: the estimate is Σ weight_i·y_i.
func (e *engine) loessAt(k, d int, buf []iw) []iw {
	idx, ts := e.opt[k], e.ts[k]
	prior := func(x int) float64 { return e.shr[idx[x]] }
	span := math.Max(e.pr.o.Span, loessMinPolls/float64(len(ts)))
	lw := loessWeights(ts, prior, float64(d), span, e.scratch[k])
	e.scratch[k] = lw.w
	for x, w := range lw.w {
		if w != 0 {
			buf = append(buf, iw{i: idx[lw.lo+x], w: w})
		}
	}
	return buf
}

// nearestRun returns the run [lo, hi) of the q points of sorted xs
// nearest to x0, a tie between a point on the left and one on the right
// going to the left one. The q nearest points of sorted data are always
// contiguous, so the run is found by bisecting its start in O(log n)
// rather than by growing it point by point from x0 in O(q): the window
// slides right while the point it would drop on the left is farther from
// x0 than the one it would take on the right.
func nearestRun(xs []float64, x0 float64, q int) (lo, hi int) {
	n := len(xs)
	pos := sort.SearchFloat64s(xs, x0) // the first point at or right of x0
	l, r := max(0, pos-q), min(pos, n-q)
	for l < r {
		m := int(uint(l+r) >> 1)
		if x0-xs[m] > xs[m+q]-x0 {
			l = m + 1
		} else {
			r = m
		}
	}
	return l, l + q
}

// loessKernel is the equivalent kernel of a local linear fit at one point:
// the estimate is Σ w[x]·y[lo+x].
type loessKernel struct {
	lo int
	w  []float64
}

// loessWeights returns the local linear equivalent kernel at x0 for sorted
// points xs with prior weights prior(i) and the given span, as R's loess
// computes it. w, when not nil, is reused.
func loessWeights(xs []float64, prior func(int) float64, x0, span float64, w []float64) loessKernel {
	n := len(xs)
	q := int(math.Floor(float64(n)*span + 1e-5))
	q = max(1, min(q, n))
	lo, hi := nearestRun(xs, x0, q)
	h := math.Max(x0-xs[lo], xs[hi-1]-x0)
	if cap(w) < hi-lo {
		w = make([]float64, hi-lo)
	}
	w = w[:hi-lo]
	var s0, s1, s2 float64
	for scale := 1.0; ; scale *= 2 {
		hh := h * scale
		s0, s1, s2 = 0, 0, 0
		for x := lo; x < hi; x++ {
			u := xs[x] - x0
			var k float64
			if hh == 0 {
				k = 1
			} else if r := math.Abs(u) / hh; r < 1 {
				c := 1 - r*r*r
				k = c * c * c
			}
			wx := prior(x) * k
			w[x-lo] = wx
			s0 += wx
			s1 += wx * u
			s2 += wx * u * u
		}
		if s0 > 0 || scale > 4 {
			break
		}
		// Only boundary points (weight 0): widen, as a wider span would.
	}
	if !(s0 > 0) {
		for x := range w {
			w[x] = 1 / float64(len(w))
		}
		return loessKernel{lo: lo, w: w}
	}
	det := s0*s2 - s1*s1
	if det <= 1e-12*s0*s2 || det <= 0 {
		// All points at one distance: the slope is not identified; use
		// the weighted mean (as a pseudo-inverse does).
		for x := range w {
			w[x] /= s0
		}
		return loessKernel{lo: lo, w: w}
	}
	for x := range w {
		u := xs[lo+x] - x0
		w[x] *= (s2 - u*s1) / det
	}
	return loessKernel{lo: lo, w: w}
}
