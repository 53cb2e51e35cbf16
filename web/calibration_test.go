package web

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// lastBand returns the estimate and band width (upper - lower) of answer
// on the last day of a series download's JSON, and its parameters.
func lastBand(t *testing.T, s *Server, query string, answer string) (est, width float64, params map[string]any) {
	t.Helper()
	doc := decodeJSON(t, apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/series"+query).Body.Bytes())
	params, _ = doc["parameters"].(map[string]any)
	rows, _ := doc["rows"].([]any)
	found := false
	for _, r := range rows {
		m := r.(map[string]any)
		if m["answer"] == answer {
			est, width, found = m["estimate"].(float64), m["upper"].(float64)-m["lower"].(float64), true
		}
	}
	if !found {
		t.Fatalf("series%s has no row of %s", query, answer)
	}
	return est, width, params
}

// calibrationFor returns a hand-made calibration: shared error se for
// kalman, learned from 40 questions, and the given ratings.
func calibrationFor(se float64, ratings ...poll.Rating) *poll.Calibration {
	return &poll.Calibration{Questions: 40, Polls: 310, LastResult: poll.NewDate(2014, 11, 4),
		SharedError: map[poll.Method]poll.SharedErrorModel{poll.MethodKalman: {Industry: se, IndustrySE: 0.3, Questions: 40}},
		Ratings:     ratings, Model: poll.RatingModel{RaceSD: 2, PollsterSD: 1.1, PollSD: 1.5}}
}

func TestSeriesSharedErrorParameter(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	def := servedSharedError(t, db, testQuestionID)
	_, _, p := lastBand(t, s, "", "oppose")
	if p["shared_error"] != def || p["ratings"] != true {
		t.Errorf("without a calibration: parameters shared_error=%v ratings=%v, want %v and true", p["shared_error"], p["ratings"], def)
	}
	_, _, p = lastBand(t, s, "?shared_error=0&ratings=false", "oppose")
	if p["shared_error"] != 0.0 || p["ratings"] != false {
		t.Errorf("shared_error=0&ratings=false: parameters shared_error=%v ratings=%v", p["shared_error"], p["ratings"])
	}
	// storing a calibration changes the data version: the same URL now
	// carries the learned shared error, never the cached default
	if err := db.PutCalibration(calibrationFor(4.25)); err != nil {
		t.Fatal(err)
	}
	_, _, p = lastBand(t, s, "", "oppose")
	if p["shared_error"] != 4.25 {
		t.Errorf("with a calibration: shared_error = %v, want the learned 4.25", p["shared_error"])
	}
	_, _, p = lastBand(t, s, "?method=latest", "oppose")
	if p["shared_error"] != def {
		t.Errorf("a method the calibration has not learned: shared_error = %v, want the default %v", p["shared_error"], def)
	}
	csv := apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/series?format=csv").Body.String()
	head, _, _ := strings.Cut(csv, "\n")
	if !strings.Contains(head, "; shared_error=4.25; ratings=true;") || !strings.Contains(head, "&shared_error=4.25") {
		t.Errorf("CSV parameter line lacks the resolved shared_error and ratings: %s", head)
	}
	if !strings.Contains(csv, "lower, upper = 95% band of the true share, including the error of 4.3 points that all polls share") ||
		!strings.Contains(csv, "poll_lower, poll_upper = 95% range in which one new poll of typical size") {
		t.Errorf("CSV columns line does not say which band is which:\n%.1500s", csv)
	}
	doc := decodeJSON(t, apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/series?shared_error=1").Body.Bytes())
	if c := doc["columns"].(map[string]any)["lower, upper"]; !strings.Contains(c.(string), "error of 1 points") {
		t.Errorf("JSON columns lower, upper = %v", c)
	}
}

func TestSeriesDefaultBandWiderThanSharedErrorZero(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	for _, tt := range []struct {
		name string
		cal  *poll.Calibration
	}{{"default", nil}, {"learned", calibrationFor(3.5)}} {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.PutCalibration(tt.cal); err != nil {
				t.Fatal(err)
			}
			_, wDef, _ := lastBand(t, s, "", "oppose")
			_, w0, _ := lastBand(t, s, "?shared_error=0", "oppose")
			if !(wDef > w0+1) {
				t.Errorf("default band %.2f points wide, shared_error=0 %.2f: want the default wider", wDef, w0)
			}
		})
	}
}

func TestViewParametersBad(t *testing.T) {
	s := testServer(t, testDB(t, true))
	for _, tt := range []struct{ query, param string }{
		{"shared_error=-1", "shared_error"},
		{"shared_error=25.5", "shared_error"},
		{"shared_error=abc", "shared_error"},
		{"shared_error=NaN", "shared_error"},
		{"ratings=maybe", "ratings"},
	} {
		for _, path := range []string{"/api/v1/questions/" + testQuestionID + "/series", "/api/v1/questions/" + testQuestionID + "/polls", "/questions/" + testQuestionID} {
			rec := apiGet(t, s, path+"?"+tt.query, "Accept: application/json")
			if rec.Code != http.StatusBadRequest {
				t.Errorf("%s?%s = %d, want 400", path, tt.query, rec.Code)
				continue
			}
			if !strings.Contains(rec.Body.String(), tt.param) {
				t.Errorf("%s?%s: the error does not name %s: %s", path, tt.query, tt.param, rec.Body)
			}
		}
	}
	for _, q := range []string{"shared_error=0", "shared_error=25", "shared_error=1.5&ratings=false", "ratings=off"} {
		apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/series?"+q)
	}
}

func TestRatingsFeedTheAverage(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	on, _, _ := lastBand(t, s, "?shared_error=0", "oppose")
	off, _, _ := lastBand(t, s, "?shared_error=0&ratings=false", "oppose")
	if on != off {
		t.Errorf("without a calibration ratings=false changed the estimate: %v vs %v", on, off)
	}
	ps, err := db.Polls(testQuestionID)
	if err != nil {
		t.Fatal(err)
	}
	// the most recent poll's pollster counts 20 times the others; a
	// pollster of another question leans 3 points on "dem" (which this
	// question does not ask)
	// (in March 2023, where seven polls overlap: the view ends there)
	march := poll.NewDate(2023, 3, 14)
	latest := ps[0]
	for _, p := range ps {
		if p.End > latest.End && p.End <= march {
			latest = p
		}
	}
	cal := calibrationFor(2,
		poll.Rating{Pollster: "Elsewhere Polling", Questions: 3, Polls: 9, Weight: 0.5, Bias: []poll.AnswerBias{{Answer: "dem", Bias: 3, SE: 1, Polls: 9}}},
		poll.Rating{Pollster: latest.Pollster, Questions: 5, Polls: 12, Weight: 20})
	if err := db.PutCalibration(cal); err != nil {
		t.Fatal(err)
	}
	rated, _, _ := lastBand(t, s, "?method=weighted&to=2023-03-14&adjust_house=false&shared_error=0", "oppose")
	unrated, _, _ := lastBand(t, s, "?method=weighted&to=2023-03-14&adjust_house=false&shared_error=0&ratings=false", "oppose")
	if math.Abs(rated-unrated) < 0.05 {
		t.Errorf("a pollster with weight 20: estimate %v with ratings, %v without; want them apart", rated, unrated)
	}
	if err := db.PutCalibration(nil); err != nil {
		t.Fatal(err)
	}
	none, _, _ := lastBand(t, s, "?method=weighted&to=2023-03-14&adjust_house=false&shared_error=0", "oppose")
	if none != unrated {
		t.Errorf("ratings=false gives %v, no calibration %v: want the same", unrated, none)
	}
}

func TestQuestionDownloadsCarryTheResult(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	doc := decodeJSON(t, apiOK(t, s, "/api/v1/questions/"+testQuestionID).Body.Bytes())
	if q := doc["questions"].([]any)[0].(map[string]any); q["result"] != nil {
		t.Fatalf("result before any = %v", q["result"])
	}
	first := poll.Outcome{Date: poll.NewDate(2023, 4, 20), Shares: map[string]float64{"support": 38, "oppose": 57, "undecided": 5}}
	second := poll.Outcome{Date: poll.NewDate(2023, 4, 20), Shares: map[string]float64{"support": 38.5, "oppose": 56.5, "undecided": 5}}
	for _, o := range []poll.Outcome{first, second} {
		if _, err := db.SetResult(testQuestionID, o, "cli"); err != nil {
			t.Fatal(err)
		}
	}
	doc = decodeJSON(t, apiOK(t, s, "/api/v1/questions/"+testQuestionID).Body.Bytes())
	q := doc["questions"].([]any)[0].(map[string]any)
	res, _ := q["result"].(map[string]any)
	if res == nil || res["date"] != "2023-04-20" || res["shares"].(map[string]any)["oppose"] != 56.5 {
		t.Errorf("result = %v", q["result"])
	}
	hist, _ := q["result_history"].([]any)
	if len(hist) != 2 || hist[0].(map[string]any)["result"].(map[string]any)["shares"].(map[string]any)["oppose"] != 57.0 ||
		hist[1].(map[string]any)["revision"] != 2.0 {
		t.Errorf("result_history = %v", q["result_history"])
	}
	for _, path := range []string{"/api/v1/questions/" + testQuestionID + "?format=csv", "/api/v1/questions?format=csv"} {
		body := apiOK(t, s, path).Body.String()
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
			if !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		if !strings.HasSuffix(lines[0], ",result_date,result,result_revisions") {
			t.Errorf("%s: header %s", path, lines[0])
		}
		var row string
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, testQuestionID+",") {
				row = l
			}
		}
		if !strings.HasSuffix(row, ",2023-04-20,oppose:56.5;support:38.5;undecided:5,2") {
			t.Errorf("%s: row %s", path, row)
		}
	}
}

func TestPollstersAPI(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	doc := decodeJSON(t, apiOK(t, s, "/api/v1/pollsters").Body.Bytes())
	if rows, ok := doc["pollsters"].([]any); !ok || len(rows) != 0 || doc["dataset"] != "pollsters" ||
		!strings.Contains(doc["note"].(string), "no question with a result") {
		t.Errorf("without a calibration: %v", doc)
	}
	csv := apiOK(t, s, "/api/v1/pollsters?format=csv").Body.String()
	if !strings.Contains(csv, "# note: no calibration") || firstDataLine(csv) != "pollster,questions,polls,mean_abs_error,excess_error,excess_error_se,weight" {
		t.Errorf("without a calibration, CSV:\n%s", csv)
	}
	cal := calibrationFor(2.1,
		poll.Rating{Pollster: "Alpha", Questions: 12, Polls: 40, MeanAbsError: 2.345, ExcessError: -0.4, ExcessErrorSE: 0.2, Weight: 1.3,
			Bias: []poll.AnswerBias{{Answer: "dem", Bias: 1.25, SE: 0.5, Polls: 40}, {Answer: "rep", Bias: -1.25, SE: 0.5, Polls: 40}}},
		poll.Rating{Pollster: "=Beta", Questions: 1, Polls: 1, MeanAbsError: 5, ExcessError: 0.1, ExcessErrorSE: 0.9, Weight: 0.9,
			Bias: []poll.AnswerBias{{Answer: "dem", Bias: 0.1, SE: 1.4, Polls: 1}}})
	if err := db.PutCalibration(cal); err != nil {
		t.Fatal(err)
	}
	rec := apiOK(t, s, "/api/v1/pollsters")
	doc = decodeJSON(t, rec.Body.Bytes())
	rows := doc["pollsters"].([]any)
	if len(rows) != 2 || doc["note"] != nil {
		t.Fatalf("pollsters = %v (note %v)", rows, doc["note"])
	}
	a := rows[1].(map[string]any) // sorted by name: "=Beta" < "Alpha"
	if a["pollster"] != "Alpha" || a["questions"] != 12.0 || a["polls"] != 40.0 || a["mean_abs_error"] != 2.345 ||
		a["excess_error"] != -0.4 || a["excess_error_se"] != 0.2 || a["weight"] != 1.3 ||
		a["bias"].([]any)[1].(map[string]any)["bias"] != -1.25 {
		t.Errorf("Alpha = %v", a)
	}
	c := doc["calibration"].(map[string]any)
	if c["questions"] != 40.0 || c["shared_error"].(map[string]any)["kalman"].(map[string]any)["industry"] != 2.1 || c["last_result"] != "2014-11-04" {
		t.Errorf("calibration = %v", c)
	}
	csv = apiOK(t, s, "/api/v1/pollsters?format=csv").Body.String()
	if !strings.Contains(csv, "# calibration: questions=40; polls=310; last_result=2014-11-04; shared_error=kalman:industry:2.1,industry_se:0.3,pollster:0,pollster_se:0,questions:40;") ||
		firstDataLine(csv) != "pollster,questions,polls,mean_abs_error,excess_error,excess_error_se,weight,bias_dem,bias_se_dem,bias_rep,bias_se_rep" ||
		!strings.Contains(csv, "\n'=Beta,1,1,5,0.1,0.9,0.9,0.1,1.4,,\n") || !strings.Contains(csv, "\nAlpha,12,40,2.345,-0.4,0.2,1.3,1.25,0.5,-1.25,0.5\n") {
		t.Errorf("CSV:\n%s", csv)
	}
	for _, p := range []string{"/api/v1/pollsters.csv", "/api/v1/pollsters?format=json"} {
		apiOK(t, s, p)
	}
	if got := apiOK(t, s, "/api/v1/pollsters", "Accept: text/csv").Header().Get("Content-Type"); !strings.HasPrefix(got, "text/csv") {
		t.Errorf("Accept: text/csv gave %s", got)
	}
	// caching: the ETag revalidates until the calibration changes
	etag := rec.Header().Get("ETag")
	if r := apiGet(t, s, "/api/v1/pollsters", "If-None-Match: "+etag); etag == "" || r.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %q = %d, want 304", etag, r.Code)
	}
	cal.Ratings[0].Weight = 1.4
	if err := db.PutCalibration(cal); err != nil {
		t.Fatal(err)
	}
	if r := apiGet(t, s, "/api/v1/pollsters", "If-None-Match: "+etag); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), `"weight":1.4`) {
		t.Errorf("after the calibration changed: %d %.300s", r.Code, r.Body)
	}
	if r := apiGet(t, s, "/api/v1/pollsters?method=kalman"); r.Code != http.StatusBadRequest {
		t.Errorf("an unknown parameter = %d, want 400", r.Code)
	}
}

func firstDataLine(csv string) string {
	for _, l := range strings.Split(csv, "\n") {
		if !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

func TestPollstersPage(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	for _, lang := range []string{"ko", "en"} {
		body := pageOK(t, s, "/pollsters?lang="+lang)
		if !strings.Contains(body, `id="no-ratings"`) || !strings.Contains(body, site.Translate(lang, "pr.none")) {
			t.Errorf("%s, no calibration: the page does not say there are no ratings", lang)
		}
	}
	evil := `<script>alert(1)</script>`
	cal := calibrationFor(2.1,
		poll.Rating{Pollster: evil, Questions: 2, Polls: 3, MeanAbsError: 4.5, ExcessError: 0.3, ExcessErrorSE: 0.5, Weight: 0.8,
			Bias: []poll.AnswerBias{{Answer: "dem", Bias: -1.5, SE: 0.75, Polls: 3}}},
		poll.Rating{Pollster: "Alpha", Questions: 12, Polls: 40, MeanAbsError: 2.3, Weight: 1.3})
	if err := db.PutCalibration(cal); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ko", "en"} {
		body := pageOK(t, s, "/pollsters?lang="+lang)
		if strings.Contains(body, evil) || !strings.Contains(body, html.EscapeString(evil)) && !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the pollster <script> is not escaped", lang)
		}
		for _, want := range []string{`data-pollster="Alpha"`, "dem −1.5 (0.8)", "&#43;0.3 <span class=\"se\">(±0.5)</span>", html.EscapeString(site.Translate(lang, "pr.shrink")), "kalman 2.10 (±0.30), 0.00 (±0.00)"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %q", lang, want)
			}
		}
	}
}

// pageOK gets a page and returns its body, failing unless it is 200.
func pageOK(t *testing.T, s *Server, target string) string {
	t.Helper()
	rec := doRequest(t, s, http.MethodGet, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d: %.300s", target, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestQuestionPageBandSentenceAndResult(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	page := "/questions/" + testQuestionID
	polls, err := db.Polls(testQuestionID)
	if err != nil {
		t.Fatal(err)
	}
	J := poll.CountPollsters(polls)
	def := pointsText(servedSharedError(t, db, testQuestionID))
	for _, tt := range []struct {
		lang, query, want string
	}{
		{"en", "", fmt.Sprintf("The shaded band is where the true share lies with 95%% probability, allowing for ±%s points of error that all polls share (the default for %d pollsters, from published election polls).", def, J)},
		{"ko", "", fmt.Sprintf("음영 구간은 실제 비율이 95%% 확률로 들어 있는 범위로, 모든 조사가 함께 틀리는 오차 ±%s%%p를 포함합니다(기본값: 공표된 선거 여론조사 연구에서, 조사기관 %d곳 기준).", def, J)},
		{"en", "&shared_error=4", "allowing for ±4 points of error that all polls share (set in this view)."},
		{"en", "&shared_error=0", "if polls share no error (shared_error=0)"},
	} {
		body := pageOK(t, s, page+"?lang="+tt.lang+tt.query)
		if !strings.Contains(body, html.EscapeString(tt.want)) && !strings.Contains(body, tt.want) {
			t.Errorf("%s%s: the page lacks %q", tt.lang, tt.query, tt.want)
		}
	}
	if err := db.PutCalibration(calibrationFor(3.25)); err != nil {
		t.Fatal(err)
	}
	body := pageOK(t, s, page+"?lang=en")
	if !strings.Contains(body, fmt.Sprintf("allowing for ±3.3 points of error that all polls share (learned from 40 questions with results, for %d pollsters).", J)) {
		t.Error("with a calibration: the sentence does not give the learned figure")
	}
	if !strings.Contains(body, `name="shared_error" value="" placeholder="3.25"`) {
		t.Error("the form's shared_error field does not show the learned default")
	}
	if strings.Contains(body, `id="result"`) || strings.Contains(body, "result-oppose") {
		t.Error("a question without a result shows one")
	}
	o := poll.Outcome{Date: poll.NewDate(2023, 4, 20), Shares: map[string]float64{"support": 38, "oppose": 57, "undecided": 5}}
	if _, err := db.SetResult(testQuestionID, o, "cli"); err != nil {
		t.Fatal(err)
	}
	body = pageOK(t, s, page+"?lang=en")
	if !strings.Contains(body, `id="result"`) || !strings.Contains(body, "The result on Apr 20, 2023:") ||
		!strings.Contains(body, `data-answer="oppose" data-pct="57">Oppose <strong>57.0%</strong>`) {
		t.Errorf("the page does not show the result:\n%s", section(body, `id="result"`))
	}
	chart := chartJSON(t, body)
	var marks int
	for _, se := range chart.Option["series"].([]any) {
		m := se.(map[string]any)
		if id, _ := m["id"].(string); strings.HasPrefix(id, "result-") {
			marks++
			d := m["data"].([]any)[0].(map[string]any)
			v := d["value"].([]any)
			if id == "result-oppose" && (v[0] != float64(ms(o.Date)) || v[1] != 57.0 || d["name"] != "57.0% · Apr 20, 2023") {
				t.Errorf("the oppose marker = %v", d)
			}
		}
	}
	if marks != 3 || chart.Result == nil || chart.Result.Date != "Apr 20, 2023" {
		t.Errorf("%d result markers (want 3), payload result %+v", marks, chart.Result)
	}
	if xmax := chart.Option["xAxis"].([]any)[0].(map[string]any)["max"].(float64); xmax < float64(ms(o.Date)) {
		t.Errorf("the x axis ends at %v, before the result", xmax)
	}
	// a view that ends before the result leaves its markers out
	if c := chartJSON(t, pageOK(t, s, page+"?lang=en&to=2023-03-31")); c.Result != nil || strings.Contains(mustJSON(t, c.Option), "result-") {
		t.Error("to=2023-03-31 still draws the result of 2023-04-20")
	}
}

// chartJSON decodes the chart payload of a question page.
func chartJSON(t *testing.T, body string) chartPayload {
	t.Helper()
	_, rest, ok := strings.Cut(body, `data-echarts="trend">`)
	js, _, ok2 := strings.Cut(rest, "</script>")
	if !ok || !ok2 {
		t.Fatal("the page has no chart data")
	}
	var p chartPayload
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func section(body, mark string) string {
	i := strings.Index(body, mark)
	if i < 0 {
		return "(none)"
	}
	return body[i:min(len(body), i+600)]
}

func TestPollPageShowsRating(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	ps, err := db.Polls(testQuestionID)
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	if body := pageOK(t, s, "/polls/"+p.ID+"?lang=en"); strings.Contains(body, `id="pollster-rating"`) {
		t.Error("without a calibration the poll page shows a rating")
	}
	if err := db.PutCalibration(calibrationFor(2, poll.Rating{Pollster: p.Pollster, Questions: 4, Polls: 9, ExcessError: -0.5, ExcessErrorSE: 0.3, Weight: 1.5})); err != nil {
		t.Fatal(err)
	}
	body := pageOK(t, s, "/polls/"+p.ID+"?lang=en")
	want := "From 4 questions with results and 9 polls: excess error −0.5 (±0.3), weight 1.50."
	if !strings.Contains(body, want) || !strings.Contains(body, "#"+pollsterAnchor(p.Pollster)) {
		t.Errorf("the poll page lacks its pollster's rating %q:\n%s", want, section(body, "pollster-rating"))
	}
	// and the /pollsters page has the row the link points at
	if !strings.Contains(pageOK(t, s, "/pollsters?lang=en"), `id="`+pollsterAnchor(p.Pollster)+`"`) {
		t.Error("the /pollsters page has no row for the link")
	}
}

// The static export carries the result, the band sentence and the
// ratings, in pages and downloads, with working links between them.
func TestExportCarriesCalibration(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	o := poll.Outcome{Date: poll.NewDate(2023, 4, 20), Shares: map[string]float64{"support": 38, "oppose": 57, "undecided": 5}}
	if _, err := db.SetResult(testQuestionID, o, "cli"); err != nil {
		t.Fatal(err)
	}
	ps, err := db.Polls(testQuestionID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutCalibration(calibrationFor(3, poll.Rating{Pollster: ps[0].Pollster, Questions: 2, Polls: 5, Weight: 1.1})); err != nil {
		t.Fatal(err)
	}
	dir, rep := exportSite(t, s, ExportOptions{})
	if len(rep.BrokenLinks) > 0 || len(rep.AbsoluteLinks) > 0 {
		t.Errorf("broken %v, absolute %v", first(rep.BrokenLinks, 10), first(rep.AbsoluteLinks, 10))
	}
	for f, want := range map[string]string{
		"en/questions/" + testQuestionID + "/index.html": `id="result"`,
		"questions/" + testQuestionID + "/index.html":    "±3%p",
		"api/v1/questions/" + testQuestionID + ".json":   `"result":{"date":"2023-04-20"`,
		"api/v1/questions/" + testQuestionID + ".csv":    ",2023-04-20,oppose:57;support:38;undecided:5,1",
		"api/v1/pollsters.json":                          `"pollster":"` + ps[0].Pollster + `"`,
		"api/v1/pollsters.csv":                           "\n" + ps[0].Pollster + ",2,5,",
		"en/pollsters/index.html":                        `data-pollster="` + ps[0].Pollster + `"`,
		"pollsters/index.html":                           "조사기관 평가",
		"en/polls/" + ps[0].ID + "/index.html":           `href="../../pollsters/#` + pollsterAnchor(ps[0].Pollster) + `"`,
	} {
		if b := readFile(t, filepath.Join(dir, f)); !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q", f, want)
		}
	}
}
