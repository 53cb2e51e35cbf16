package poll

import "sort"

// The latest method: on day d, the plain mean of each pollster's most
// recent poll whose midpoint falls in the Window days up to d (what
// RealClearPolitics does). When no poll falls in the window (a gap of
// months), the window is anchored at the most recent poll instead, so the
// average carries the last known polls forward; before the first poll it
// takes the first polls.

// latestAt returns the weights of the latest method for option k on day d.
func (e *engine) latestAt(k, d int, buf []iw) []iw {
	pr := e.pr
	idx, ts := e.opt[k], e.ts[k]
	// Polls whose midpoint day is d or earlier: ts[:hi].
	hi := sort.SearchFloat64s(ts, float64(d+1))
	if hi == 0 {
		// Before the first poll: look from the first poll's day.
		d = pr.polls[idx[0]].day
		hi = sort.SearchFloat64s(ts, float64(d+1))
	}
	anchor := d
	if last := pr.polls[idx[hi-1]].day; d-last >= pr.o.Window {
		anchor = last
	}
	seen := e.counts[k] // 0 or 1 per pollster, cleared below
	for x := hi - 1; x >= 0; x-- {
		p := &pr.polls[idx[x]]
		if anchor-p.day >= pr.o.Window {
			break
		}
		if seen[p.pollster] != 0 {
			continue
		}
		seen[p.pollster] = 1
		buf = append(buf, iw{i: idx[x]})
	}
	for _, b := range buf {
		seen[pr.polls[b.i].pollster] = 0
	}
	w := 1 / float64(len(buf))
	for x := range buf {
		buf[x].w = w
	}
	return buf
}
