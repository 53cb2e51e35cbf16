package web

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// This file shows what pollagg knows of reality on a question's page and
// in its downloads: the question's result (the true shares on a date) and
// what the band of the average means, with the shared error it carries.

// calibNote is the question page's part about the band and the result.
type calibNote struct {
	// Band is the one sentence that says what the shaded band means.
	Band string
	// SharedError is the form's shared_error value: the view's, or ""
	// when the band carries the default; Placeholder is that default.
	SharedError string
	Placeholder string
	Ratings     bool
	Result      *resultView // nil when the question has no result
}

// resultView is a question's result as the page lists it.
type resultView struct {
	Date      poll.Date
	Shares    []resultShare // in the question's order of options
	Revisions []resultRevision
}

type resultShare struct {
	ID    string
	Label string
	Pct   float64
}

// resultRevision is one recorded version of the result.
type resultRevision struct {
	Number   int
	Recorded time.Time
	By       string
	Date     poll.Date
	Shares   string // "Dem 56.9%, Rep 43.1%"
}

// newCalibNote builds the page's band sentence, the form's calibration
// fields and the result.
func newCalibNote(lang string, comp *Computed, v View) *calibNote {
	n := &calibNote{Band: bandSentence(lang, comp, v), Ratings: !v.NoRatings,
		Placeholder: formatFloat(comp.Calibration.SharedErrorFor(v.Options.Method, comp.Pollsters))}
	if v.SharedErrorSet {
		n.SharedError = formatFloat(v.Options.SharedError)
	}
	n.Result = newResultView(lang, comp.Question)
	return n
}

// bandSentence says in one sentence what the band means, with the shared
// error it carries and where that figure comes from.
func bandSentence(lang string, comp *Computed, v View) string {
	x := pointsText(comp.SharedError)
	switch sharedErrorSource(v, comp.Calibration) {
	case "view":
		if comp.SharedError == 0 {
			return site.Translate(lang, "q.band.zero")
		}
		return site.Translate(lang, "q.band", x, site.Translate(lang, "q.band.view"))
	case "learned":
		return site.Translate(lang, "q.band", x, site.Translate(lang, "q.band.learned", comp.Calibration.Questions, comp.Pollsters))
	}
	return site.Translate(lang, "q.band", x, site.Translate(lang, "q.band.default", comp.Pollsters))
}

// newResultView returns q's result for the page, nil without one.
func newResultView(lang string, q *poll.Question) *resultView {
	res := q.Result()
	if res == nil {
		return nil
	}
	rv := &resultView{Date: res.Date, Shares: resultShares(lang, q, res)}
	for i := len(q.ResultHistory) - 1; i >= 0; i-- {
		rev := q.ResultHistory[i]
		text := ""
		for j, s := range resultShares(lang, q, &rev.Outcome) {
			if j > 0 {
				text += ", "
			}
			text += s.Label + " " + site.FormatNum(s.Pct, 1) + "%"
		}
		rv.Revisions = append(rv.Revisions, resultRevision{Number: rev.Number, Recorded: rev.Recorded, By: rev.By,
			Date: rev.Outcome.Date, Shares: text})
	}
	return rv
}

// resultShares lists an outcome's shares in the question's order of
// options, then any answer the question no longer has.
func resultShares(lang string, q *poll.Question, o *poll.Outcome) []resultShare {
	var out []resultShare
	seen := map[string]bool{}
	for _, opt := range q.Options {
		if v, ok := o.Shares[opt.ID]; ok {
			out = append(out, resultShare{ID: opt.ID, Label: opt.Label(lang), Pct: v})
			seen[opt.ID] = true
		}
	}
	var rest []string
	for id := range o.Shares {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range rest {
		out = append(out, resultShare{ID: id, Label: id, Pct: o.Shares[id]})
	}
	return out
}

// chartResult is the result as the chart's tooltip shows it.
type chartResult struct {
	X      int64    `json:"x"`    // the result's day, ms since 1970 (UTC)
	Date   string   `json:"date"` // in the page's language
	Shares [][2]any `json:"shares"`
}

// addResultMarks draws the question's result on the chart: per charted
// answer a marked point (a diamond in the answer's colour) at the
// result's date, labelled with its value and the date, on a scatter
// series named like the answer (so its legend entry hides it too), unless
// the view's from and to leave the result's date out. It returns the
// chart's x range widened to show the result.
func addResultMarks(sc *charts.Scatter, lang string, q *poll.Question, p *chartPayload, v View, xmin, xmax poll.Date) (poll.Date, poll.Date) {
	res := q.Result()
	if res == nil || v.Options.From != nil && res.Date < *v.Options.From || v.Options.To != nil && res.Date > *v.Options.To {
		return xmin, xmax
	}
	date := formatDate(lang, res.Date)
	cr := &chartResult{X: ms(res.Date), Date: date}
	for _, a := range p.Answers {
		v, ok := res.Shares[a.ID]
		if !ok || math.IsNaN(v) {
			continue
		}
		cr.Shares = append(cr.Shares, [2]any{a.Label, v})
		name := fmt.Sprintf("%s%% · %s", site.FormatNum(v, 1), date)
		sc.AddSeries(a.Label, []opts.ScatterData{{Name: name, Value: []any{cr.X, round2(v)}, Symbol: "diamond", SymbolSize: 16}},
			charts.WithSeriesId("result-"+a.ID),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: a.Color, BorderColor: "#111", BorderWidth: 1.5}),
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{b}", Position: "right", Color: "#111"}),
		)
	}
	if len(cr.Shares) == 0 {
		return xmin, xmax
	}
	p.Result = cr
	return min(xmin, res.Date), max(xmax, res.Date)
}

// resultColumnText describes the questions download's result columns.
const resultColumnText = "the question's true outcome (an election's result): its date, and each answer's share as answer:pct " +
	"separated by ';'; empty when it has none"

// resultDateCell is a result's date for CSV; empty without a result.
func resultDateCell(o *poll.Outcome) string {
	if o == nil {
		return ""
	}
	return o.Date.String()
}

// resultSharesCell is a result's shares for CSV, "dem:56.921;rep:43.079" in
// the order of the answer ids; empty without a result.
func resultSharesCell(o *poll.Outcome) string {
	if o == nil {
		return ""
	}
	ids := make([]string, 0, len(o.Shares))
	for id := range o.Shares {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ";"
		}
		s += id + ":" + rawCell(o.Shares[id])
	}
	return textCell(s)
}
