package poll

import (
	"math"
	"sort"
)

// The weighted method: on day d, the weighted mean of the polls whose
// midpoints lie within Window days of d (on either side, so that the past
// is smoothed with hindsight; the last day only has polls before it), each
// weighted by
//
//	w_i = prior_i · 2^(-|t_i - d| / HalfLife) / m_j(i)(d)
//
// where prior_i is sqrt(effective n) · pollster rating · response factor
// and m_j(d) the number of pollster j's polls within the window (when
// SharePollster is set). When no poll is that close (a gap), the reach
// grows to the nearest poll.

// weightedAt returns the weights of the weighted method for option k on
// day d.
func (e *engine) weightedAt(k, d int, buf []iw) []iw {
	pr := e.pr
	idx, ts := e.opt[k], e.ts[k]
	x0 := float64(d)
	reach := float64(pr.o.Window)
	lo := sort.SearchFloat64s(ts, x0-reach)
	hi := sort.SearchFloat64s(ts, math.Nextafter(x0+reach, math.Inf(1)))
	if lo == hi {
		// No poll within reach: reach the nearest one.
		near := math.Inf(1)
		if lo < len(ts) {
			near = ts[lo] - x0
		}
		if lo > 0 {
			near = math.Min(near, x0-ts[lo-1])
		}
		reach = near
		lo = sort.SearchFloat64s(ts, x0-reach)
		hi = sort.SearchFloat64s(ts, math.Nextafter(x0+reach, math.Inf(1)))
	}
	count := e.counts[k]
	if pr.o.SharePollster {
		for x := lo; x < hi; x++ {
			count[pr.polls[idx[x]].pollster]++
		}
	}
	sum := 0.0
	for x := lo; x < hi; x++ {
		p := &pr.polls[idx[x]]
		w := p.base * math.Exp2(-math.Abs(ts[x]-x0)/pr.o.HalfLife)
		if pr.o.SharePollster {
			w /= float64(count[p.pollster])
		}
		buf = append(buf, iw{i: idx[x], w: w})
		sum += w
	}
	if pr.o.SharePollster {
		for x := lo; x < hi; x++ {
			count[pr.polls[idx[x]].pollster] = 0
		}
	}
	if !(sum > 0) {
		// Every weight underflowed (a gap of years): weigh them equally.
		for x := range buf {
			buf[x].w = 1
		}
		sum = float64(len(buf))
	}
	for x := range buf {
		buf[x].w /= sum
	}
	return buf
}
