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
		{ID: "a", QuestionID: "q1", Pollster: "Alpha", Start: d("2023-03-01"), End: d("2023-03-02"), SampleSize: 1000, Mode: poll.ModeLive, Results: map[string]float64{"support": 40, "oppose": 55}},
		{ID: "b", QuestionID: "q1", Pollster: "__f__alert(1)__f__", Start: d("2023-03-04"), End: d("2023-03-06"), SampleSize: 2500, Mode: poll.ModeARS, Results: map[string]float64{"support": 44, "oppose": 50}},
		{ID: "c", QuestionID: "q1", Pollster: "Gamma", Sponsor: "Paper", Start: d("2023-03-09"), End: d("2023-03-10"), Mode: poll.ModeOnline, Results: map[string]float64{"support": 42, "oppose": 51}},
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
	// the band: lower bound, then the band's width stacked on it
	pts := comp.Result.Series[0].Points
	avg := byID["avg-support"]["data"].([]any)
	lower := byID["lower-support"]["data"].([]any)
	band := byID["band-support"]["data"].([]any)
	if len(avg) != len(pts) || len(lower) != len(pts) || len(band) != len(pts) {
		t.Fatalf("series lengths %d/%d/%d, want %d days", len(avg), len(lower), len(band), len(pts))
	}
	for i, pt := range pts {
		a := avg[i].(map[string]any)["value"].([]any)
		l := lower[i].(map[string]any)["value"].([]any)
		w := band[i].(map[string]any)["value"].([]any)
		if got, want := a[0].(float64), float64(int64(pt.Date)*dayMS); got != want {
			t.Fatalf("day %d at %v ms, want %v", i, got, want)
		}
		if math.Abs(a[1].(float64)-pt.Estimate) > 0.006 || math.Abs(a[2].(float64)-pt.Lower) > 0.006 || math.Abs(a[3].(float64)-pt.Upper) > 0.006 {
			t.Errorf("day %d: average %v, want %v (%v–%v)", i, a, pt.Estimate, pt.Lower, pt.Upper)
		}
		if math.Abs(l[1].(float64)-pt.Lower) > 0.006 || math.Abs(w[1].(float64)-(pt.Upper-pt.Lower)) > 0.006 {
			t.Errorf("day %d: band %v + %v, want %v + %v", i, l[1], w[1], pt.Lower, pt.Upper-pt.Lower)
		}
	}
	// one dot per poll and answer, sized by sample size, pointing at its poll
	dots := byID["polls-support"]["data"].([]any)
	if len(dots) != 3 || len(p.Polls) != 3 {
		t.Fatalf("%d dots for %d polls, want 3", len(dots), len(p.Polls))
	}
	for _, d := range dots {
		m := d.(map[string]any)
		v := m["value"].([]any)
		pl := p.Polls[int(v[2].(float64))]
		src := comp.Polls[int(v[2].(float64))]
		if pl.Pollster != src.Pollster || v[1].(float64) != src.Results["support"] || int64(v[0].(float64)) != pl.X {
			t.Errorf("dot %v does not match poll %+v", v, pl)
		}
		if got, want := int(m["symbolSize"].(float64)), dotSize(src.SampleSize); got != want {
			t.Errorf("dot of n=%d has size %d, want %d", src.SampleSize, got, want)
		}
	}
	if w := p.Polls[0].Weight; w == nil || *w <= 0 || *w > 100 {
		t.Errorf("poll weight = %v, want a percentage", w)
	}
	if p.Polls[2].N != 0 || p.Polls[2].Sponsor != "Paper" || p.Polls[2].Mode != "online" || p.Polls[2].Field != "Mar 9–10, 2023" {
		t.Errorf("poll c in the chart: %+v", p.Polls[2])
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
	if !bytes.Contains(a, []byte(`"pollster":"__f__alert(1)__f__"`)) {
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
