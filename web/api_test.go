package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web/httpcache"
)

// testQuestionID is the demo question the API tests read most.
const testQuestionID = "kr-forced-labor-plan-2023"

func apiGet(tb testing.TB, h http.Handler, target string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	return doRequest(tb, h, http.MethodGet, target, headers...)
}

// apiOK GETs target and fails unless it is 200.
func apiOK(tb testing.TB, h http.Handler, target string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	rec := apiGet(tb, h, target, headers...)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s = %d, want 200: %s", target, rec.Code, rec.Body.String())
	}
	return rec
}

// apiImport stores a poll CSV in db, as `pollagg import` does.
func apiImport(tb testing.TB, db *store.DB, name, text string) {
	tb.Helper()
	b, err := pollcsv.Read(name, strings.NewReader(text), pollcsv.Options{})
	if err != nil {
		tb.Fatalf("reading %s: %v", name, err)
	}
	sum := sha256.Sum256([]byte(text))
	if _, err := db.Import(store.ImportRequest{Batch: b, Account: "cli", FileName: name,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(text))}); err != nil {
		tb.Fatalf("importing %s: %v", name, err)
	}
}

// readCSV reads a download the way a researcher does: '#' lines are
// comments. It returns the header and the rows as maps.
func readCSV(tb testing.TB, body []byte) (header []string, rows []map[string]string) {
	tb.Helper()
	r := csv.NewReader(bytes.NewReader(body))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		tb.Fatalf("the CSV does not parse: %v\n%.500s", err, body)
	}
	if len(recs) == 0 {
		tb.Fatalf("the CSV has no header")
	}
	header = recs[0]
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range header {
			m[h] = rec[i]
		}
		rows = append(rows, m)
	}
	return header, rows
}

// commentLines returns the '#' lines at the top of a CSV.
func commentLines(body []byte) []string {
	var out []string
	for _, l := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		out = append(out, l)
	}
	return out
}

// sameNumber compares a CSV cell with a JSON number (nil: an empty cell).
func sameNumber(tb testing.TB, what, cell string, v any) {
	tb.Helper()
	if v == nil {
		if cell != "" {
			tb.Errorf("%s: CSV %q, JSON null", what, cell)
		}
		return
	}
	want, ok := v.(float64)
	if !ok {
		tb.Errorf("%s: JSON %v (%T) is not a number", what, v, v)
		return
	}
	got, err := strconv.ParseFloat(cell, 64)
	if err != nil || got != want {
		tb.Errorf("%s: CSV %q, JSON %v", what, cell, want)
	}
}

func decodeJSON(tb testing.TB, body []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatalf("the JSON does not parse: %v\n%.500s", err, body)
	}
	return m
}

func TestAPIRoutesAndFormats(t *testing.T) {
	s := testServer(t, testDB(t, true))
	ver := strconv.FormatUint(s.db.Version(), 10)
	base := "/api/v1/questions/" + testQuestionID
	tests := []struct {
		path, file string
	}{
		{"/api/v1/questions", "pollagg_questions_v" + ver},
		{base, testQuestionID + "_question_v" + ver},
		{base + "/polls", testQuestionID + "_polls_kalman_v" + ver},
		{base + "/series", testQuestionID + "_series_kalman_v" + ver},
		{base + "/house-effects", testQuestionID + "_house-effects_kalman_v" + ver},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.path, "/api/v1/"), func(t *testing.T) {
			js := apiOK(t, s, tt.path)
			if got, want := js.Header().Get("Content-Type"), "application/json; charset=utf-8"; got != want {
				t.Errorf("JSON Content-Type = %q, want %q", got, want)
			}
			if got, want := js.Header().Get("Content-Disposition"), `inline; filename="`+tt.file+`.json"`; got != want {
				t.Errorf("JSON Content-Disposition = %q, want %q", got, want)
			}
			doc := decodeJSON(t, js.Body.Bytes())
			if got := doc["data_version"]; got != float64(s.db.Version()) {
				t.Errorf("data_version = %v, want %d", got, s.db.Version())
			}
			if _, ok := doc["parameters"].(map[string]any); !ok {
				t.Errorf("no parameters object: %v", doc["parameters"])
			}
			if got, _ := doc["generated_from"].(string); !strings.HasPrefix(got, tt.path+"?") || !strings.Contains(got, "format=json") {
				t.Errorf("generated_from = %q", got)
			}

			for _, how := range []struct {
				name, target string
				headers      []string
			}{
				{"format", tt.path + "?format=csv", nil},
				{"FORMAT", tt.path + "?format=CSV", nil},
				{"accept", tt.path, []string{"Accept: text/csv"}},
				{"suffix", tt.path + ".csv", nil},
			} {
				c := apiOK(t, s, how.target, how.headers...)
				if got, want := c.Header().Get("Content-Type"), "text/csv; charset=utf-8; header=present"; got != want {
					t.Errorf("%s: CSV Content-Type = %q, want %q", how.name, got, want)
				}
				if got, want := c.Header().Get("Content-Disposition"), `attachment; filename="`+tt.file+`.csv"`; got != want {
					t.Errorf("%s: CSV Content-Disposition = %q, want %q", how.name, got, want)
				}
				if got, want := c.Header().Get("Cache-Control"), "public, max-age=60, stale-while-revalidate=600"; got != want {
					t.Errorf("%s: Cache-Control = %q", how.name, got)
				}
				if et := c.Header().Get("ETag"); !strings.HasPrefix(et, `"`) || !strings.HasSuffix(et, `"`) || len(et) < 10 {
					t.Errorf("%s: ETag %q is not a strong validator", how.name, et)
				}
				if _, err := http.ParseTime(c.Header().Get("Last-Modified")); err != nil {
					t.Errorf("%s: Last-Modified %q: %v", how.name, c.Header().Get("Last-Modified"), err)
				}
				lines := commentLines(c.Body.Bytes())
				if len(lines) == 0 || !strings.Contains(lines[0], "data_version="+ver+";") || !strings.Contains(lines[0], "generated_from="+tt.path+"?") {
					t.Errorf("%s: first line does not name the data version and source: %q", how.name, lines)
				}
			}
			// the same representation whichever way CSV was asked for
			a := apiOK(t, s, tt.path+"?format=csv").Body.String()
			if b := apiOK(t, s, tt.path+".csv").Body.String(); a != b {
				t.Error("…/x.csv and …/x?format=csv differ")
			}
			if b := apiOK(t, s, tt.path, "Accept: text/csv;q=0.9, application/json;q=0.5").Body.String(); a != b {
				t.Error("Accept: text/csv did not give the CSV")
			}
			if b := apiOK(t, s, tt.path+".json").Body.String(); b != js.Body.String() {
				t.Error("…/x.json and the default JSON differ")
			}
			// a browser's Accept gets JSON
			br := apiOK(t, s, tt.path, "Accept: text/html,application/xhtml+xml,*/*;q=0.8")
			if br.Body.String() != js.Body.String() {
				t.Error("a browser's Accept did not get the JSON")
			}
			if got := br.Header().Get("Vary"); got != "Accept, Accept-Encoding" {
				t.Errorf("Vary without a format parameter = %q, want Accept, Accept-Encoding", got)
			}
			if got := apiOK(t, s, tt.path+"?format=json").Header().Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("Vary with a format parameter = %q, want Accept-Encoding", got)
			}
		})
	}
}

func TestAPIQuestions(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	doc := decodeJSON(t, apiOK(t, s, "/api/v1/questions").Body.Bytes())
	list, _ := doc["questions"].([]any)
	qs, _ := db.Questions()
	if len(list) != len(qs) || len(qs) == 0 {
		t.Fatalf("%d questions listed, the database has %d", len(list), len(qs))
	}
	_, rows := readCSV(t, apiOK(t, s, "/api/v1/questions?format=csv").Body.Bytes())
	if len(rows) != len(qs) {
		t.Fatalf("CSV has %d rows, want %d", len(rows), len(qs))
	}
	for i, item := range list {
		q := item.(map[string]any)
		id := q["id"].(string)
		polls, _ := db.Polls(id)
		if got := q["polls"]; got != float64(len(polls)) {
			t.Errorf("%s: polls = %v, want %d", id, got, len(polls))
		}
		pollsters := map[string]bool{}
		for _, p := range polls {
			pollsters[p.Pollster] = true
		}
		if got := q["pollsters"]; got != float64(len(pollsters)) {
			t.Errorf("%s: pollsters = %v, want %d", id, got, len(pollsters))
		}
		if opts, _ := q["options"].([]any); len(opts) < 2 {
			t.Errorf("%s: options = %v", id, q["options"])
		}
		if _, err := time.Parse(time.RFC3339, q["last_update"].(string)); err != nil {
			t.Errorf("%s: last_update %v: %v", id, q["last_update"], err)
		}
		r := rows[i]
		if r["id"] != id || r["polls"] != strconv.Itoa(len(polls)) || r["last_update"] != q["last_update"] {
			t.Errorf("CSV row %v differs from JSON %v", r, q)
		}
	}

	one := decodeJSON(t, apiOK(t, s, "/api/v1/questions/"+testQuestionID).Body.Bytes())
	q := one["questions"].([]any)[0].(map[string]any)
	if q["id"] != testQuestionID {
		t.Fatalf("question id = %v", q["id"])
	}
	by, _ := q["polls_by_pollster"].([]any)
	total := 0.0
	for _, b := range by {
		total += b.(map[string]any)["polls"].(float64)
	}
	if total != q["polls"] {
		t.Errorf("polls_by_pollster sums to %v, polls = %v", total, q["polls"])
	}
	if ev, _ := q["events"].([]any); len(ev) == 0 {
		t.Errorf("no events: %v", q["events"])
	}
}

func TestAPISeriesCSVMatchesJSON(t *testing.T) {
	s := testServer(t, testDB(t, true))
	for _, query := range []string{"", "method=loess&half_life=7", "method=weighted&adjust_house=false&answers=support,oppose", "from=2023-03-10&to=2023-03-12"} {
		t.Run(query, func(t *testing.T) {
			target := "/api/v1/questions/" + testQuestionID + "/series?" + query
			doc := decodeJSON(t, apiOK(t, s, target).Body.Bytes())
			rows, _ := doc["rows"].([]any)
			if len(rows) == 0 {
				t.Fatal("no rows")
			}
			body := apiOK(t, s, target+"&format=csv").Body.Bytes()
			header, crows := readCSV(t, body)
			if got, want := strings.Join(header, ","), strings.Join(seriesColumns, ","); got != want {
				t.Errorf("header = %s, want %s", got, want)
			}
			if len(crows) != len(rows) {
				t.Fatalf("CSV has %d rows, JSON %d", len(crows), len(rows))
			}
			for i, r := range rows {
				jr := r.(map[string]any)
				cr := crows[i]
				for _, k := range []string{"date", "answer", "method", "question_id"} {
					if cr[k] != jr[k] {
						t.Errorf("row %d %s: CSV %q, JSON %v", i, k, cr[k], jr[k])
					}
				}
				for _, k := range []string{"estimate", "lower", "upper", "poll_lower", "poll_upper", "n_eff", "half_life", "window", "span"} {
					sameNumber(t, "row "+strconv.Itoa(i)+" "+k, cr[k], jr[k])
				}
				for _, k := range []string{"adjust_house", "adjust_mode", "drop_undecided"} {
					if cr[k] != strconv.FormatBool(jr[k].(bool)) {
						t.Errorf("row %d %s: CSV %q, JSON %v", i, k, cr[k], jr[k])
					}
				}
			}
		})
	}
}

// The download's numbers are the chart's: the same view through
// parseView and compute, rounded to 4 decimals.
func TestAPISeriesIsTheChartsAverage(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	q := url.Values{"method": {"loess"}, "half_life": {"7"}, "answers": {"oppose"}}
	v, err := parseViewValues(q, nil)
	if err != nil {
		t.Fatal(err)
	}
	comp, err := s.compute(testQuestionID, v)
	if err != nil {
		t.Fatal(err)
	}
	var want []poll.Point
	for _, ser := range comp.Result.Series {
		if ser.Option == "oppose" {
			want = ser.Points
		}
	}
	doc := decodeJSON(t, apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/series?"+q.Encode()).Body.Bytes())
	rows := doc["rows"].([]any)
	if len(rows) != len(want) || len(want) == 0 {
		t.Fatalf("%d rows, the average has %d days", len(rows), len(want))
	}
	for i, r := range rows {
		jr := r.(map[string]any)
		if jr["answer"] != "oppose" || jr["method"] != "loess" || jr["half_life"] != 7.0 || jr["date"] != want[i].Date.String() {
			t.Fatalf("row %d = %v", i, jr)
		}
		for k, w := range map[string]float64{"estimate": want[i].Estimate, "lower": want[i].Lower, "upper": want[i].Upper,
			"poll_lower": want[i].PollLower, "poll_upper": want[i].PollUpper} {
			if got := jr[k].(float64); math.Abs(got-w) > 0.00005 {
				t.Errorf("row %d %s = %v, the average says %v", i, k, got, w)
			}
		}
	}
	p := doc["parameters"].(map[string]any)
	d := poll.DefaultOptions()
	if p["method"] != "loess" || p["half_life"] != 7.0 || p["window"] != float64(d.Window) || p["adjust_house"] != d.AdjustHouse ||
		p["non_sampling_sd"] != d.NonSamplingSD || p["from"] != nil {
		t.Errorf("parameters = %v", p)
	}
	if de, _ := p["design_effect"].(map[string]any); de["unknown"] != d.DesignEffect[poll.ModeUnknown] || de["phone-ARS"] != d.DesignEffect[poll.ModeARS] {
		t.Errorf("design_effect = %v", p["design_effect"])
	}
	if got := doc["generated_from"]; got != "/api/v1/questions/"+testQuestionID+"/series?adjust_house=true&adjust_mode=false&answers=oppose&drop_undecided=false&format=json&half_life=7&method=loess&ratings=true&shared_error="+strconv.FormatFloat(servedSharedError(t, db, testQuestionID), 'f', -1, 64)+"&span=0.3&window=30" {
		t.Errorf("generated_from = %v", got)
	}
}

func TestAPISeriesCSVHeaderNamesParameters(t *testing.T) {
	s := testServer(t, testDB(t, true))
	body := apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/series?format=csv&pollster=Realmeter&pollster=Gallup+Korea").Body.Bytes()
	lines := commentLines(body)
	if len(lines) != 3 {
		t.Fatalf("want 3 comment lines, got %q", lines)
	}
	for _, want := range []string{"# pollagg series; question=" + testQuestionID + "; method=kalman; half_life=14; window=30; span=0.3;",
		"; adjust_house=true;", "; pollster=Gallup Korea,Realmeter;", "; data_version=" + strconv.FormatUint(s.db.Version(), 10) + ";",
		"; data_updated=" + s.db.Updated().UTC().Format(time.RFC3339Nano) + ";"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("first line lacks %q:\n%s", want, lines[0])
		}
	}
	if !strings.HasPrefix(lines[1], "# question: South Koreans") || !strings.Contains(lines[2], "poll_lower, poll_upper = 95% range") {
		t.Errorf("comment lines = %q", lines[1:])
	}
	// a ';' or a line break in a parameter cannot forge a field or a row
	body = apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/series?format=csv&pollster="+url.QueryEscape("a; data_version=999\n1999-01-01,x")).Body.Bytes()
	lines = commentLines(body)
	if strings.Contains(lines[0], "; data_version=999") || !strings.Contains(lines[0], "pollster=a%3B data_version=999%0A1999-01-01,x;") {
		t.Errorf("first line = %s", lines[0])
	}
	if _, rows := readCSV(t, body); len(rows) != 0 {
		t.Errorf("a filter that keeps no poll gave %d rows", len(rows))
	}
}

func TestAPIPollsCSVMatchesJSON(t *testing.T) {
	s := testServer(t, testDB(t, true))
	target := "/api/v1/questions/" + testQuestionID + "/polls"
	doc := decodeJSON(t, apiOK(t, s, target).Body.Bytes())
	polls := doc["polls"].([]any)
	header, rows := readCSV(t, apiOK(t, s, target+"?format=csv").Body.Bytes())
	if len(rows) != len(polls) || len(rows) < 3 {
		t.Fatalf("CSV %d polls, JSON %d", len(rows), len(polls))
	}
	for _, want := range []string{"pct_support", "pct_oppose", "pct_undecided", "house_effect_support", "weight", "pollster", "wording", "source_url", "sample_size", "mode"} {
		if !slices.Contains(header, want) {
			t.Errorf("CSV header lacks %s: %v", want, header)
		}
	}
	weights := 0.0
	for i, p := range polls {
		jp := p.(map[string]any)
		cr := rows[i]
		for _, k := range []string{"id", "pollster", "start_date", "end_date", "midpoint", "source_url"} {
			if jv, _ := jp[k].(string); textCell(jv) != cr[k] {
				t.Errorf("poll %d %s: CSV %q, JSON %q", i, k, cr[k], jv)
			}
		}
		results := jp["results"].(map[string]any)
		house := jp["house_effects"].(map[string]any)
		for _, a := range []string{"support", "oppose", "undecided"} {
			sameNumber(t, "poll "+strconv.Itoa(i)+" pct_"+a, cr["pct_"+a], results[a])
			sameNumber(t, "poll "+strconv.Itoa(i)+" house_effect_"+a, cr["house_effect_"+a], house[a])
		}
		sameNumber(t, "poll "+strconv.Itoa(i)+" weight", cr["weight"], jp["weight"])
		sameNumber(t, "poll "+strconv.Itoa(i)+" sample_size", cr["sample_size"], jp["sample_size"])
		if w, ok := jp["weight"].(float64); ok {
			weights += w
		}
	}
	if math.Abs(weights-1) > 0.001 {
		t.Errorf("the polls' weights sum to %v, want 1", weights)
	}
}

func TestAPIHouseEffectsStayNumbers(t *testing.T) {
	s := testServer(t, testDB(t, true))
	target := "/api/v1/questions/" + testQuestionID + "/house-effects"
	doc := decodeJSON(t, apiOK(t, s, target).Body.Bytes())
	effects := doc["house_effects"].([]any)
	_, rows := readCSV(t, apiOK(t, s, target+"?format=csv").Body.Bytes())
	if len(rows) != len(effects) || len(rows) == 0 {
		t.Fatalf("CSV %d rows, JSON %d", len(rows), len(effects))
	}
	negative := 0
	for i, e := range effects {
		je := e.(map[string]any)
		sameNumber(t, "effect "+strconv.Itoa(i), rows[i]["effect"], je["effect"])
		sameNumber(t, "se "+strconv.Itoa(i), rows[i]["se"], je["se"])
		if je["effect"].(float64) < 0 {
			negative++
			if !strings.HasPrefix(rows[i]["effect"], "-") {
				t.Errorf("negative effect written as %q", rows[i]["effect"])
			}
		}
		if rows[i]["kind"] != je["kind"] || rows[i]["pollster"] != je["pollster"] || rows[i]["mode"] != je["mode"] {
			t.Errorf("row %d: CSV %v, JSON %v", i, rows[i], je)
		}
	}
	if negative == 0 {
		t.Error("no negative house effect to check")
	}
}

// A text cell a spreadsheet would run as a formula gets a leading
// apostrophe in CSV; JSON keeps the text, and numbers stay numbers.
func TestCSVFormulaInjection(t *testing.T) {
	db := testDB(t, true)
	apiImport(t, db, "evil.csv", "question_id,pollster,sponsor,start_date,end_date,sample_size,mode,wording,notes,source_url,support,oppose,undecided\n"+
		testQuestionID+`,"=HYPERLINK(""http://evil.example"",""x"")",@SUM(A1),2023-03-09,2023-03-10,800,phone-live,"+1 call me","-2 points",https://example.org/p,30,60,10`+"\n")
	s := testServer(t, db)
	target := "/api/v1/questions/" + testQuestionID + "/polls"
	_, rows := readCSV(t, apiOK(t, s, target+"?format=csv").Body.Bytes())
	var evil map[string]string
	for _, r := range rows {
		if strings.Contains(r["pollster"], "HYPERLINK") {
			evil = r
		}
	}
	if evil == nil {
		t.Fatal("the imported poll is not listed")
	}
	for k, want := range map[string]string{
		"pollster":    `'=HYPERLINK("http://evil.example","x")`,
		"sponsor":     "'@SUM(A1)",
		"wording":     "'+1 call me",
		"notes":       "'-2 points",
		"pct_support": "30", "source_url": "https://example.org/p", "sample_size": "800",
	} {
		if evil[k] != want {
			t.Errorf("%s = %q, want %q", k, evil[k], want)
		}
	}
	if e := evil["house_effect_support"]; strings.HasPrefix(e, "'") {
		t.Errorf("a number was neutralised: %q", e)
	}
	if !strings.Contains(apiOK(t, s, target).Body.String(), `"pollster":"=HYPERLINK(`) {
		t.Error("JSON changed the text")
	}
	_, hrows := readCSV(t, apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/house-effects.csv").Body.Bytes())
	found := false
	for _, r := range hrows {
		if strings.Contains(r["pollster"], "HYPERLINK") {
			found = true
			if !strings.HasPrefix(r["pollster"], "'=") {
				t.Errorf("house-effects pollster = %q", r["pollster"])
			}
			if _, err := strconv.ParseFloat(r["effect"], 64); err != nil {
				t.Errorf("effect %q is not a number", r["effect"])
			}
		}
	}
	if !found {
		t.Error("the pollster has no house effect row")
	}
	for in, want := range map[string]string{"=1+1": "'=1+1", "+1": "'+1", "-x": "'-x", "@a": "'@a", "\t=1": "'\t=1", "a=1": "a=1", "": ""} {
		if got := textCell(in); got != want {
			t.Errorf("textCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVQuoting(t *testing.T) {
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	(&csvTable{header: []string{"a", "b"}, rows: [][]string{{"x,y", `say "hi"`}, {"#1 pick", " pad"}, {"line\nbreak", "ok"}}}).writeTo(bw)
	bw.Flush()
	want := "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"#1 pick\",\" pad\"\n\"line\nbreak\",ok\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	r := csv.NewReader(&b)
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 4 || recs[2][0] != "#1 pick" {
		t.Errorf("read back %q, %v", recs, err)
	}
}

func TestAPINotModified(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	target := "/api/v1/questions/" + testQuestionID + "/series?format=csv"
	first := apiOK(t, s, target)
	etag, lm := first.Header().Get("ETag"), first.Header().Get("Last-Modified")
	for _, h := range []string{
		"If-None-Match: " + etag,
		"If-None-Match: \"other\", " + etag,
		"If-None-Match: W/" + etag,
		"If-None-Match: *",
		"If-Modified-Since: " + lm,
		"If-Modified-Since: " + time.Now().UTC().Add(time.Hour).Format(http.TimeFormat),
	} {
		rec := apiGet(t, s, target, h)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s: %d, want 304", h, rec.Code)
		}
		if rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
			t.Errorf("%s: 304 with body %d bytes, ETag %q", h, rec.Body.Len(), rec.Header().Get("ETag"))
		}
	}
	for _, h := range []string{
		`If-None-Match: "other"`,
		"If-Modified-Since: Mon, 02 Jan 2006 15:04:05 GMT",
		// If-None-Match decides when both are given
		"If-None-Match: \"other\"\nIf-Modified-Since: " + lm,
	} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		for _, line := range strings.Split(h, "\n") {
			k, v, _ := strings.Cut(line, ":")
			req.Header.Set(k, strings.TrimSpace(v))
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("%q: %d, want 200", h, rec.Code)
		}
	}
	// the same request on the same data: the same bytes and ETag, also
	// from a new server (a restart)
	again := apiOK(t, testServer(t, db), target)
	if again.Body.String() != first.Body.String() || again.Header().Get("ETag") != etag {
		t.Error("a restarted server serves other bytes for the same data")
	}
	// an equivalent URL has the same ETag; another view another one
	if got := apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/series.csv?method=kalman&half_life=14").Header().Get("ETag"); got != etag {
		t.Errorf("the same view spelt out has ETag %s, want %s", got, etag)
	}
	if got := apiOK(t, s, target+"&half_life=7").Header().Get("ETag"); got == etag {
		t.Error("another view has the same ETag")
	}
	// new data: a new ETag, and the old one no longer matches
	apiImport(t, db, "new.csv", "question_id,pollster,start_date,end_date,sample_size,mode,support,oppose,undecided\n"+
		testQuestionID+",New Pollster,2023-03-14,2023-03-15,1000,online,40,50,10\n")
	after := apiGet(t, s, target, "If-None-Match: "+etag)
	if after.Code != http.StatusOK || after.Header().Get("ETag") == etag {
		t.Errorf("after an import: %d with ETag %s (was %s)", after.Code, after.Header().Get("ETag"), etag)
	}
	if !strings.Contains(after.Body.String(), "data_version="+strconv.FormatUint(db.Version(), 10)+";") {
		t.Error("the new body does not carry the new data version")
	}
}

func TestAPIGzip(t *testing.T) {
	s := testServer(t, testDB(t, true))
	target := "/api/v1/questions/" + testQuestionID + "/series?format=csv"
	plain := apiOK(t, s, target)
	gz := apiOK(t, s, target, "Accept-Encoding: gzip, deflate, br")
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q", gz.Header().Get("Content-Encoding"))
	}
	if got, want := gz.Header().Get("Content-Length"), strconv.Itoa(gz.Body.Len()); got != want {
		t.Errorf("gzip Content-Length = %s, body has %s bytes", got, want)
	}
	if gz.Body.Len() >= plain.Body.Len() {
		t.Errorf("gzip body %d bytes, plain %d", gz.Body.Len(), plain.Body.Len())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, plain.Body.Bytes()) {
		t.Error("the gzipped body is not the plain body")
	}
	pe, ge := plain.Header().Get("ETag"), gz.Header().Get("ETag")
	if ge == pe || !strings.HasPrefix(ge, `"`) || strings.HasPrefix(ge, "W/") {
		t.Errorf("gzip ETag %s, plain %s: want a different strong ETag", ge, pe)
	}
	for _, rec := range []*httptest.ResponseRecorder{plain, gz} {
		if v := rec.Header().Get("Vary"); !strings.Contains(v, "Accept-Encoding") {
			t.Errorf("Vary = %q", v)
		}
	}
	if rec := apiGet(t, s, target, "Accept-Encoding: gzip", "If-None-Match: "+ge); rec.Code != http.StatusNotModified {
		t.Errorf("gzip ETag revalidation: %d, want 304", rec.Code)
	}
	if rec := apiGet(t, s, target, "Accept-Encoding: gzip;q=0"); rec.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still got gzip")
	}
}

func TestAPIHead(t *testing.T) {
	s := testServer(t, testDB(t, true))
	for _, target := range []string{"/api/v1/questions/" + testQuestionID + "/series.csv", "/api/v1/questions", "/api/v1/openapi.json"} {
		get := apiOK(t, s, target)
		head := doRequest(t, s, http.MethodHead, target)
		if head.Code != http.StatusOK || head.Body.Len() != 0 {
			t.Errorf("HEAD %s: %d with %d bytes", target, head.Code, head.Body.Len())
		}
		if head.Header().Get("ETag") != get.Header().Get("ETag") || head.Header().Get("Content-Length") != strconv.Itoa(get.Body.Len()) {
			t.Errorf("HEAD %s: ETag %s Content-Length %s; GET %s, %d bytes", target, head.Header().Get("ETag"),
				head.Header().Get("Content-Length"), get.Header().Get("ETag"), get.Body.Len())
		}
	}
}

func TestAPIBadParameters(t *testing.T) {
	s := testServer(t, testDB(t, true))
	base := "/api/v1/questions/" + testQuestionID
	tests := []struct {
		target string
		status int
		want   []string // in the message
	}{
		{base + "/series?half_life=-3", 400, []string{"half_life", "above 0"}},
		{base + "/series?half_life=abc", 400, []string{"half_life"}},
		{base + "/series?method=magic", 400, []string{"method", "kalman, loess, weighted, latest"}},
		{base + "/series?window=0", 400, []string{"window", "1 to 3650"}},
		{base + "/series?span=2", 400, []string{"span"}},
		{base + "/series?adjust_house=maybe", 400, []string{"adjust_house", "true or false"}},
		{base + "/series?from=2023-13-01", 400, []string{"from", "YYYY-MM-DD"}},
		{base + "/series?from=2023-03-10&to=2023-03-01", 400, []string{"to", "before"}},
		// one bound past the polls: the message names that bound, not one the client never sent
		{base + "/series?from=2030-01-01", 400, []string{"from (2030-01-01) is after the last poll"}},
		{base + "/series?to=2000-01-01", 400, []string{"to (2000-01-01) is before the first poll"}},
		{base + "/series?pollster=Gallup+Korea&from=2023-03-10", 400, []string{"from (2023-03-10) is after the last poll"}},
		{base + "/series?mode=fax", 400, []string{"mode", "phone-live"}},
		{base + "/series?answers=maybe", 400, []string{"answers", "support, oppose, undecided"}},
		{base + "/series?format=xml", 400, []string{"format", "csv or json"}},
		{base + "/series.csv?format=json", 400, []string{"format", "given twice"}},
		{base + "/series?halflife=7", 400, []string{"halflife", "unknown parameter", "half_life"}},
		{base + "/polls?include_retracted=perhaps", 400, []string{"include_retracted", "true or false"}},
		{base + "/house-effects?include_retracted=true", 400, []string{"include_retracted", "unknown parameter"}},
		{"/api/v1/questions?method=loess", 400, []string{"method", "unknown parameter", "format"}},
		{base + "?format=pdf", 400, []string{"format"}},
		{"/api/v1/questions/no-such-question/series", 404, []string{"no-such-question"}},
		{"/api/v1/questions/no-such-question", 404, []string{"no-such-question"}},
		{"/api/v1/questions/no-such-question/polls.csv", 404, []string{"no-such-question"}},
	}
	for _, tt := range tests {
		rec := apiGet(t, s, tt.target)
		if rec.Code != tt.status {
			t.Errorf("%s: %d, want %d: %s", tt.target, rec.Code, tt.status, rec.Body.String())
			continue
		}
		var body ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("%s: error body is not JSON: %s", tt.target, rec.Body.String())
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(body.Error.Message, w) {
				t.Errorf("%s: message %q lacks %q", tt.target, body.Error.Message, w)
			}
		}
		if rec.Header().Get("ETag") != "" || strings.Contains(rec.Header().Get("Cache-Control"), "public") {
			t.Errorf("%s: an error is cacheable", tt.target)
		}
	}
	// lang, which pages add to links, is ignored
	apiOK(t, s, base+"/series?lang=en")
}

func TestAPIRetractedPolls(t *testing.T) {
	db := testDB(t, true)
	recs, _ := db.Records(testQuestionID, false)
	victim := recs[0].Current().ID
	if _, err := db.Retract(victim, "operator", nil); err != nil {
		t.Fatal(err)
	}
	s := testServer(t, db)
	target := "/api/v1/questions/" + testQuestionID + "/polls"
	_, rows := readCSV(t, apiOK(t, s, target+"?format=csv").Body.Bytes())
	for _, r := range rows {
		if r["id"] == victim {
			t.Fatal("a retracted poll is listed without include_retracted")
		}
	}
	if len(rows) != len(recs)-1 {
		t.Errorf("%d polls listed, want %d", len(rows), len(recs)-1)
	}
	_, all := readCSV(t, apiOK(t, s, target+"?format=csv&include_retracted=true").Body.Bytes())
	if len(all) != len(recs) {
		t.Fatalf("with include_retracted: %d polls, want %d", len(all), len(recs))
	}
	for _, r := range all {
		retracted := r["retracted"] != ""
		if (r["id"] == victim) != retracted {
			t.Errorf("poll %s: retracted = %q", r["id"], r["retracted"])
		}
		if retracted && r["weight"] != "" {
			t.Errorf("the retracted poll has weight %q", r["weight"])
		}
	}
	doc := decodeJSON(t, apiOK(t, s, target+"?include_retracted=true").Body.Bytes())
	if doc["parameters"].(map[string]any)["include_retracted"] != true {
		t.Error("parameters do not say include_retracted")
	}
	if got := apiOK(t, s, target+"?format=csv&include_retracted=true").Header().Get("Content-Disposition"); !strings.Contains(got, "_with-retracted_") {
		t.Errorf("Content-Disposition = %q", got)
	}
}

func TestAPIEmptyDatabase(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := testServer(t, db)
	rec := apiOK(t, s, "/api/v1/questions")
	doc := decodeJSON(t, rec.Body.Bytes())
	if q, _ := doc["questions"].([]any); len(q) != 0 || doc["data_updated"] != nil {
		t.Errorf("empty database: %s", rec.Body.String())
	}
	if rec.Header().Get("Last-Modified") != "" {
		t.Error("Last-Modified for a database never written")
	}
	// a question without polls has an empty series, not an error
	if err := db.PutQuestion(&poll.Question{ID: "q-empty", Options: []poll.Option{{ID: "yes"}, {ID: "no"}}}); err != nil {
		t.Fatal(err)
	}
	_, rows := readCSV(t, apiOK(t, s, "/api/v1/questions/q-empty/series?format=csv").Body.Bytes())
	if len(rows) != 0 {
		t.Errorf("%d rows", len(rows))
	}
	apiOK(t, s, "/api/v1/questions/q-empty/polls")
	apiOK(t, s, "/api/v1/questions/q-empty/house-effects.csv")
}

func TestNumberFormatting(t *testing.T) {
	for _, tt := range []struct {
		v      float64
		places int
		want   string
	}{
		{43.21987654, 4, "43.2199"}, {14, 4, "14"}, {-1.5, 4, "-1.5"}, {-0.00001, 4, "0"},
		{0.1234567, 6, "0.123457"}, {math.NaN(), 4, ""}, {math.Inf(1), 4, ""}, {1e-9, 6, "0"},
	} {
		if got := string(appendNum(nil, tt.v, tt.places, "")); got != tt.want {
			t.Errorf("appendNum(%v, %d) = %q, want %q", tt.v, tt.places, got, tt.want)
		}
	}
	b, _ := json.Marshal(struct{ A, B num }{num(math.NaN()), num(2.5)})
	if string(b) != `{"A":null,"B":2.5}` {
		t.Errorf("num JSON = %s", b)
	}
}

func TestDownloadFileNames(t *testing.T) {
	for _, tt := range []struct {
		kind, query, want string
	}{
		{KindSeries, "format=csv", "q1_series_kalman_v12.csv"},
		{KindSeries, "method=loess&half_life=7&adjust_house=false", "q1_series_loess_half-life-7_adjust-house-false_v12.json"},
		{KindPolls, "format=csv&include_retracted=true", "q1_polls_kalman_with-retracted_v12.csv"},
		{KindQuestions, "", "pollagg_questions_v12.json"},
		{KindQuestion, "format=csv", "q1_question_v12.csv"},
	} {
		q, _ := url.ParseQuery(tt.query)
		r, err := parseRequest(tt.kind, "q1", q, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := r.fileName(12); got != tt.want {
			t.Errorf("%s?%s: %s, want %s", tt.kind, tt.query, got, tt.want)
		}
	}
	q := url.Values{"pollster": {"한국갤럽"}}
	r, _ := parseRequest(KindSeries, "q1", q, "")
	if got := r.fileName(3); !strings.HasPrefix(got, "q1_series_kalman_filter-") || !strings.HasSuffix(got, "_v3.json") || strings.ContainsAny(got, "한\" ") {
		t.Errorf("filtered: %s", got)
	}
}

func TestAPIPage(t *testing.T) {
	s := testServer(t, testDB(t, true))
	en := apiOK(t, s, "/api?lang=en").Body.String()
	ko := apiOK(t, s, "/api?lang=ko").Body.String()
	for _, want := range []string{"read.csv(", `comment.char = "#"`, "pd.read_csv(", `comment="#"`, "curl -fsS",
		"http://example.com/api/v1/questions/", "/series.csv", "/api/v1/questions/{id}/house-effects",
		`href="/api/v1/questions/` + testQuestionID + `/series?format=csv"`, `href="/api/v1/openapi.json"`, "poll_lower", "half_life"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English API page lacks %q", want)
		}
	}
	if !strings.Contains(en, "Data API and downloads") || !strings.Contains(ko, "데이터 API와 내려받기") {
		t.Error("the page is not in the asked language")
	}
	if hk, he := hangulCount(ko), hangulCount(en); hk < 300 || hk < 5*he {
		t.Errorf("Korean page has %d Hangul letters, English %d", hk, he)
	}
	if strings.Contains(en, "{{") || strings.Contains(en, "api.p.") || strings.Contains(ko, "api.c.") {
		t.Error("a template or message key leaked into the page")
	}
}

func hangulCount(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0xAC00 && r <= 0xD7A3 {
			n++
		}
	}
	return n
}

func TestLinkForms(t *testing.T) {
	csvQ := url.Values{"format": {"csv"}}
	live := &Page{Lang: "en", Path: "/questions/q1"}
	ko := &Page{Lang: "ko", Path: "/"}
	static := &Page{Lang: "en", Path: "/questions/q1", Static: true}
	staticKo := &Page{Lang: "ko", Path: "/", Static: true}
	staticAPI := &Page{Lang: "ko", Path: "/api", Static: true}
	for _, tt := range []struct {
		p    *Page
		path string
		q    url.Values
		want string
	}{
		{live, "/questions/q2", nil, "/questions/q2?lang=en"},
		{live, "/questions/q2", url.Values{"method": {"loess"}}, "/questions/q2?lang=en&method=loess"},
		{live, "/methodology#house", nil, "/methodology?lang=en#house"},
		{live, "/static/style.css", nil, "/static/style.css"},
		{live, "/static/style.css", url.Values{"v": {"abc"}}, "/static/style.css?v=abc"},
		{live, "/api/v1/questions/q1/series", csvQ, "/api/v1/questions/q1/series?format=csv"},
		{ko, "/", nil, "/?lang=ko"},
		{static, "/questions/q2", url.Values{"method": {"loess"}}, "../q2/"},
		{static, "/", nil, "../../"},
		{static, "/methodology#house", nil, "../../methodology/#house"},
		{static, "/static/style.css", nil, "../../../static/style.css"},
		{static, "/api/v1/questions/q1/series", csvQ, "../../../api/v1/questions/q1/series.csv"},
		{static, "/api/v1/questions/q1/series", nil, "../../../api/v1/questions/q1/series.json"},
		{static, "/api/v1/questions", csvQ, "../../../api/v1/questions.csv"},
		{static, "/api/v1/openapi.json", nil, "../../../api/v1/openapi.json"},
		{staticKo, "/", nil, "./"},
		{staticKo, "/questions/q1", nil, "questions/q1/"},
		{staticKo, "/static/chart.js", nil, "static/chart.js"},
		{staticAPI, "/api/v1/questions/q1/polls", csvQ, "v1/questions/q1/polls.csv"},
	} {
		if got := tt.p.Link(tt.path, tt.q); got != tt.want {
			t.Errorf("%s page %s (static %v): Link(%s, %v) = %s, want %s", tt.p.Lang, tt.p.Path, tt.p.Static, tt.path, tt.q, got, tt.want)
		}
	}
	if got := static.LangURL("ko"); got != "../../../questions/q1/" {
		t.Errorf("static LangURL(ko) = %s", got)
	}
	if got := staticKo.LangURL("en"); got != "en/" {
		t.Errorf("static LangURL(en) from the Korean index = %s", got)
	}
	if got := (&Page{Lang: "ko", Path: "/questions/q1", Query: url.Values{"method": {"loess"}}}).LangURL("en"); got != "/questions/q1?lang=en&method=loess" {
		t.Errorf("live LangURL = %s", got)
	}
}

func TestRecentDownloadsBounded(t *testing.T) {
	r := newRecentDownloads(3, 100)
	small := httpcache.New(make([]byte, 30), "text/plain", "small.txt", false, time.Time{})
	for i, k := range []string{"a", "b", "c"} {
		r.put(downloadKey{id: k}, 1, small, false)
		if len(r.entries) != i+1 {
			t.Fatalf("after %d puts: %d entries", i+1, len(r.entries))
		}
	}
	r.put(downloadKey{id: "d"}, 1, small, false) // 4 keys > 3, and 120 bytes > 100: starts over
	if len(r.entries) != 1 || r.bytes != 30 {
		t.Errorf("entries %d, bytes %d", len(r.entries), r.bytes)
	}
	if _, _, ok := r.get(downloadKey{id: "d"}, 1); !ok {
		t.Error("the newest entry is gone")
	}
	if _, _, ok := r.get(downloadKey{id: "d"}, 2); ok {
		t.Error("an entry answered for another data version")
	}
	r.put(downloadKey{id: "big"}, 1, httpcache.New(make([]byte, 101), "text/plain", "big.txt", false, time.Time{}), false)
	if _, _, ok := r.get(downloadKey{id: "big"}, 1); ok {
		t.Error("a body over the budget was kept")
	}
}

// discardWriter is a ResponseWriter that keeps nothing, for benchmarks.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkSeriesCSVHotPath is a repeated series CSV request through the
// whole server (router and every middleware), the response discarded:
// what `make loadtest` measures, without the network.
func BenchmarkSeriesCSVHotPath(b *testing.B) {
	s := testServer(b, testDB(b, true))
	req := httptest.NewRequest(http.MethodGet, "/api/v1/questions/"+testQuestionID+"/series?format=csv", nil)
	b.ReportAllocs()
	for b.Loop() {
		s.ServeHTTP(&discardWriter{h: http.Header{}}, req.Clone(req.Context()))
	}
}

// BenchmarkSeriesCSVEncode builds the series CSV from the averaged view
// (a cache miss after a data change, without the averaging).
func BenchmarkSeriesCSVEncode(b *testing.B) {
	s := testServer(b, testDB(b, true))
	r, err := parseRequest(KindSeries, testQuestionID, url.Values{"format": {"csv"}}, "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.encode(r); err != nil {
			b.Fatal(err)
		}
	}
}

// The generated_from URL in a CSV's first line reproduces the download:
// its escapes are not escaped again (pollster=%ED%95%9C…, not %25ED…).
func TestAPICSVGeneratedFromReproduces(t *testing.T) {
	s := testServer(t, testDB(t, true))
	for _, q := range []string{"pollster=" + url.QueryEscape("한국갤럽"), "pollster=" + url.QueryEscape("100% Research; x"), "pollster=Realmeter&pollster=Gallup+Korea&from=2023-03-01"} {
		path := "/api/v1/questions/" + testQuestionID + "/series?format=csv&" + q
		first := apiOK(t, s, path).Body.Bytes()
		line := commentLines(first)[0]
		_, src, ok := strings.Cut(line, "; generated_from=")
		if !ok {
			t.Fatalf("no generated_from in %s", line)
		}
		u, err := url.Parse(src)
		if err != nil {
			t.Fatalf("generated_from %q: %v", src, err)
		}
		want, _ := url.ParseQuery(q)
		for k, vs := range want {
			got := append([]string(nil), u.Query()[k]...)
			sort.Strings(got)
			sort.Strings(vs)
			if strings.Join(got, "|") != strings.Join(vs, "|") {
				t.Errorf("%s: generated_from %s gives %s=%q, want %q", q, src, k, got, vs)
			}
		}
		if again := apiOK(t, s, src).Body.Bytes(); !bytes.Equal(again, first) {
			t.Errorf("%s: generated_from %s returns other bytes", q, src)
		}
	}
}

// TestPollsListTheWholeAverage: from and to bound the days estimated, not
// the polls; every poll of the average is listed and the weights sum to 1.
func TestPollsListTheWholeAverage(t *testing.T) {
	db := testDB(t, true)
	h := testServer(t, db)
	stored, err := db.Polls("kr-forced-labor-plan-2023")
	if err != nil || len(stored) < 2 {
		t.Fatalf("%d polls stored (%v)", len(stored), err)
	}
	for _, q := range []string{"", "?from=2023-03-13&method=weighted", "?to=2023-03-09"} {
		doc := decodeJSON(t, apiOK(t, h, "/api/v1/questions/kr-forced-labor-plan-2023/polls"+q).Body.Bytes())
		polls, _ := doc["polls"].([]any)
		if len(polls) != len(stored) {
			t.Fatalf("%s: %d polls, want all %d of the average", q, len(polls), len(stored))
		}
		sum := 0.0
		for _, p := range polls {
			w, _ := p.(map[string]any)["weight"].(float64)
			sum += w
		}
		if sum < 0.999 || sum > 1.001 {
			t.Errorf("%s: weights sum to %v, want 1", q, sum)
		}
	}
}
