package web

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
)

// chartFixture averages a small question: three polls, two answers, one
// event inside the polls' period.
func chartFixture(t *testing.T, optionLabel string) (*poll.Question, *Computed) {
	t.Helper()
	d := func(s string) poll.Date {
		v, err := poll.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	q := &poll.Question{ID: "q1", TitleEn: "Q", TitleKo: "질문",
		Options: []poll.Option{{ID: "support", LabelEn: optionLabel, LabelKo: "찬성"}, {ID: "oppose", LabelEn: "Oppose", LabelKo: "반대"}},
		Events:  []poll.Event{{Date: d("2023-03-05"), LabelEn: "Plan </script> announced", LabelKo: "발표"}},
	}
	polls := []poll.Poll{
		{ID: "a", QuestionID: "q1", Pollster: "Alpha", Start: d("2023-03-01"), End: d("2023-03-02"), SampleSize: 1000, Mode: poll.ModeLive, Results: poll.SharesOf(map[string]float64{"support": 40, "oppose": 55})},
		{ID: "b", QuestionID: "q1", Pollster: "__f__alert(1)__f__", Start: d("2023-03-04"), End: d("2023-03-06"), SampleSize: 2500, Mode: poll.ModeARS, Results: poll.SharesOf(map[string]float64{"support": 44, "oppose": 50})},
		{ID: "c", QuestionID: "q1", Pollster: "Gamma", Sponsor: "Paper", Start: d("2023-03-09"), End: d("2023-03-10"), Mode: poll.ModeOnline, Results: poll.SharesOf(map[string]float64{"support": 42, "oppose": 51})},
	}
	res, err := poll.Average(q, polls, poll.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return q, &Computed{Question: q, Polls: polls, Result: res}
}

func decodeChart(t *testing.T, b []byte) (chartPayload, []map[string]any) {
	t.Helper()
	var p chartPayload
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("chart JSON: %v", err)
	}
	var series []map[string]any
	for _, s := range p.Option["series"].([]any) {
		series = append(series, s.(map[string]any))
	}
	return p, series
}

func TestBuildChartSeries(t *testing.T) {
	q, comp := chartFixture(t, "Support")
	b, err := buildChart("en", q, comp, defaultView())
	if err != nil {
		t.Fatal(err)
	}
	p, series := decodeChart(t, b)
	var ids []string
	byID := map[string]map[string]any{}
	for _, s := range series {
		id := s["id"].(string)
		ids = append(ids, id)
		byID[id] = s
	}
	want := "avg-support lower-support band-support avg-oppose lower-oppose band-oppose events polls-support polls-oppose"
	if got := strings.Join(ids, " "); got != want {
		t.Fatalf("series = %s\nwant      %s", got, want)
	}
	// every series of an answer carries the answer's name, so the legend hides them together
	for _, id := range []string{"avg-support", "lower-support", "band-support", "polls-support"} {
		if byID[id]["name"] != "Support" {
			t.Errorf("%s is named %v", id, byID[id]["name"])
		}
	}
	if byID["lower-support"]["stack"] != "band-support" || byID["band-support"]["stack"] != "band-support" {
		t.Error("the band's two series are not stacked together")
	}
	// the option carries no points: they travel in the payload's columns
	for id, sr := range byID {
		if d, ok := sr["data"].([]any); ok && len(d) > 0 && id != "events" {
			t.Errorf("series %s carries %d points in the option", id, len(d))
		}
	}
	// the average and its band, day by day from the first
	pts := comp.Result.Series[0].Points
	a := p.Answers[0]
	if a.ID != "support" || a.First != int64(pts[0].Date) {
		t.Fatalf("first answer %s from day %d, want support from %d", a.ID, a.First, pts[0].Date)
	}
	if len(a.Est) != len(pts) || len(a.Lower) != len(pts) || len(a.Upper) != len(pts) {
		t.Fatalf("series lengths %d/%d/%d, want %d days", len(a.Est), len(a.Lower), len(a.Upper), len(pts))
	}
	for i, pt := range pts {
		if math.Abs(a.Est[i]-pt.Estimate) > 0.006 || math.Abs(a.Lower[i]-pt.Lower) > 0.006 || math.Abs(a.Upper[i]-pt.Upper) > 0.006 {
			t.Errorf("day %d: average %v (%v–%v), want %v (%v–%v)", i, a.Est[i], a.Lower[i], a.Upper[i], pt.Estimate, pt.Lower, pt.Upper)
		}
	}
	// one column entry per poll, in the order of their start; every
	// string once in the names
	polls := expandPolls(t, p)
	if len(polls) != 3 {
		t.Fatalf("%d polls in the chart, want 3", len(polls))
	}
	for i, pl := range polls {
		src := comp.Polls[i] // the fixture's polls start in this order
		if pl.Pollster != src.Pollster || pl.Start != src.Start || pl.End != src.End || pl.N != src.SampleSize ||
			pl.Results["support"] != src.Results.Pct("support") || pl.Results["oppose"] != src.Results.Pct("oppose") {
			t.Errorf("chart poll %d = %+v, want %+v", i, pl, src)
		}
	}
	if w := polls[0].Weight; math.IsNaN(w) || w <= 0 || w > 100 {
		t.Errorf("poll weight = %v, want a percentage", w)
	}
	if polls[2].N != 0 || polls[2].Sponsor != "Paper" || polls[2].Mode != "online" || polls[0].Sponsor != "" {
		t.Errorf("polls in the chart: %+v", polls)
	}
	// events, axes, zoom, legend, save button
	ml := byID["events"]["markLine"].(map[string]any)["data"].([]any)
	if len(ml) != 1 || ml[0].(map[string]any)["name"] != "Plan </script> announced" {
		t.Errorf("event marks = %v", ml)
	}
	opt := p.Option
	x := opt["xAxis"].([]any)[0].(map[string]any)
	if x["type"] != "time" || x["min"].(float64) >= float64(int64(pts[0].Date)*dayMS) {
		t.Errorf("x axis = %v", x)
	}
	if dz := opt["dataZoom"].([]any); len(dz) != 2 {
		t.Errorf("dataZoom = %v", dz)
	}
	if lg := opt["legend"].(map[string]any)["data"].([]any); len(lg) != 2 || lg[0] != "Support" || lg[1] != "Oppose" {
		t.Errorf("legend = %v (the helper series must stay out of it)", lg)
	}
	if !strings.Contains(string(b), `"saveAsImage":{"show":true,"type":"png","name":"pollagg-q1"`) {
		t.Error("no save-as-image button")
	}
}

// chartTestPoll is one poll of a chart payload's columns.
type chartTestPoll struct {
	Start, End        poll.Date
	N                 int
	Weight            float64 // NaN: none
	Pollster, Sponsor string
	Mode              string
	Results           map[string]float64
}

// expandPolls reads a chart payload's poll columns back into polls,
// checking that every column has one entry per poll.
func expandPolls(tb testing.TB, p chartPayload) []chartTestPoll {
	tb.Helper()
	c := p.Polls
	n := len(c.Start)
	for name, col := range map[string]numbers{"len": c.Len, "n": c.N, "weight": c.Weight, "pollster": c.Pollster, "sponsor": c.Sponsor, "mode": c.Mode} {
		if len(col) != n {
			tb.Fatalf("chart column %s has %d entries for %d polls", name, len(col), n)
		}
	}
	out := make([]chartTestPoll, n)
	day := 0.0
	for i := range out {
		day += c.Start[i]
		pl := chartTestPoll{Start: poll.Date(day), End: poll.Date(day + c.Len[i]), N: int(c.N[i]), Weight: c.Weight[i],
			Pollster: c.Names.Pollster[int(c.Pollster[i])], Mode: c.Names.Mode[int(c.Mode[i])], Results: map[string]float64{}}
		if s := int(c.Sponsor[i]); s >= 0 {
			pl.Sponsor = c.Names.Sponsor[s]
		}
		for _, r := range c.Results {
			if len(r.Values) != n {
				tb.Fatalf("chart results of %s have %d entries for %d polls", r.ID, len(r.Values), n)
			}
			if !math.IsNaN(r.Values[i]) {
				pl.Results[r.ID] = r.Values[i]
			}
		}
		out[i] = pl
	}
	return out
}

func TestBuildChartDeterministicAndEscaped(t *testing.T) {
	q, comp := chartFixture(t, `</script><script>alert(1)</script>`)
	a, err := buildChart("en", q, comp, defaultView())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := buildChart("en", q, comp, defaultView())
	if !bytes.Equal(a, b) {
		t.Error("two builds of one chart differ")
	}
	for _, raw := range []string{"</script>", "<script>", `":alert(1)`} {
		if bytes.Contains(a, []byte(raw)) {
			t.Errorf("chart JSON holds %q unescaped", raw)
		}
	}
	if !bytes.Contains(a, []byte(`"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"`)) {
		t.Error("the series name is not JSON-escaped")
	}
	if !bytes.Contains(a, []byte(`"__f__alert(1)__f__"`)) {
		t.Error("the __f__ pollster is not a plain JSON string")
	}
}

func TestBuildChartViewAnswersAndEmpty(t *testing.T) {
	q, comp := chartFixture(t, "Support")
	b, err := buildChart("ko", q, comp, View{Options: poll.DefaultOptions(), Answers: []string{"oppose"}})
	if err != nil {
		t.Fatal(err)
	}
	p, series := decodeChart(t, b)
	if len(p.Answers) != 1 || p.Answers[0].Label != "반대" || p.Lang != "ko" {
		t.Errorf("answers = %+v", p.Answers)
	}
	for _, s := range series {
		if strings.HasSuffix(s["id"].(string), "support") {
			t.Errorf("series %v of a hidden answer", s["id"])
		}
	}
	if p.Text["weight"] != "가중치" {
		t.Errorf("tooltip labels are not Korean: %v", p.Text)
	}
	if b, err := buildChart("en", q, &Computed{Question: q}, defaultView()); b != nil || err != nil {
		t.Errorf("chart without a result = %q, %v", b, err)
	}
}

func TestDotSize(t *testing.T) {
	tests := []struct{ n, want int }{{0, 6}, {100, 6}, {500, 9}, {1000, 11}, {2500, 15}, {4000, 18}, {100000, 22}}
	for _, tt := range tests {
		if got := dotSize(tt.n); got != tt.want {
			t.Errorf("dotSize(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
	for n := 1; n < 10000; n += 37 {
		if dotSize(n) > dotSize(n+37) {
			t.Fatalf("dot size shrinks from n=%d to n=%d", n, n+37)
		}
	}
}
