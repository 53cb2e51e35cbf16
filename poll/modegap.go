package poll

import (
	"math"
	"slices"
)

// ModeGap is how much more polls of mode B report an answer than polls of
// mode A, from the house-and-mode model that gives the mode effects (see
// house.go): Gap = m_B − m_A, with the standard error of the difference
// from the covariance of the two effects (which is why it is not the two
// effects' SEs added in quadrature).
type ModeGap struct {
	Option string  `json:"answer"`
	A      Mode    `json:"mode_a"`
	B      Mode    `json:"mode_b"`
	Gap    float64 `json:"gap"`
	SE     float64 `json:"se"`
	PollsA int     `json:"polls_a"`
	PollsB int     `json:"polls_b"`
}

// ModeGaps returns, for every answer of q that polls of both modes a and b
// report, the gap between the two modes' effects (b minus a). Answers
// without polls in both modes are left out, so the slice may be empty.
// Errors are those of Average.
func ModeGaps(q *Question, polls []Poll, o Options, a, b Mode) (gaps []ModeGap, err error) {
	defer func() {
		if r := recover(); r != nil {
			gaps, err = nil, Errorf(EINTERNAL, "mode gap failed: %v", r)
		}
	}()
	pr, err := prepare(q, polls, o)
	if err != nil {
		return nil, err
	}
	ia, ib := slices.Index(pr.modes, a), slices.Index(pr.modes, b)
	if ia < 0 || ib < 0 {
		return []ModeGap{}, nil
	}
	return newEngine(pr).modeGaps(ia, ib), nil
}

// modeGaps returns the gap b minus a between modes ia and ib (indexes of
// pr.modes) of every answer whose fit has a column for both.
func (e *engine) modeGaps(ia, ib int) []ModeGap {
	pr := e.pr
	gaps := []ModeGap{}
	for k, opt := range pr.opts {
		f := e.full[k]
		if f == nil || f.mcol[ia] < 0 || f.mcol[ib] < 0 {
			continue
		}
		ca, cb := f.mcol[ia], f.mcol[ib]
		v := f.cov[ca*f.p+ca] + f.cov[cb*f.p+cb] - 2*f.cov[ca*f.p+cb]
		g := ModeGap{Option: opt.ID, A: pr.modes[ia], B: pr.modes[ib], Gap: nanTo(f.theta[cb]-f.theta[ca], 0), SE: nanTo(math.Sqrt(math.Max(v, 0)), 0)}
		for _, kp := range f.polls {
			switch kp.k {
			case ia:
				g.PollsA++
			case ib:
				g.PollsB++
			}
		}
		gaps = append(gaps, g)
	}
	return gaps
}

// allModeGaps returns modeGaps for every pair of modes, each pair once
// (a before b in pr.modes).
func (e *engine) allModeGaps() []ModeGap {
	var out []ModeGap
	for ia := range e.pr.modes {
		for ib := ia + 1; ib < len(e.pr.modes); ib++ {
			out = append(out, e.modeGaps(ia, ib)...)
		}
	}
	return out
}

// ModeGap returns the gap b minus a between two modes' effects on an
// answer, as ModeGaps computes it, from the fit behind r (the house and
// mode effects of the average's own polls and options); false when that
// fit has no column for both modes on the answer.
func (r *Result) ModeGap(option string, a, b Mode) (ModeGap, bool) {
	for _, g := range r.modeGaps {
		if g.Option != option {
			continue
		}
		switch {
		case g.A == a && g.B == b:
			return g, true
		case g.A == b && g.B == a:
			return ModeGap{Option: option, A: a, B: b, Gap: -g.Gap, SE: g.SE, PollsA: g.PollsB, PollsB: g.PollsA}, true
		}
	}
	return ModeGap{}, false
}
