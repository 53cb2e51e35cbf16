//go:build e2e

package e2e

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

// resultQuestion is the demo question the test gives a result.
const resultQuestion = "kr-japan-summit-evaluation"

// calibratedDB returns a demo database in which resultQuestion has a
// result and a calibration is stored by hand: a learned shared error of
// 3.5 points for kalman and ratings of two demo pollsters and of one
// named <script>, which must show as text.
func calibratedDB(t *testing.T) (path string, rated []string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "cal.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := data.Seed(db); err != nil {
		t.Fatal(err)
	}
	ps, err := db.Polls(mainQuestion)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen[p.Pollster] && len(rated) < 2 {
			seen[p.Pollster] = true
			rated = append(rated, p.Pollster)
		}
	}
	res := poll.Outcome{Date: poll.NewDate(2023, 4, 10), Shares: map[string]float64{"support": 41, "oppose": 53, "undecided": 6}}
	if _, err := db.SetResult(resultQuestion, res, "e2e"); err != nil {
		t.Fatal(err)
	}
	cal := &poll.Calibration{Questions: 12, Polls: 80, LastResult: res.Date,
		SharedError: map[poll.Method]poll.SharedErrorModel{poll.MethodKalman: {Industry: 3.5, IndustrySE: 0.4, Questions: 12}},
		Ratings: []poll.Rating{
			{Pollster: `<script>window.__xss=1</script>`, Questions: 1, Polls: 1, MeanAbsError: 6, ExcessError: 0.1, ExcessErrorSE: 1.1, Weight: 0.95,
				Bias: []poll.AnswerBias{{Answer: "dem", Bias: 0.2, SE: 1.5, Polls: 1}}},
			{Pollster: rated[0], Questions: 9, Polls: 30, MeanAbsError: 2.1, ExcessError: -0.6, ExcessErrorSE: 0.3, Weight: 1.4},
			{Pollster: rated[1], Questions: 4, Polls: 11, MeanAbsError: 3.4, ExcessError: 0.8, ExcessErrorSE: 0.5, Weight: 0.7},
		}}
	if err := db.PutCalibration(cal); err != nil {
		t.Fatal(err)
	}
	return path, rated
}

// bandWidthJS is the width of the oppose band on the chart's last day.
const bandWidthJS = `(() => {
  const o = echarts.getInstanceByDom(document.getElementById('trend')).getOption();
  const s = o.series.find(s => s.id === 'band-oppose');
  const d = s.data[s.data.length - 1];
  return (d.value || d)[1];
})()`

func TestCalibrationInBrowser(t *testing.T) {
	bin := buildBinary(t)
	path, rated := calibratedDB(t)
	base := startServer(t, bin, path)
	ctx, watch := newBrowser(t)
	setViewport(t, ctx, 1280, 900, false)

	// the flagship question: the sentence, and the band with the shared
	// error against the band without it
	navigate(t, ctx, base+"/questions/"+mainQuestion+"?lang=en&shared_error=0")
	if !chartDrew(t, ctx) {
		t.Fatal("the chart did not draw (shared_error=0)")
	}
	narrow := evalJS[float64](t, ctx, bandWidthJS)
	navigate(t, ctx, base+"/questions/"+mainQuestion+"?lang=en")
	if !chartDrew(t, ctx) {
		t.Fatal("the chart did not draw")
	}
	wide := evalJS[float64](t, ctx, bandWidthJS)
	if !(wide > narrow+1) {
		t.Errorf("the default band is %.2f points wide, with shared_error=0 %.2f: want the default clearly wider", wide, narrow)
	}
	note := evalJS[string](t, ctx, `document.getElementById('band-note').innerText`)
	if want := "The shaded band is where the true share lies with 95% probability, allowing for ±3.5 points of error that all polls share (learned from 12 questions with results, for 9 pollsters)."; note != want {
		t.Errorf("band sentence %q, want %q", note, want)
	}
	screenshot(t, ctx, "calibration-band-en")
	navigate(t, ctx, base+"/questions/"+mainQuestion+"?lang=ko")
	if note := evalJS[string](t, ctx, `document.getElementById('band-note').innerText`); !strings.Contains(note, "±3.5%p") || countHangul(note) < 20 {
		t.Errorf("Korean band sentence %q", note)
	}

	// the question with a result: a marker per answer at its date
	navigate(t, ctx, base+"/questions/"+resultQuestion+"?lang=en")
	if !chartDrew(t, ctx) {
		t.Fatal("the chart of the question with a result did not draw")
	}
	marks := evalJS[string](t, ctx, `(() => {
	  const o = echarts.getInstanceByDom(document.getElementById('trend')).getOption();
	  return o.series.filter(s => typeof s.id === 'string' && s.id.startsWith('result-'))
	    .map(s => s.id + '@' + s.data[0].value[0] + '=' + s.data[0].value[1] + ' ' + s.data[0].name).join('|');
	})()`)
	x := poll.NewDate(2023, 4, 10)
	for _, want := range []string{"result-support@", "result-oppose@", "=53 53.0% · Apr 10, 2023"} {
		if !strings.Contains(marks, want) {
			t.Errorf("result markers %q lack %q", marks, want)
		}
	}
	if !strings.Contains(marks, "@"+strconv.FormatInt(int64(x)*86400000, 10)+"=") {
		t.Errorf("result markers %q are not at the result's date", marks)
	}
	// the marker is drawn inside the plot, and its tooltip names the result
	inside := evalJS[bool](t, ctx, `(() => {
	  const c = echarts.getInstanceByDom(document.getElementById('trend'));
	  const o = c.getOption();
	  const i = o.series.findIndex(s => s.id === 'result-oppose');
	  const px = c.convertToPixel({seriesIndex: i}, o.series[i].data[0].value);
	  c.dispatchAction({type: 'showTip', seriesIndex: i, dataIndex: 0});
	  return px[0] > 0 && px[0] < c.getWidth() && px[1] > 0 && px[1] < c.getHeight();
	})()`)
	if !inside {
		t.Error("the result marker lies outside the chart")
	}
	time.Sleep(300 * time.Millisecond)
	tip := evalJS[string](t, ctx, `(() => { const el = [...document.querySelectorAll('#trend div')].find(d => d.style && d.style.position === 'absolute' && d.innerText.trim() !== ''); return el ? el.innerText : ''; })()`)
	if !strings.Contains(tip, "Result") || !strings.Contains(tip, "Apr 10, 2023") || !strings.Contains(tip, "Negative 53.0%") {
		t.Errorf("the tooltip at the result: %q", tip)
	}
	if txt := evalJS[string](t, ctx, `document.getElementById('result').innerText`); !strings.Contains(txt, "The result on Apr 10, 2023") {
		t.Errorf("the result section: %q", txt)
	}
	screenshot(t, ctx, "calibration-result-en")

	// the ratings page, in both languages
	for _, lang := range []string{"en", "ko"} {
		navigate(t, ctx, base+"/pollsters?lang="+lang)
		table := evalJS[string](t, ctx, `document.getElementById('ratings-table').innerText`)
		for _, name := range append([]string{`<script>window.__xss=1</script>`}, rated...) {
			if !strings.Contains(table, name) {
				t.Errorf("%s: the ratings table lacks %q", lang, name)
			}
		}
		if n := nodeCount(t, ctx, "#ratings-table tbody tr"); n != 3 {
			t.Errorf("%s: %d rows, want 3", lang, n)
		}
		if !strings.Contains(table, "1.40") || !strings.Contains(table, "−0.6") {
			t.Errorf("%s: the table does not show the ratings' figures:\n%s", lang, table)
		}
		if got := evalJS[string](t, ctx, `typeof window.__xss`); got != "undefined" {
			t.Errorf("%s: a pollster name ran as script", lang)
		}
		screenshot(t, ctx, "pollsters-"+lang)
	}
	checkClean(t, "calibration", watch)
}
