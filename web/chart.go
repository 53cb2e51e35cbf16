package web

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// ChartID is the DOM id of the chart's element and of its JSON block. It
// is fixed, so that the output is deterministic, and a JS identifier.
const ChartID = "trend"

// chartPayload is what a question page hands its chart script
// (web/js/chart.js, served minified as static/chart.js) as JSON in <script type="application/json">:
// ECharts' option object as go-echarts builds it, without the series'
// data, plus that data in compact columns (numbers in arrays, every
// string once) from which the script fills in the series and the
// tooltip. It is never rendered by go-echarts' own templates, whose
// inline script lets a name containing </script> or __f__ run as code;
// encoding/json escapes <, > and & and leaves __f__ as plain text.
type chartPayload struct {
	Option  map[string]any    `json:"option"`
	Lang    string            `json:"lang"`
	Text    map[string]string `json:"text"`             // labels for the tooltip
	Answers []chartAnswer     `json:"answers"`          // the answers charted, in order
	Polls   chartPolls        `json:"polls"`            // indexed by the dots' third value
	Result  *chartResult      `json:"result,omitempty"` // the question's result (results.go)
}

// chartAnswer is one charted answer and its daily average.
type chartAnswer struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Color string `json:"color"`
	// First is the average's first day (days since 1970); Est, Lower and
	// Upper hold the estimate and its 95% band on each day from it.
	First int64   `json:"first"`
	Est   numbers `json:"est"`
	Lower numbers `json:"lo"`
	Upper numbers `json:"hi"`
}

// answerColors are the answers' colours by option id; other answers take
// fallbackColors in turn. Blue and vermilion stay apart for colour-blind
// readers.
var answerColors = map[string]string{
	"support": "#1f6fb4", "approve": "#1f6fb4", "positive": "#1f6fb4",
	"oppose": "#c8412c", "disapprove": "#c8412c", "negative": "#c8412c",
	"undecided": "#7f7f7f",
}

var fallbackColors = []string{"#1f6fb4", "#c8412c", "#2a9d5c", "#8e5bb5", "#d08a21", "#7f7f7f"}

// eventReach is how many days before the first or after the last day of
// an average an event may lie and still be drawn.
const eventReach = 30

// dayMS is one day in milliseconds, the unit of ECharts' time axis.
const dayMS = 86400000

// ms returns the start of day d (UTC) in milliseconds since 1970.
func ms(d poll.Date) int64 { return int64(d) * dayMS }

// round2 rounds to two decimals: enough for a chart, and a smaller page.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// buildChart returns the chart of an averaged question as JSON (a
// chartPayload): per answer, its daily average as a line with the shaded
// 95% band around it, and every poll as a dot sized by its sample size;
// the question's events as marked lines; a time axis with zoom (inside
// and a slider), a legend that hides answers, and a save-as-image button.
// All series of one answer share its name, so its legend entry hides
// line, band and dots together. The series' points travel in the
// payload's columns, not in the option: chart.js puts them in.
func buildChart(lang string, q *poll.Question, comp *Computed, view View) ([]byte, error) {
	r := comp.Result
	if r == nil || len(r.Series) == 0 || len(r.Series[0].Points) == 0 {
		return nil, nil
	}
	first := r.Series[0].Points[0].Date
	last := r.Series[0].Points[len(r.Series[0].Points)-1].Date
	keepAnswer := func(id string) bool { return len(view.Answers) == 0 || slices.Contains(view.Answers, id) }

	p := &chartPayload{Lang: lang, Text: map[string]string{
		"estimate": site.Translate(lang, "chart.estimate"),
		"band":     site.Translate(lang, "chart.band"),
		"polls":    site.Translate(lang, "chart.polls"),
		"n":        site.Translate(lang, "chart.n"),
		"weight":   site.Translate(lang, "chart.weight"),
		"sponsor":  site.Translate(lang, "chart.sponsor"),
		"result":   site.Translate(lang, "chart.result"),
	}}

	// the polls the dots stand for, with what their tooltips show, in
	// the order of their start (which keeps Start's deltas small)
	weights := comp.pollWeights()
	lo, hi := math.Inf(1), math.Inf(-1)
	see := func(v float64) { lo, hi = math.Min(lo, v), math.Max(hi, v) }
	var charted []int // indexes into comp.Polls
	for i := range comp.Polls {
		x := int64(math.Round(comp.Polls[i].MidpointExact() * dayMS))
		if x < ms(first) || x > ms(last)+dayMS-1 {
			continue // outside the charted days (from/to)
		}
		charted = append(charted, i)
	}
	slices.SortStableFunc(charted, func(a, b int) int { return int(comp.Polls[a].Start) - int(comp.Polls[b].Start) })
	cp := &p.Polls
	n := len(charted)
	cp.Start, cp.Len, cp.N, cp.Weight = make(numbers, n), make(numbers, n), make(numbers, n), make(numbers, n)
	cp.Pollster, cp.Sponsor, cp.Mode = make(numbers, n), make(numbers, n), make(numbers, n)
	pollsters, sponsors, modes := newInterner(&cp.Names.Pollster), newInterner(&cp.Names.Sponsor), newInterner(&cp.Names.Mode)
	prev := poll.Date(0)
	for i, k := range charted {
		pl := &comp.Polls[k]
		cp.Start[i] = float64(pl.Start - prev)
		prev = pl.Start
		cp.Len[i] = float64(pl.End - pl.Start)
		cp.N[i] = float64(max(pl.SampleSize, 0))
		cp.Weight[i] = math.NaN()
		if w := weights[k]; !math.IsNaN(w) {
			cp.Weight[i] = round2(100 * w)
		}
		cp.Pollster[i] = pollsters.id(pl.Pollster)
		cp.Sponsor[i] = -1
		if pl.Sponsor != "" {
			cp.Sponsor[i] = sponsors.id(pl.Sponsor)
		}
		cp.Mode[i] = modes.id(site.Translate(lang, "mode."+modeName(pl.Mode)))
	}
	cp.Results = []chartShares{}
	for _, o := range q.Options {
		res := chartShares{ID: o.ID, Label: o.Label(lang), Values: make(numbers, n)}
		reported := false
		for i, k := range charted {
			res.Values[i] = math.NaN()
			if v, ok := comp.Polls[k].Results.Get(o.ID); ok {
				res.Values[i], reported = v, true
				if keepAnswer(o.ID) {
					see(v)
				}
			}
		}
		if reported {
			cp.Results = append(cp.Results, res)
		}
	}

	line := charts.NewLine()
	scatter := charts.NewScatter()
	var legend []string
	for i, s := range r.Series {
		if !keepAnswer(s.Option) {
			continue
		}
		label, undecided := s.Option, false
		if o, ok := q.Option(s.Option); ok {
			label, undecided = o.Label(lang), o.Undecided
		}
		color, ok := answerColors[s.Option]
		if !ok {
			color = fallbackColors[i%len(fallbackColors)]
		}
		a := chartAnswer{ID: s.Option, Label: label, Color: color,
			Est: make(numbers, len(s.Points)), Lower: make(numbers, len(s.Points)), Upper: make(numbers, len(s.Points))}
		if len(s.Points) > 0 {
			a.First = int64(s.Points[0].Date)
		}
		for j, pt := range s.Points {
			a.Est[j], a.Lower[j], a.Upper[j] = round2(pt.Estimate), round2(pt.Lower), round2(pt.Upper)
			see(pt.Lower)
			see(pt.Upper)
		}
		p.Answers = append(p.Answers, a)
		legend = append(legend, label)

		width := float32(2.5)
		if undecided {
			width = 1.5
		}
		line.AddSeries(label, nil,
			charts.WithSeriesId("avg-"+s.Option),
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Symbol: "circle"}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: color, Width: width}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
		)
		// The band: an invisible lower bound, and the band's width stacked
		// on it (ECharts fills between a stacked series and the one below).
		stack := "band-" + s.Option
		line.AddSeries(label, nil,
			charts.WithSeriesId("lower-"+s.Option),
			charts.WithLineChartOpts(opts.LineChart{Stack: stack, ShowSymbol: opts.Bool(false), Symbol: "none"}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: color, Opacity: opts.Float(0)}),
			charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
		)
		line.AddSeries(label, nil,
			charts.WithSeriesId("band-"+s.Option),
			charts.WithLineChartOpts(opts.LineChart{Stack: stack, ShowSymbol: opts.Bool(false), Symbol: "none"}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: color, Opacity: opts.Float(0)}),
			charts.WithAreaStyleOpts(opts.AreaStyle{Color: color, Opacity: opts.Float(0.18)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
		)
		scatter.AddSeries(label, nil,
			charts.WithSeriesId("polls-"+s.Option),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color, Opacity: opts.Float(0.65), BorderColor: "#fff", BorderWidth: 1}),
		)
	}
	if len(p.Answers) == 0 {
		return nil, nil
	}

	// Events ride on a series of their own, outside the legend, so that
	// hiding an answer never hides them. The time axis stretches to show
	// events up to eventReach days before or after the average.
	var marks []opts.MarkLineNameXAxisItem
	xmin, xmax := first, last
	for _, ev := range q.Events {
		if ev.Date >= first-eventReach && ev.Date <= last+eventReach {
			marks = append(marks, opts.MarkLineNameXAxisItem{Name: ev.Label(lang), XAxis: ms(ev.Date)})
			xmin, xmax = min(xmin, ev.Date), max(xmax, ev.Date)
		}
	}
	if len(marks) > 0 {
		line.AddSeries("events", []opts.LineData{{Value: []any{ms(first), nil}}},
			charts.WithSeriesId("events"),
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Symbol: "none"}),
			charts.WithMarkLineNameXAxisItemOpts(marks...),
			charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
				Symbol:    []string{"none", "none"},
				Label:     &opts.Label{Show: opts.Bool(true), Formatter: "{b}", Position: "insideEndTop", Color: "#444"},
				LineStyle: &opts.LineStyle{Color: "#888", Type: "dashed", Width: 1},
			}),
		)
	}
	xmin, xmax = addResultMarks(scatter, lang, q, p, view, xmin, xmax)
	if p.Result != nil {
		for _, sh := range p.Result.Shares {
			see(sh[1].(float64))
		}
	}
	line.Overlap(scatter)
	// A margin on both sides keeps the first and last dots and the event
	// labels clear of the axes: a day, or 2% of a long span.
	pad := max(1, int(xmax-xmin)/50)
	xmin, xmax = xmin-poll.Date(pad), xmax+poll.Date(pad)

	ymin := math.Max(0, math.Floor((lo-3)/10)*10)
	ymax := math.Min(100, math.Ceil((hi+3)/10)*10)
	if math.IsInf(lo, 0) || ymax <= ymin {
		ymin, ymax = 0, 100
	}
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: ChartID, Width: "100%", Height: "440px", AssetsHost: "/static/echarts/"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Data: legend, Top: "0", Left: "0", Type: "scroll"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(true), Right: "0", Top: "0", Feature: &opts.ToolBoxFeature{
			SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Type: "png", Name: "pollagg-" + q.ID, Title: site.Translate(lang, "chart.save")},
		}}),
		charts.WithXAxisOpts(opts.XAxis{Type: "time", Min: ms(xmin), Max: ms(xmax)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: ymin, Max: ymax, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
		charts.WithDataZoomOpts(
			opts.DataZoom{Type: "inside", XAxisIndex: 0, FilterMode: "none"},
			opts.DataZoom{Type: "slider", XAxisIndex: 0, FilterMode: "none"},
		),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "48", Bottom: "56", ContainLabel: opts.Bool(true)}),
	)
	line.Validate()
	p.Option = line.JSON()
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("web: chart of %s: %w", q.ID, err)
	}
	return b, nil
}

// dotSize is a poll dot's diameter in pixels: its area grows with the
// sample size (a poll of 1,000 is about 11 px, 4,000 about 18); a poll
// without a sample size is small.
func dotSize(n int) int {
	if n <= 0 {
		return 6
	}
	d := 4 + math.Sqrt(float64(n))/4.5
	return int(math.Round(math.Max(6, math.Min(22, d))))
}

// Field formats a poll's field period in the page's language.
func (p *Page) Field(start, end poll.Date) string { return fieldDates(p.Lang, start, end) }

// fieldDates formats a field period: "2023년 3월 3일–4일" or "Mar 3–4, 2023".
func fieldDates(lang string, start, end poll.Date) string {
	if start == end {
		return formatDate(lang, start)
	}
	s, e := start.Time(), end.Time()
	if s.Year() == e.Year() {
		if lang == "ko" {
			if s.Month() == e.Month() {
				return fmt.Sprintf("%d년 %d월 %d일–%d일", s.Year(), s.Month(), s.Day(), e.Day())
			}
			return fmt.Sprintf("%d년 %d월 %d일–%d월 %d일", s.Year(), s.Month(), s.Day(), e.Month(), e.Day())
		}
		if s.Month() == e.Month() {
			return fmt.Sprintf("%s %d–%d, %d", s.Format("Jan"), s.Day(), e.Day(), s.Year())
		}
		return fmt.Sprintf("%s %d – %s %d, %d", s.Format("Jan"), s.Day(), e.Format("Jan"), e.Day(), s.Year())
	}
	return formatDate(lang, start) + " – " + formatDate(lang, end)
}
