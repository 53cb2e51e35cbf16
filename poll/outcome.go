package poll

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Outcome is the true answer to a question on a date: the certified result
// of an election or a referendum, in the same shares (0-100) the polls
// report. A question with an outcome lets pollagg score its averages and
// its pollsters against reality (see Backtest and RatePollsters).
type Outcome struct {
	Date   Date               `json:"date"`
	Shares map[string]float64 `json:"shares"`
}

// OutcomeRevision is one version of a question's outcome as it was
// recorded. Setting a different outcome adds a revision; the old ones are
// kept, like a poll's.
type OutcomeRevision struct {
	Number   int       `json:"revision"`
	Outcome  Outcome   `json:"result"`
	Recorded time.Time `json:"recorded"`
	By       string    `json:"by,omitempty"` // "cli", "operator" or the file it came from
}

// OutcomeSumTolerance is how far from 100 an outcome's shares may sum:
// the shares are of the answers the polls report, so together they make
// the whole, give or take rounding.
const OutcomeSumTolerance = 1.5

// Result returns the question's current outcome, or nil when it has none.
func (q *Question) Result() *Outcome {
	if len(q.ResultHistory) == 0 {
		return nil
	}
	return &q.ResultHistory[len(q.ResultHistory)-1].Outcome
}

// SetResult records o as the question's outcome at time now, by by. It
// reports false, and changes nothing, when o equals the current outcome.
func (q *Question) SetResult(o Outcome, now time.Time, by string) bool {
	if cur := q.Result(); cur != nil && cur.Equal(&o) {
		return false
	}
	q.ResultHistory = append(q.ResultHistory, OutcomeRevision{Number: len(q.ResultHistory) + 1, Outcome: o, Recorded: now, By: by})
	return true
}

// Equal reports whether o and p give the same date and shares.
func (o *Outcome) Equal(p *Outcome) bool {
	if o.Date != p.Date || len(o.Shares) != len(p.Shares) {
		return false
	}
	for k, v := range o.Shares {
		if w, ok := p.Shares[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Validate checks o against q: every answer is one of q's options, every
// share is within 0-100, and the shares sum to 100 within
// OutcomeSumTolerance. It returns each problem tied to a field.
func (o *Outcome) Validate(q *Question) []FieldError {
	var errs []FieldError
	if len(o.Shares) < 2 {
		errs = append(errs, FieldError{"answer", "an outcome needs the shares of at least two answers"})
	}
	sum := 0.0
	for _, id := range sortedKeys(o.Shares) {
		v := o.Shares[id]
		if _, ok := q.Option(id); !ok {
			errs = append(errs, FieldError{"answer", fmt.Sprintf("unknown answer %q: question %q has options %s", id, q.ID, strings.Join(q.OptionIDs(), ", "))})
			continue
		}
		if math.IsNaN(v) || v < 0 || v > 100 {
			errs = append(errs, FieldError{"pct", fmt.Sprintf("share %s of %q is outside 0-100", fmtNum(v), id)})
			continue
		}
		sum += v
	}
	if len(errs) == 0 && math.Abs(sum-100) > OutcomeSumTolerance {
		errs = append(errs, FieldError{"pct", fmt.Sprintf("the shares sum to %s%%, not 100: give every answer's share of the whole", fmtNum(math.Round(sum*1000)/1000))})
	}
	return errs
}
