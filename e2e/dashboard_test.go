//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mainQuestion is the demo question the dashboard test opens.
const mainQuestion = "kr-forced-labor-plan-2023"

// checkClean fails the test when the tab logged errors or sent a request
// anywhere but the loopback address.
func checkClean(t *testing.T, what string, w *Watch) {
	t.Helper()
	for _, e := range w.Errors() {
		t.Errorf("%s: browser error: %s", what, e)
	}
	for _, u := range w.OutsideRequests() {
		t.Errorf("%s: request left 127.0.0.1: %s", what, u)
	}
	if len(w.Requests()) == 0 {
		t.Errorf("%s: no request recorded; the watch is not working", what)
	}
}

// waitFor polls a JavaScript condition until it is true or timeout passes.
func waitFor(t *testing.T, ctx context.Context, cond string, timeout time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ok, err := evaluate[bool](ctx, cond); err == nil && ok {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// showFirstPollTip shows the chart's tooltip over its first poll dot, as a
// pointer would, and returns the tooltip's text.
const showFirstPollTipJS = `(() => {
  const chart = echarts.getInstanceByDom(document.getElementById('trend'));
  const opt = chart.getOption();
  const i = opt.series.findIndex(s => typeof s.id === 'string' && s.id.startsWith('polls-') && s.data.length > 0);
  if (i < 0) return 'no poll series';
  chart.dispatchAction({type: 'showTip', seriesIndex: i, dataIndex: 0});
  return 'ok';
})()`

func tooltipText(t *testing.T, ctx context.Context) string {
	t.Helper()
	if got := evalJS[string](t, ctx, showFirstPollTipJS); got != "ok" {
		t.Fatalf("showing the tooltip: %s", got)
	}
	var txt string
	waitFor(t, ctx, `(() => { const el = [...document.querySelectorAll('#trend div')].find(d => d.style && d.style.position === 'absolute' && d.innerText.trim() !== ''); return !!el; })()`, 5*time.Second)
	txt = evalJS[string](t, ctx, `(() => { const el = [...document.querySelectorAll('#trend div')].find(d => d.style && d.style.position === 'absolute' && d.innerText.trim() !== ''); return el ? el.innerText : ''; })()`)
	return txt
}

func TestDashboardInBrowser(t *testing.T) {
	bin := buildBinary(t)
	base := startServer(t, bin, "")
	ctx, watch := newBrowser(t)
	setViewport(t, ctx, 1280, 900, false)

	// The question list, in English.
	navigate(t, ctx, base+"/?lang=en")
	txt := pageText(t, ctx)
	if !strings.Contains(txt, "Oppose") || !strings.Contains(txt, "as of") {
		t.Errorf("index (en) lacks a headline: %.500s", txt)
	}
	screenshot(t, ctx, "index-desktop-en")
	href := evalJS[string](t, ctx, `document.querySelector('a[href^="/questions/`+mainQuestion+`"]').getAttribute('href')`)
	if !strings.HasPrefix(href, "/questions/"+mainQuestion) {
		t.Fatalf("index does not link the main question: %q", href)
	}

	// The question page, in English: the chart draws and its tooltip works.
	navigate(t, ctx, base+href)
	if !chartDrew(t, ctx) {
		t.Error("question page (en): the chart did not draw")
	}
	enText := pageText(t, ctx)
	for _, w := range []string{"Oppose", "Support", "Pollster", "House effects", "Downloads"} {
		if !strings.Contains(enText, w) {
			t.Errorf("question page (en) lacks %q", w)
		}
	}
	tip := tooltipText(t, ctx)
	if !strings.Contains(tip, "2023") || !strings.Contains(tip, "95% band") || !strings.Contains(tip, "Oppose") || !strings.Contains(tip, "weight") {
		t.Errorf("tooltip reads %q", tip)
	}
	screenshot(t, ctx, "question-desktop-en")

	// The poll table sorts by sample size on a click: the heading links to
	// the page with the table sorted by the server (no script needed), and
	// with the script the sorted table alone is fetched and swapped in:
	// the page is not reloaded and the chart is the same one, not drawn
	// again; the address follows, and Back returns to the first order.
	firstOrder := evalJS[string](t, ctx, `(() => {
	  window.pollaggMark = 'before the sort';
	  window.pollaggChart = echarts.getInstanceByDom(document.getElementById('trend'));
	  return [...document.querySelectorAll('#poll-table tbody tr')].map(r => r.cells[3].dataset.sort).join(',');
	})()`)
	evalJS[bool](t, ctx, `(() => { const th = [...document.querySelectorAll('#poll-table thead th')][3]; th.querySelector('a.sort').click(); return true; })()`)
	if !waitFor(t, ctx, `location.search.includes('sort=n') && !!document.querySelector('#poll-table th[aria-sort="ascending"] a[data-sort-key="n"]')`, 20*time.Second) {
		t.Error("clicking the sample-size heading did not load the sorted table")
	}
	sorted := evalJS[bool](t, ctx, `(() => {
	  const v = [...document.querySelectorAll('#poll-table tbody tr')].map(r => parseFloat(r.cells[3].dataset.sort));
	  return v.length > 1 && v.every((x, i) => i === 0 || v[i-1] <= x);
	})()`)
	if !sorted {
		t.Error("clicking the sample-size heading did not sort the poll table")
	}
	if inPlace := evalJS[string](t, ctx, `(() => {
	  if (window.pollaggMark !== 'before the sort') return 'the page was reloaded';
	  if (echarts.getInstanceByDom(document.getElementById('trend')) !== window.pollaggChart) return 'the chart was drawn again';
	  if (document.activeElement !== document.getElementById('polls-h')) return 'focus is not on the table heading';
	  return 'ok';
	})()`); inPlace != "ok" {
		t.Errorf("sorting the poll table in place: %s", inPlace)
	}
	if !chartDrew(t, ctx) {
		t.Error("sorted table: the chart did not draw")
	}
	evalJS[bool](t, ctx, `(() => { history.back(); return true; })()`)
	back := `[...document.querySelectorAll('#poll-table tbody tr')].map(r => r.cells[3].dataset.sort).join(',')`
	if !waitFor(t, ctx, `!location.search.includes('sort=n') && `+back+` === `+fmt.Sprintf("%q", firstOrder), 20*time.Second) {
		t.Errorf("Back after the sort: %s, table %s; want the first order %s", evalJS[string](t, ctx, `location.search`), evalJS[string](t, ctx, back), firstOrder)
	}
	if evalJS[string](t, ctx, `window.pollaggMark || ''`) != "before the sort" {
		t.Error("Back after the sort reloaded the page")
	}
	// the sorted view once more, for what follows
	evalJS[bool](t, ctx, `(() => { history.forward(); return true; })()`)
	if !waitFor(t, ctx, `location.search.includes('sort=n') && !!document.querySelector('#poll-table th[aria-sort="ascending"] a[data-sort-key="n"]')`, 20*time.Second) {
		t.Error("Forward did not bring the sorted table back")
	}

	// The controls re-render the page through its query.
	evalJS[bool](t, ctx, `(() => { document.querySelector('select[name=method]').value = 'loess'; document.querySelector('form.view-form').requestSubmit(); return true; })()`)
	if !waitFor(t, ctx, `location.search.includes('method=loess') && document.readyState === 'complete' && !!document.getElementById('trend')`, 20*time.Second) {
		t.Error("submitting the form did not load the loess view")
	} else if !chartDrew(t, ctx) {
		t.Error("loess view: the chart did not draw")
	}
	if sel := evalJS[string](t, ctx, `document.querySelector('select[name=method]').value`); sel != "loess" {
		t.Errorf("the loess view shows method %q", sel)
	}

	// In Korean.
	navigate(t, ctx, base+"/questions/"+mainQuestion+"?lang=ko")
	if !chartDrew(t, ctx) {
		t.Error("question page (ko): the chart did not draw")
	}
	koText := pageText(t, ctx)
	if k, e := countHangul(koText), countHangul(enText); k <= e || k < 200 {
		t.Errorf("Korean page has %d Hangul letters, English %d", k, e)
	}
	if !strings.Contains(koText, "반대") {
		t.Error("Korean page lacks 반대")
	}
	screenshot(t, ctx, "question-desktop-ko")

	// Methodology.
	navigate(t, ctx, base+"/methodology?lang=en")
	if !strings.Contains(pageText(t, ctx), "Kalman") {
		t.Error("methodology page lacks Kalman")
	}

	// On a 375-px phone.
	setViewport(t, ctx, 375, 812, true)
	navigate(t, ctx, base+"/questions/"+mainQuestion+"?lang=ko")
	if !chartDrew(t, ctx) {
		t.Error("mobile: the chart did not draw")
	}
	if w := evalJS[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("mobile: the page is %d px wide, more than the 375-px screen", w)
	}
	if w := evalJS[int](t, ctx, `document.getElementById('trend').getBoundingClientRect().width`); w < 300 || w > 375 {
		t.Errorf("mobile: the chart is %d px wide", w)
	}
	screenshot(t, ctx, "question-mobile-ko")
	navigate(t, ctx, base+"/?lang=en")
	screenshot(t, ctx, "index-mobile-en")

	checkClean(t, "dashboard", watch)
}

// csvQuote quotes a CSV field.
func csvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func TestDashboardEscapesPollsterNames(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "xss.db")
	const scriptName = `</script><script>window.__xss=1</script>`
	const funcName = `__f__window.__xss=2__f__`
	const imgSponsor = `<img src=x onerror="window.__xss=3">`
	csv := "question_id,pollster,sponsor,start_date,end_date,sample_size,support,oppose\n" +
		fmt.Sprintf("q1,%s,%s,2023-03-01,2023-03-02,1000,40,55\n", csvQuote(scriptName), csvQuote(imgSponsor)) +
		fmt.Sprintf("q1,%s,,2023-03-05,2023-03-06,800,45,50\n", csvQuote(funcName)) +
		"q1,Honest Polls,,2023-03-08,2023-03-09,1200,42,52\n"
	csvPath := filepath.Join(dir, "evil.csv")
	if err := os.WriteFile(csvPath, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	runCLI(t, bin, "import", "--db", db, csvPath)
	base := startServer(t, bin, db)
	ctx, watch := newBrowser(t)
	setViewport(t, ctx, 1280, 900, false)

	navigate(t, ctx, base+"/questions/q1?lang=en")
	if !chartDrew(t, ctx) {
		t.Error("the chart did not draw")
	}
	tip := tooltipText(t, ctx)
	if !strings.Contains(tip, scriptName) {
		t.Errorf("the tooltip does not show the pollster as text: %q", tip)
	}
	// the second dot: the __f__ pollster
	evalJS[string](t, ctx, `(() => { const c = echarts.getInstanceByDom(document.getElementById('trend')); const o = c.getOption(); const i = o.series.findIndex(s => typeof s.id === 'string' && s.id.startsWith('polls-')); c.dispatchAction({type: 'showTip', seriesIndex: i, dataIndex: 1}); return ''; })()`)
	time.Sleep(300 * time.Millisecond)
	table := evalJS[string](t, ctx, `document.getElementById('poll-table').innerText`)
	for _, name := range []string{scriptName, funcName, imgSponsor} {
		if !strings.Contains(table, name) {
			t.Errorf("the poll table does not show %q as text", name)
		}
	}
	if got := evalJS[string](t, ctx, `typeof window.__xss`); got != "undefined" {
		t.Errorf("a pollster name ran as script: window.__xss is %s", evalJS[string](t, ctx, `String(window.__xss)`))
	}
	screenshot(t, ctx, "xss-question-en")
	navigate(t, ctx, base+"/?lang=en")
	if got := evalJS[string](t, ctx, `typeof window.__xss`); got != "undefined" {
		t.Error("a pollster name ran as script on the index")
	}
	checkClean(t, "xss", watch)
}

// TestEventLabelsStagger: two events ten days apart on a two-and-a-half-year
// axis (the approval series: 6 and 16 March 2023) get their labels at opposite ends of their
// lines, so that they do not overlap.
func TestEventLabelsStagger(t *testing.T) {
	bin := buildBinary(t)
	base := startServer(t, bin, filepath.Join(t.TempDir(), "p.db"))
	ctx, watch := newBrowser(t)
	navigate(t, ctx, base+"/questions/kr-yoon-approval?lang=en")
	if !chartDrew(t, ctx) {
		t.Fatal("the chart did not draw")
	}
	got := evalJS[string](t, ctx, `(() => {
	  const chart = echarts.getInstanceByDom(document.getElementById('trend'));
	  const ev = chart.getOption().series.find(s => s.id === 'events');
	  return ev.markLine.data.map(d => (d.label && d.label.position) || 'top').join(',');
	})()`)
	if got != "top,insideStartTop,top,top,top,top" {
		t.Errorf("event label positions %q; want the second of the two March 2023 events at the bottom", got)
	}
	screenshot(t, ctx, "events-approval-en")
	for _, e := range watch.Errors() {
		t.Errorf("console: %s", e)
	}
}
