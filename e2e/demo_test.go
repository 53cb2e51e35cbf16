//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// chartFactsJS reads from the drawn chart: how many pollsters its dots
// belong to, how many dots it draws, the event lines' labels and the
// x axis' first and last year.
const chartFactsJS = `(() => {
  const chart = echarts.getInstanceByDom(document.getElementById('trend'));
  const opt = chart.getOption();
  const payload = JSON.parse(document.getElementById('trend-data').textContent);
  const dots = opt.series.filter(s => typeof s.id === 'string' && s.id.startsWith('polls-')).reduce((n, s) => n + s.data.length, 0);
  const ev = opt.series.find(s => s.id === 'events');
  const ext = chart.getModel().getComponent('xAxis').axis.scale.getExtent();
  return JSON.stringify({
    pollsters: new Set(payload.polls.pollster.map(i => payload.polls.names.pollster[i])).size,
    dots: dots,
    events: ev ? ev.markLine.data.map(d => d.name || (d.label && d.label.formatter) || '') : [],
    first: new Date(ext[0]).getUTCFullYear(),
    last: new Date(ext[1]).getUTCFullYear(),
  });
})()`

type chartFacts struct {
	Pollsters, Dots int
	Events          []string
	First, Last     int
}

// TestDemoInBrowser opens the demo as a reader meets it: the approval
// series with seven pollsters' dots and its six event lines, the house and
// mode effects tables; the flagship question over 2023–2024 with its
// related questions; the grouped home page at 1280 and 375 px.
func TestDemoInBrowser(t *testing.T) {
	bin := buildBinary(t)
	base := startServer(t, bin, "")
	ctx, watch := newBrowser(t)
	setViewport(t, ctx, 1280, 900, false)

	navigate(t, ctx, base+"/questions/kr-yoon-approval?lang=en")
	if !chartDrew(t, ctx) {
		t.Fatal("approval: the chart did not draw")
	}
	var f chartFacts
	decodeJSONString(t, evalJS[string](t, ctx, chartFactsJS), &f)
	if f.Pollsters != 7 || f.Dots < 2*170 || len(f.Events) != 6 || f.First > 2022 || f.Last < 2024 {
		t.Errorf("approval chart: %+v; want seven pollsters' dots for both answers, six events, 2022–2024", f)
	}
	for _, w := range []string{"Martial law declared", "Tokyo summit", "National Assembly election"} {
		if !strings.Contains(strings.Join(f.Events, "|"), w) {
			t.Errorf("approval chart: no event line %q in %v", w, f.Events)
		}
	}
	house := evalJS[string](t, ctx, `document.getElementById('house-table').innerText`)
	for _, w := range []string{"Gallup Korea", "Realmeter", "NBS", "("} {
		if !strings.Contains(house, w) {
			t.Errorf("house effects table lacks %q: %s", w, house)
		}
	}
	if modes := evalJS[string](t, ctx, `document.getElementById('mode-table').innerText`); !strings.Contains(modes, "ARS") || !strings.Contains(modes, "(") {
		t.Errorf("mode effects table: %q", modes)
	}
	if gap := evalJS[string](t, ctx, `(document.getElementById('mode-gap') || {innerText: ''}).innerText`); !strings.Contains(gap, "ARS polls minus live-interview polls") || !strings.Contains(gap, "Disapprove +") {
		t.Errorf("the ARS-minus-live gap reads %q", gap)
	}
	screenshot(t, ctx, "demo-approval-desktop-en")

	navigate(t, ctx, base+"/questions/"+mainQuestion+"?lang=en")
	if !chartDrew(t, ctx) {
		t.Fatal("flagship: the chart did not draw")
	}
	decodeJSONString(t, evalJS[string](t, ctx, chartFactsJS), &f)
	if f.First != 2023 || f.Last != 2024 || f.Dots < 10 {
		t.Errorf("flagship chart: %+v; want its polls from 2023 to 2024", f)
	}
	if n := nodeCount(t, ctx, "a[data-related]"); n < 3 {
		t.Errorf("flagship links %d related questions", n)
	}
	screenshot(t, ctx, "demo-flagship-desktop-en")
	navigate(t, ctx, base+"/questions/"+mainQuestion+"?lang=ko")
	if txt := pageText(t, ctx); !strings.Contains(txt, "관련 질문") || !strings.Contains(txt, "윤석열 대통령 직무 수행 평가") {
		t.Error("flagship (ko): related questions not linked in Korean")
	}

	for _, v := range []struct {
		width, height int64
		mobile        bool
		lang, name    string
	}{{1280, 900, false, "en", "demo-index-desktop-en"}, {375, 812, true, "ko", "demo-index-mobile-ko"}, {375, 812, true, "en", "demo-index-mobile-en"}} {
		setViewport(t, ctx, v.width, v.height, v.mobile)
		navigate(t, ctx, base+"/?lang="+v.lang)
		if n := nodeCount(t, ctx, "section.question-group"); n != 3 {
			t.Errorf("%s: %d question groups, want 3", v.name, n)
		}
		first := evalJS[string](t, ctx, `document.querySelector('.question-card').dataset.question`)
		if first != mainQuestion || nodeCount(t, ctx, ".question-card.flagship") != 1 {
			t.Errorf("%s: the first card is %q", v.name, first)
		}
		if w := evalJS[int](t, ctx, `document.documentElement.scrollWidth`); w > int(v.width) {
			t.Errorf("%s: the page is %d px wide on a %d-px screen", v.name, w, v.width)
		}
		if ms := evalJS[float64](t, ctx, `performance.getEntriesByType('navigation')[0].duration`); ms > 3000 {
			t.Errorf("%s: the home page took %.0f ms to load", v.name, ms)
		}
		if txt := pageText(t, ctx); !strings.Contains(txt, "179") {
			t.Errorf("%s: no card gives the approval series' 179 polls", v.name)
		}
		screenshot(t, ctx, v.name)
	}
	checkClean(t, "demo", watch)
}

func decodeJSONString(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("e2e: decoding %q: %v", s, err)
	}
}
