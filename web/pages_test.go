package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web/site"
)

// mainQuestion is the demo question the dashboard tests look at most.
const mainQuestion = "kr-forced-labor-plan-2023"

// dashImport stores a poll CSV in db, as `pollagg import` does.
func dashImport(tb testing.TB, db *store.DB, name, csv string) {
	tb.Helper()
	b, err := pollcsv.Read(name, strings.NewReader(csv), pollcsv.Options{})
	if err != nil {
		tb.Fatalf("reading %s: %v", name, err)
	}
	if len(b.Problems) > 0 {
		tb.Fatalf("reading %s: %v", name, b.Problems)
	}
	sum := sha256.Sum256([]byte(csv))
	if _, err := db.Import(store.ImportRequest{Batch: b, Account: "cli", FileName: name,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(csv))}); err != nil {
		tb.Fatalf("importing %s: %v", name, err)
	}
}

// chartJSON extracts and decodes the chart's JSON block of a page.
var chartBlockRE = regexp.MustCompile(`(?s)<script type="application/json" id="trend-data" data-echarts="trend">(.*?)</script>`)

func chartPayloadOf(tb testing.TB, page string) chartPayload {
	tb.Helper()
	m := chartBlockRE.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("no chart JSON block in the page")
	}
	var p chartPayload
	if err := json.Unmarshal([]byte(m[1]), &p); err != nil {
		tb.Fatalf("chart JSON does not parse: %v\n%.300s", err, m[1])
	}
	return p
}

// textOf strips tags and scripts from a page, leaving what a reader sees.
var (
	scriptRE = regexp.MustCompile(`(?s)<script.*?</script>`)
	tagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
)

func textOf(page string) string {
	return html.UnescapeString(tagRE.ReplaceAllString(scriptRE.ReplaceAllString(page, " "), " "))
}

func hangul(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			n++
		}
	}
	return n
}

func TestIndexHeadlinesMatchAverage(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	rec := doRequest(t, s, http.MethodGet, "/?lang=en")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d\n%s", rec.Code, rec.Body)
	}
	page := rec.Body.String()
	qs, err := db.Questions()
	if err != nil {
		t.Fatal(err)
	}
	if shipped, _ := data.Questions(); len(qs) != len(shipped) {
		t.Fatalf("seeded %d questions, want the %d shipped", len(qs), len(shipped))
	}
	cardRE := regexp.MustCompile(`(?s)<li class="question-card[^"]*" data-question="([^"]+)">(.*?)</li>`)
	cards := cardRE.FindAllStringSubmatch(page, -1)
	if len(cards) != len(qs) {
		t.Fatalf("index lists %d questions, want %d", len(cards), len(qs))
	}
	answerRE := regexp.MustCompile(`data-answer="([^"]+)" data-estimate="([^"]+)">[^<]* <strong>(\d+)%</strong> ±(&lt;1|\d+)`)
	var order []string
	for _, card := range cards {
		qid, body := card[1], card[2]
		q, err := db.Question(qid)
		if err != nil {
			t.Fatal(err)
		}
		polls, err := db.Polls(qid)
		if err != nil {
			t.Fatal(err)
		}
		res, err := poll.Average(q, polls, servedOptions(polls))
		if err != nil {
			t.Fatalf("%s: %v", qid, err)
		}
		want := map[string]poll.Point{}
		var asOf poll.Date
		for _, s := range res.Series {
			if len(s.Points) == 0 {
				continue
			}
			last := s.Points[len(s.Points)-1]
			want[s.Option] = last
			asOf = last.Date
		}
		got := answerRE.FindAllStringSubmatch(body, -1)
		if len(got) == 0 {
			t.Fatalf("%s: no headline numbers in %q", qid, body)
		}
		prev := math.Inf(1)
		for _, g := range got {
			pt, ok := want[g[1]]
			if !ok {
				t.Errorf("%s: headline answer %q is not in the average", qid, g[1])
				continue
			}
			if o, _ := q.Option(g[1]); o.Undecided {
				t.Errorf("%s: headline shows the undecided option", qid)
			}
			est, _ := strconv.ParseFloat(g[2], 64)
			if est != pt.Estimate {
				t.Errorf("%s %s: data-estimate=%v, poll.Average's last day=%v", qid, g[1], est, pt.Estimate)
			}
			if got, want := g[3], strconv.Itoa(int(math.Round(pt.Estimate))); got != want {
				t.Errorf("%s %s: headline says %s%%, want %s%%", qid, g[1], got, want)
			}
			if m := (pt.Upper - pt.Lower) / 2; m >= 0.5 {
				if got, want := g[4], strconv.Itoa(int(math.Round(m))); got != want {
					t.Errorf("%s %s: margin ±%s, want ±%s", qid, g[1], got, want)
				}
			}
			if est > prev {
				t.Errorf("%s: headline answers are not largest first", qid)
			}
			prev = est
		}
		if !strings.Contains(body, "as of "+formatDate("en", asOf)) {
			t.Errorf("%s: headline lacks %q: %s", qid, "as of "+formatDate("en", asOf), body)
		}
		first, end := polls[0].Start, polls[0].End
		pollsters := map[string]bool{}
		for _, p := range polls {
			first, end = min(first, p.Start), max(end, p.End)
			pollsters[p.Pollster] = true
		}
		// the card's facts: poll count, pollsters, date range
		for _, w := range []string{fmt.Sprintf("%d poll", len(polls)), fmt.Sprintf("%d pollster", len(pollsters)),
			formatDate("en", first) + " – " + formatDate("en", end)} {
			if !strings.Contains(body, w) {
				t.Errorf("%s: card lacks %q: %s", qid, w, body)
			}
		}
		order = append(order, qid)
	}
	// the cards follow the demo's groups, the flagship first
	groups, _ := data.Groups()
	var want []string
	for _, g := range groups {
		want = append(want, g.Questions...)
	}
	if strings.Join(order, " ") != strings.Join(want, " ") || order[0] != mainQuestion {
		t.Errorf("cards in order %v, want the groups' %v", order, want)
	}
	// The main question's headline, in words.
	for _, card := range cards {
		if card[1] == mainQuestion {
			txt := strings.Join(strings.Fields(textOf(card[2])), " ")
			if !regexp.MustCompile(`Oppose \d+% ±\d+ ?, support \d+% ±\d+ ?, as of May \d+, 2024`).MatchString(txt) {
				t.Errorf("main headline reads %q", txt)
			}
		}
	}
}

func TestIndexKorean(t *testing.T) {
	s := testServer(t, testDB(t, true))
	rec := doRequest(t, s, http.MethodGet, "/", "Accept-Language: ko-KR,ko;q=0.9,en;q=0.8")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d", rec.Code)
	}
	txt := strings.Join(strings.Fields(textOf(rec.Body.String())), " ")
	if !regexp.MustCompile(`반대 \d+% ±\d+ ?, 찬성 \d+% ±\d+ ?\(20\d\d년 \d+월 \d+일 기준\)`).MatchString(txt) {
		t.Errorf("Korean headline missing in %q", txt)
	}
	if !strings.Contains(rec.Body.String(), `<html lang="ko">`) {
		t.Error("page is not marked lang=ko")
	}
}

func TestIndexEmptyDatabase(t *testing.T) {
	s := testServer(t, testDB(t, false))
	rec := doRequest(t, s, http.MethodGet, "/?lang=en")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "No questions yet.") {
		t.Fatalf("GET / on an empty database = %d\n%s", rec.Code, rec.Body)
	}
}

func TestDashboardRoutes(t *testing.T) {
	s := testServer(t, testDB(t, true))
	q := "/questions/" + mainQuestion
	tests := []struct {
		name    string
		target  string
		headers []string
		status  int
		want    []string // substrings of the body
		ctype   string
	}{
		{"index", "/", nil, 200, []string{`href="/questions/` + mainQuestion + `?lang=ko"`}, "text/html"},
		{"methodology en", "/methodology?lang=en", nil, 200, []string{"method=kalman", "method=loess", "method=weighted", "method=latest", "House effects"}, "text/html"},
		{"methodology ko", "/methodology?lang=ko", nil, 200, []string{"칼만 필터", "조사기관 효과"}, "text/html"},
		{"question default", q + "?lang=en", nil, 200, []string{`id="trend"`, "Polls", "House effects", "Downloads"}, "text/html"},
		{"method kalman", q + "?method=kalman&lang=en", nil, 200, []string{`<option value="kalman" selected>`}, "text/html"},
		{"method loess", q + "?method=loess&lang=en", nil, 200, []string{`<option value="loess" selected>`}, "text/html"},
		{"method weighted", q + "?method=weighted&lang=en", nil, 200, []string{`<option value="weighted" selected>`}, "text/html"},
		{"method latest", q + "?method=latest&lang=en", nil, 200, []string{`<option value="latest" selected>`}, "text/html"},
		{"half-life", q + "?method=weighted&half_life=7&lang=en", nil, 200, []string{`name="half_life" value="7"`}, "text/html"},
		{"house off", q + "?adjust_house=false&lang=en", nil, 200, []string{`<option value="false" selected>Off</option>`}, "text/html"},
		{"date range", q + "?from=2023-03-07&to=2023-03-20&lang=en", nil, 200, []string{`name="from" value="2023-03-07"`, `name="to" value="2023-03-20"`}, "text/html"},
		{"mode filter", q + "?mode=phone-ARS&lang=en", nil, 200, []string{`value="phone-ARS" checked`}, "text/html"},
		{"answers", q + "?answers=support,oppose&lang=en", nil, 200, []string{`name="answers" value="support,oppose"`}, "text/html"},
		{"drop undecided", q + "?drop_undecided=true&lang=en", nil, 200, []string{`id="trend"`}, "text/html"},
		{"mode adjustment", q + "?adjust_mode=true&method=weighted&lang=en", nil, 200, []string{`id="trend"`}, "text/html"},
		{"window and span", q + "?method=latest&window=10&span=0.5&lang=en", nil, 200, []string{`name="window" value="10"`, `name="span" value="0.5"`}, "text/html"},
		{"pollster filter", q + "?pollster=Gallup+Korea&pollster=Realmeter&lang=en", nil, 200, []string{`value="Gallup Korea" checked`, `value="Realmeter" checked`, "The 2 polls in this view"}, "text/html"},
		{"pollster matching nothing", q + "?pollster=Nobody&lang=en", nil, 200, []string{"No polls match this view."}, "text/html"},
		{"every question", "/questions/kr-yoon-approval?lang=en", nil, 200, []string{`id="trend"`}, "text/html"},
		{"unknown method", q + "?method=nonsense&lang=en", nil, 400, []string{"method: &#34;nonsense&#34; is not one of kalman, loess, weighted, latest"}, "text/html"},
		{"negative half-life", q + "?half_life=-3&lang=en", nil, 400, []string{"half_life: &#34;-3&#34; is not a number of days above 0"}, "text/html"},
		{"zero half-life", q + "?half_life=0", nil, 400, []string{"half_life"}, "text/html"},
		{"text half-life", q + "?half_life=abc", nil, 400, []string{"half_life"}, "text/html"},
		{"zero window", q + "?window=0", nil, 400, []string{"window"}, "text/html"},
		{"span above 1", q + "?span=2", nil, 400, []string{"span"}, "text/html"},
		{"bad boolean", q + "?adjust_house=maybe", nil, 400, []string{"adjust_house: &#34;maybe&#34; is not true or false"}, "text/html"},
		{"bad date", q + "?from=2023-13-45", nil, 400, []string{"from"}, "text/html"},
		{"to before from", q + "?from=2023-03-20&to=2023-03-01", nil, 400, []string{"is before from"}, "text/html"},
		{"unknown mode", q + "?mode=telepathy", nil, 400, []string{"mode: &#34;telepathy&#34;"}, "text/html"},
		{"unknown answer", q + "?answers=maybe", nil, 400, []string{"answers: &#34;maybe&#34; is not an answer of this question"}, "text/html"},
		{"unknown question", "/questions/no-such-question?lang=en", nil, 404, []string{"404", "Not found"}, "text/html"},
		{"unknown question, JSON", "/questions/no-such-question", []string{"Accept: application/json"}, 404, []string{`"status":404`, `"code":"not_found"`}, "application/json"},
		{"unknown question, bad method", "/questions/no-such-question?method=x", nil, 400, []string{"method"}, "text/html"},
		{"no such page", "/nope", nil, 404, nil, "text/html"},
		{"favicon", "/favicon.ico", nil, 200, []string{"PNG"}, "image/png"},
		{"stylesheet", "/static/style.css", nil, 200, []string{"font-family"}, "text/css"},
		{"chart script", "/static/chart.js", nil, 200, []string{"encodeHTML"}, "javascript"},
		{"table script", "/static/table.js", nil, 200, []string{"sortable"}, "javascript"},
		{"echarts", "/static/echarts/echarts.min.js", nil, 200, []string{"Apache"}, "javascript"},
		{"echarts licence", "/static/echarts/LICENSE", nil, 200, []string{"Apache License"}, ""},
		{"no such static file", "/static/nope.js", nil, 404, nil, ""},
		{"no escape from static", "/static/../templates/layout.html", nil, 404, nil, ""},
		{"no escape from static, encoded", "/static/..%2ftemplates%2flayout.html", nil, 404, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := doRequest(t, s, http.MethodGet, tt.target, tt.headers...)
			if rec.Code != tt.status {
				t.Fatalf("GET %s = %d, want %d\n%.2000s", tt.target, rec.Code, tt.status, rec.Body)
			}
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: body lacks %q\n%.3000s", tt.target, w, body)
				}
			}
			if ct := rec.Header().Get("Content-Type"); tt.ctype != "" && !strings.Contains(ct, tt.ctype) {
				t.Errorf("GET %s: Content-Type %q, want %q", tt.target, ct, tt.ctype)
			}
		})
	}
}

func TestQuestionWithoutPolls(t *testing.T) {
	db := testDB(t, false)
	q := &poll.Question{ID: "empty-q", TitleEn: "Nobody asked yet", TitleKo: "아직 조사 없음",
		Options: []poll.Option{{ID: "support", LabelEn: "Support"}, {ID: "oppose", LabelEn: "Oppose"}}}
	if err := db.PutQuestion(q); err != nil {
		t.Fatal(err)
	}
	s := testServer(t, db)
	rec := doRequest(t, s, http.MethodGet, "/questions/empty-q?lang=en")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "No polls match this view.") || strings.Contains(rec.Body.String(), `id="trend"`) {
		t.Errorf("a question without polls = %d\n%.2000s", rec.Code, rec.Body)
	}
	rec = doRequest(t, s, http.MethodGet, "/?lang=en")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "No polls to average yet.") {
		t.Errorf("index with a question without polls = %d", rec.Code)
	}
}

func TestQuestionPageChart(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	rec := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET = %d", rec.Code)
	}
	page := rec.Body.String()
	p := chartPayloadOf(t, page)
	polls, _ := db.Polls(mainQuestion)
	if got, want := len(expandPolls(t, p)), len(polls); got != want {
		t.Errorf("chart has %d polls, want %d", got, want)
	}
	if got := len(p.Answers); got != 3 {
		t.Errorf("chart has %d answers, want 3", got)
	}
	series, _ := p.Option["series"].([]any)
	// per answer: average, lower bound, band, dots; plus the events
	if got, want := len(series), 3*4+1; got != want {
		t.Errorf("chart has %d series, want %d", got, want)
	}
	for _, w := range []string{`"type":"time"`, `"dataZoom"`, `"saveAsImage"`, `"markLine"`, "Plan announced", `"legend"`} {
		if !strings.Contains(page, w) && !strings.Contains(mustJSON(t, p.Option), w) {
			t.Errorf("chart lacks %s", w)
		}
	}
	// The page loads ECharts and our script from this server, under
	// fingerprinted names.
	for _, w := range []string{`<script src="/` + assetURL("echarts/echarts.min.js")[1:] + `"`, `<script src="/static/chart.` + staticVersion["chart.js"] + `.js"`, `<script src="/static/table.` + staticVersion["table.js"] + `.js"`} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %s", w)
		}
	}
	// a poll table row per poll, each linking to its page
	for _, pl := range polls {
		if !strings.Contains(page, `href="/polls/`+pl.ID+`?lang=en"`) {
			t.Errorf("no link to /polls/%s", pl.ID)
		}
	}
	if got := strings.Count(page, "<tr>") - 1; got < len(polls) {
		t.Errorf("%d table rows, want at least %d polls", got, len(polls))
	}
	// downloads with the view's query
	for _, w := range []string{
		`href="/api/v1/questions/` + mainQuestion + `/series?format=csv"`,
		`href="/api/v1/questions/` + mainQuestion + `/series"`,
		`href="/api/v1/questions/` + mainQuestion + `/polls?format=csv"`,
		`href="/api/v1/questions/` + mainQuestion + `/polls"`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks the download %s", w)
		}
	}
	rec = doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?method=loess&half_life=10&lang=en")
	if w := `href="/api/v1/questions/` + mainQuestion + `/series?format=csv&amp;half_life=10&amp;method=loess"`; !strings.Contains(rec.Body.String(), w) {
		t.Errorf("the CSV download does not carry the view: want %s", w)
	}
	if w := `href="/questions/` + mainQuestion + `?half_life=10&amp;lang=en&amp;method=loess"`; !strings.Contains(rec.Body.String(), w) {
		t.Errorf("no share link %s", w)
	}
}

func mustJSON(tb testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// outsideRefRE finds src and href attributes with their tag.
var attrRE = regexp.MustCompile(`<([a-zA-Z]+)\b[^>]*?\s(src|href|srcset|poster|data|action)="([^"]*)"`)

func TestNoOutsideHosts(t *testing.T) {
	s := testServer(t, testDB(t, true))
	for _, target := range []string{"/?lang=ko", "/?lang=en", "/questions/" + mainQuestion + "?lang=ko", "/questions/" + mainQuestion + "?lang=en", "/methodology", "/questions/nope"} {
		page := doRequest(t, s, http.MethodGet, target).Body.String()
		n := 0
		for _, m := range attrRE.FindAllStringSubmatch(page, -1) {
			tag, attr, val := strings.ToLower(m[1]), m[2], html.UnescapeString(m[3])
			n++
			if tag == "a" && attr == "href" {
				continue // a link a reader follows (a poll's source) is no request
			}
			u, err := url.Parse(val)
			if err != nil || u.Host != "" || u.Scheme != "" || strings.HasPrefix(val, "//") {
				t.Errorf("%s: <%s %s=%q> refers to another host", target, tag, attr, val)
			}
		}
		if n == 0 {
			t.Errorf("%s: no links found; the check found nothing to check", target)
		}
		if strings.Contains(page, "url(http") || strings.Contains(page, "@import") {
			t.Errorf("%s: inline CSS refers elsewhere", target)
		}
	}
	css, _ := fs.ReadFile(staticRoot, "style.css")
	if bytes.Contains(css, []byte("url(")) || bytes.Contains(css, []byte("@import")) || bytes.Contains(css, []byte("@font-face")) {
		t.Error("style.css loads something (fonts come from the system)")
	}
}

func TestKoreanHasMoreHangul(t *testing.T) {
	s := testServer(t, testDB(t, true))
	for _, path := range []string{"/", "/questions/" + mainQuestion, "/methodology"} {
		ko := doRequest(t, s, http.MethodGet, path, "Accept-Language: ko")
		en := doRequest(t, s, http.MethodGet, path, "Accept-Language: en-US,en;q=0.9")
		k, e := hangul(textOf(ko.Body.String())), hangul(textOf(en.Body.String()))
		if k <= e || k < 100 {
			t.Errorf("%s: Korean page has %d Hangul letters, English %d", path, k, e)
		}
		if !strings.Contains(en.Body.String(), `<html lang="en">`) || !strings.Contains(ko.Body.String(), `<html lang="ko">`) {
			t.Errorf("%s: lang attribute does not follow Accept-Language", path)
		}
		if ko.Header().Get("Content-Language") != "ko" || en.Header().Get("Content-Language") != "en" {
			t.Errorf("%s: Content-Language %q / %q", path, ko.Header().Get("Content-Language"), en.Header().Get("Content-Language"))
		}
	}
	en := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en").Body.String()
	for _, w := range []string{"Oppose", "Support", "Pollster", "House effects", "Mar "} {
		if !strings.Contains(en, w) {
			t.Errorf("English page lacks %q", w)
		}
	}
}

func TestLanguageSwitchAndCookie(t *testing.T) {
	s := testServer(t, testDB(t, true))
	rec := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en&method=loess", "Accept-Language: ko")
	if !strings.Contains(rec.Body.String(), `<html lang="en">`) {
		t.Fatal("?lang=en did not win over Accept-Language")
	}
	ck := rec.Header().Get("Set-Cookie")
	if !strings.HasPrefix(ck, "lang=en;") || !strings.Contains(ck, "Path=/") || !strings.Contains(ck, "SameSite=Lax") {
		t.Errorf("Set-Cookie = %q, want lang=en for the site", ck)
	}
	// the switch keeps the view and names the other language
	if w := `href="/questions/` + mainQuestion + `?lang=ko&amp;method=loess"`; !strings.Contains(rec.Body.String(), w) {
		t.Errorf("no language switch %s", w)
	}
	// the cookie then decides
	rec = doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion, "Cookie: lang=en", "Accept-Language: ko")
	if !strings.Contains(rec.Body.String(), `<html lang="en">`) {
		t.Error("the lang cookie was not used")
	}
	if rec.Header().Get("Set-Cookie") != "" {
		t.Error("a cookie was set without ?lang")
	}
	// an unknown language is ignored
	rec = doRequest(t, s, http.MethodGet, "/?lang=fr", "Accept-Language: en")
	if !strings.Contains(rec.Body.String(), `<html lang="en">`) || rec.Header().Get("Set-Cookie") != "" {
		t.Error("?lang=fr was not ignored")
	}
}

func TestDatesAndNumbersByLocale(t *testing.T) {
	s := testServer(t, testDB(t, true))
	ko := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=ko").Body.String()
	en := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en").Body.String()
	if !regexp.MustCompile(`2023년 3월 \d+일`).MatchString(ko) {
		t.Error("Korean page has no Korean dates")
	}
	if !regexp.MustCompile(`Mar \d+(–\d+)?, 2023`).MatchString(en) {
		t.Error("English page has no English dates")
	}
	if !regexp.MustCompile(`>\d,\d{3}<`).MatchString(en) {
		t.Error("sample sizes are not grouped by thousands")
	}
}

func TestXSSFromCSV(t *testing.T) {
	db := testDB(t, false)
	const scriptName = `</script><script>alert(1)</script>`
	const funcName = `__f__alert(1)__f__`
	csv := "question_id,pollster,sponsor,start_date,end_date,sample_size,support,oppose,source_url\n" +
		`q1,"` + scriptName + `","<img src=x onerror=alert(2)>",2023-03-01,2023-03-02,1000,40,55,` + "\n" +
		`q1,"` + funcName + `",,2023-03-05,2023-03-06,800,45,50,https://example.org/poll` + "\n" +
		"q1,Honest Polls,,2023-03-08,2023-03-09,1200,42,52,\n"
	dashImport(t, db, "evil.csv", csv)
	s := testServer(t, db)
	for _, target := range []string{"/questions/q1?lang=en", "/questions/q1?lang=ko", "/?lang=en", "/questions/q1?pollster=" + url.QueryEscape(scriptName)} {
		rec := doRequest(t, s, http.MethodGet, target)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d\n%s", target, rec.Code, rec.Body)
		}
		page := rec.Body.String()
		for _, raw := range []string{scriptName, "<script>alert", "<img src=x", "javascript:alert", `":alert(1)`, `:alert(1)`} {
			if strings.Contains(page, raw) {
				t.Errorf("%s: %q appears unescaped", target, raw)
			}
		}
		// exactly our own script elements (chart data, echarts, chart.js,
		// table.js, embed-code.js), none from the data
		if n := strings.Count(page, "<script"); n > 5 {
			t.Errorf("%s: %d script elements", target, n)
		}
		if !strings.HasPrefix(target, "/?") {
			if !strings.Contains(page, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s: the pollster is not shown as escaped text", target)
			}
			if !strings.Contains(page, funcName+"<") {
				t.Errorf("%s: the __f__ pollster is not shown as text", target)
			}
		}
	}
	page := doRequest(t, s, http.MethodGet, "/questions/q1?lang=en").Body.String()
	p := chartPayloadOf(t, page)
	names := map[string]bool{}
	for _, pl := range expandPolls(t, p) {
		names[pl.Pollster] = true
	}
	if !names[scriptName] || !names[funcName] || !names["Honest Polls"] {
		t.Errorf("the chart data does not carry the pollsters as plain strings: %v", names)
	}
	block := chartBlockRE.FindStringSubmatch(page)[1]
	if !strings.Contains(block, `\u003c/script\u003e`) || !strings.Contains(block, `"`+funcName+`"`) {
		t.Errorf("chart JSON does not escape or quote the names:\n%.500s", block)
	}
}

func TestPageCacheAndInvalidation(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	target := "/questions/" + mainQuestion + "?lang=en&method=weighted"
	a := doRequest(t, s, http.MethodGet, target)
	b := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?method=weighted&lang=en&half_life=14") // the same view spelled otherwise
	if a.Code != 200 || b.Code != 200 {
		t.Fatalf("status %d, %d", a.Code, b.Code)
	}
	if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
		t.Error("one view gave two different pages")
	}
	etag := a.Header().Get("ETag")
	if etag == "" || a.Header().Get("Vary") == "" {
		t.Fatalf("no ETag or Vary: %v", a.Header())
	}
	if got := doRequest(t, s, http.MethodGet, target, "If-None-Match: "+etag); got.Code != http.StatusNotModified {
		t.Errorf("If-None-Match = %d, want 304", got.Code)
	}
	if _, ok := s.cache.entries["page|q|"+mainQuestion+"|method=weighted|en"]; !ok {
		t.Errorf("page not in the cache; keys: %v", s.cache.keys())
	}
	// New data drops the cached page: the new poll shows at once.
	dashImport(t, db, "new.csv", "question_id,pollster,start_date,end_date,sample_size,support,oppose,undecided\n"+
		mainQuestion+",Brand New Research,2023-03-26,2023-03-27,1000,30,60,10\n")
	c := doRequest(t, s, http.MethodGet, target)
	if !strings.Contains(c.Body.String(), "Brand New Research") {
		t.Error("the page did not change after an import")
	}
	if c.Header().Get("ETag") == etag {
		t.Error("ETag did not change with the data")
	}
	if got := doRequest(t, s, http.MethodGet, target, "If-None-Match: "+etag); got.Code != http.StatusOK {
		t.Errorf("stale If-None-Match = %d, want 200", got.Code)
	}
}

// TestPageScriptsBuilt: the page scripts served (web/static/NAME.js) are
// the minified build of their sources (web/js/NAME.js) as they stand: an
// edited source without `make assets` fails here, naming the command.
func TestPageScriptsBuilt(t *testing.T) {
	sums, err := os.ReadFile("js/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := filepath.Glob("js/*.js")
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no page scripts in web/js: %v", err)
	}
	listed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || !strings.HasPrefix(name, "web/") {
			t.Fatalf("bad web/js/SHA256SUMS line %q", line)
		}
		listed[strings.TrimPrefix(name, "web/")] = sum
	}
	s := testServer(t, testDB(t, false))
	for _, src := range srcs {
		name := filepath.Base(src)
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != listed["js/"+name] {
			t.Errorf("web/js/%s changed since it was built: run make assets (needs npm)", name)
		}
		rec := doRequest(t, s, http.MethodGet, "/static/"+name)
		if sum := sha256.Sum256(rec.Body.Bytes()); rec.Code != 200 || hex.EncodeToString(sum[:]) != listed["static/"+name] {
			t.Errorf("/static/%s (%d) is not the build of web/js/%s: run make assets", name, rec.Code, name)
		}
	}
	if len(listed) != 2*len(srcs) {
		t.Errorf("web/js/SHA256SUMS lists %d files for %d scripts: run make assets", len(listed), len(srcs))
	}
}

func TestStaticAssetsMatchChecksums(t *testing.T) {
	sums, err := fs.ReadFile(staticRoot, "echarts/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	s := testServer(t, testDB(t, false))
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("bad SHA256SUMS line %q", line)
		}
		rec := doRequest(t, s, http.MethodGet, "/static/echarts/"+name)
		if rec.Code != 200 {
			t.Fatalf("GET %s = %d", name, rec.Code)
		}
		got := sha256.Sum256(rec.Body.Bytes())
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s served with sha256 %x, SHA256SUMS says %s", name, got, sum)
		}
		n++
	}
	if n != 3 {
		t.Errorf("SHA256SUMS lists %d files, want echarts.min.js, LICENSE, NOTICE", n)
	}
	rec := doRequest(t, s, http.MethodGet, "/static/chart.js?v="+staticVersion["chart.js"])
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned asset Cache-Control = %q", cc)
	}
}

func TestNoJavaScriptStillUsable(t *testing.T) {
	s := testServer(t, testDB(t, true))
	page := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en").Body.String()
	// the controls are a plain GET form; the data is in tables; the chart says why it is missing
	for _, w := range []string{`<form method="get"`, `<button type="submit">`, `<noscript>`, `<details class="data-table">`, `<table id="daily-table">`, `<th scope="col"`} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %s", w)
		}
	}
	if strings.Contains(page, " onclick=") || strings.Contains(page, "javascript:") {
		t.Error("page has inline script handlers")
	}
	// the daily table's rows: every day, or every seventh counting back from the last for a long series
	db := testDB(t, true)
	q, _ := db.Question(mainQuestion)
	polls, _ := db.Polls(mainQuestion)
	res, err := poll.Average(q, polls, servedOptions(polls))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<table id="daily-table">.*?</table>`).FindString(page)
	want := len(res.Series[0].Points)
	if want > dailyRowsMax {
		want = (want-1)/7 + 1
	}
	if got := strings.Count(m, `<th scope="row">`); got != want {
		t.Errorf("daily table has %d rows, want %d", got, want)
	}
	last := res.Series[1].Points[len(res.Series[1].Points)-1]
	if w := fmt.Sprintf("%s <span class=\"band\">(%s–%s)</span>", site.FormatNum(last.Estimate, 1), site.FormatNum(last.Lower, 1), site.FormatNum(last.Upper, 1)); !strings.Contains(m, w) {
		t.Errorf("daily table lacks the last day's %s", w)
	}
}

func TestWeeklyDailyTable(t *testing.T) {
	s := testServer(t, testDB(t, true))
	page := doRequest(t, s, http.MethodGet, "/questions/kr-yoon-approval?lang=en").Body.String()
	if !strings.Contains(page, "weekly, counting back from the last day") {
		t.Error("a long series is not listed weekly")
	}
}

func TestRetractedPollsLeaveTheAverage(t *testing.T) {
	db := testDB(t, true)
	polls, _ := db.Polls(mainQuestion)
	victim := polls[0]
	if _, err := db.Retract(victim.ID, "test", nil); err != nil {
		t.Fatal(err)
	}
	s := testServer(t, db)
	page := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en").Body.String()
	if strings.Contains(page, `href="/polls/`+victim.ID) {
		t.Error("a retracted poll is still in the table")
	}
	if !strings.Contains(page, "1 retracted poll is left out") {
		t.Error("the retraction is not mentioned")
	}
	if got := len(expandPolls(t, chartPayloadOf(t, page))); got != len(polls)-1 {
		t.Errorf("chart has %d polls, want %d", got, len(polls)-1)
	}
}

func TestStaticExportPagesHaveNoForm(t *testing.T) {
	s := testServer(t, testDB(t, true))
	req := httptest.NewRequest(http.MethodGet, "/questions/"+mainQuestion+"?lang=en", nil)
	req = req.WithContext(withExport(req.Context(), &exportState{}))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("export render = %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "<form") {
		t.Error("the exported page has a form that needs a server")
	}
	live := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en").Body.String()
	if !strings.Contains(live, "<form") {
		t.Error("the live page lost its form after an export render (cache mixed them)")
	}
}

func TestHeadPartMargin(t *testing.T) {
	tests := []struct {
		lower, upper float64
		want         string
	}{
		{55, 61, "3"},
		{55.2, 61.9, "3"},
		{50, 50.6, "<1"},
		{40, 49.2, "5"},
	}
	for _, tt := range tests {
		if got := (headPart{Lower: tt.lower, Upper: tt.upper}).Margin(); got != tt.want {
			t.Errorf("Margin(%v, %v) = %q, want %q", tt.lower, tt.upper, got, tt.want)
		}
	}
}

func TestLowerFirst(t *testing.T) {
	for in, want := range map[string]string{"Support": "support", "ARS": "ARS", "oppose": "oppose", "": "", "찬성": "찬성"} {
		if got := lowerFirst(in); got != want {
			t.Errorf("lowerFirst(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFieldDates(t *testing.T) {
	d := func(s string) poll.Date {
		v, err := poll.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		lang, start, end, want string
	}{
		{"en", "2023-03-03", "2023-03-04", "Mar 3–4, 2023"},
		{"ko", "2023-03-03", "2023-03-04", "2023년 3월 3일–4일"},
		{"en", "2023-03-30", "2023-04-02", "Mar 30 – Apr 2, 2023"},
		{"ko", "2023-03-30", "2023-04-02", "2023년 3월 30일–4월 2일"},
		{"en", "2022-12-30", "2023-01-02", "Dec 30, 2022 – Jan 2, 2023"},
		{"en", "2023-03-03", "2023-03-03", "Mar 3, 2023"},
	}
	for _, tt := range tests {
		if got := fieldDates(tt.lang, d(tt.start), d(tt.end)); got != tt.want {
			t.Errorf("fieldDates(%s, %s, %s) = %q, want %q", tt.lang, tt.start, tt.end, got, tt.want)
		}
	}
}

// The cache must never serve one reader's page to another after the
// data changed, even under concurrent requests.
func TestConcurrentPageRequests(t *testing.T) {
	s := testServer(t, testDB(t, true))
	done := make(chan int, 8)
	for i := 0; i < 8; i++ {
		go func(i int) {
			lang := []string{"ko", "en"}[i%2]
			rec := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang="+lang)
			if !strings.Contains(rec.Body.String(), `<html lang="`+lang+`">`) {
				done <- -1
				return
			}
			done <- rec.Code
		}(i)
	}
	deadline := time.After(time.Minute)
	for i := 0; i < 8; i++ {
		select {
		case c := <-done:
			if c != 200 {
				t.Errorf("a concurrent request got %d (or the wrong language)", c)
			}
		case <-deadline:
			t.Fatal("requests did not finish")
		}
	}
}

func TestQuestionNotesInReadersLanguage(t *testing.T) {
	h := testServer(t, testDB(t, true))
	ko := textOf(doRequest(t, h, http.MethodGet, "/questions/kr-forced-labor-plan-2023?lang=ko").Body.String())
	en := textOf(doRequest(t, h, http.MethodGet, "/questions/kr-forced-labor-plan-2023?lang=en").Body.String())
	if !strings.Contains(ko, "여론조사 꽃은 편향된 주장") || strings.Contains(ko, "Flower Research asked about a loaded claim") {
		t.Error("the Korean page does not show the Korean notes")
	}
	if !strings.Contains(en, "Flower Research asked about a loaded claim") {
		t.Error("the English page does not show the English notes")
	}
}

// Every reader's page and static file answers HEAD like GET, without the
// body: a static file used to be a 404 and a page a 405.
func TestPagesHead(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	recs, err := db.Records(testQuestionID, false)
	if err != nil || len(recs) == 0 {
		t.Fatalf("records: %v", err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, path := range []string{"/", "/questions/" + testQuestionID + "?method=loess", "/methodology", "/api",
		"/polls/" + recs[0].Current().ID, "/static/style.css", "/static/chart.js?v=1", "/favicon.ico"} {
		get, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		get.Body.Close()
		head, err := http.Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		head.Body.Close()
		if get.StatusCode != http.StatusOK || head.StatusCode != http.StatusOK {
			t.Errorf("%s: GET %d, HEAD %d", path, get.StatusCode, head.StatusCode)
			continue
		}
		if g, h := get.Header.Get("Content-Type"), head.Header.Get("Content-Type"); g != h {
			t.Errorf("%s: HEAD Content-Type %q, GET %q", path, h, g)
		}
	}
	if head, err := http.Head(srv.URL + "/static/nope.css"); err != nil || head.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD of a missing static file: %v %v", head.StatusCode, err)
	}
}

// With answers=…, the headline and the daily table show the answers the
// chart and the series download show, with the same numbers.
func TestQuestionPageAnswersLimitHeadlineAndTable(t *testing.T) {
	s := testServer(t, testDB(t, true))
	view := "?answers=support&method=loess&lang=en"
	body := doRequest(t, s, http.MethodGet, "/questions/"+testQuestionID+view).Body.String()
	hl := regexp.MustCompile(`(?s)<p class="headline big".*?</p>`).FindString(body)
	if !strings.Contains(hl, `data-answer="support"`) || !strings.Contains(hl, `>Support <strong>`) || strings.Contains(hl, `data-answer="oppose"`) {
		t.Errorf("headline: %s", hl)
	}
	table := regexp.MustCompile(`(?s)<table id="daily-table">.*?</table>`).FindString(body)
	head := regexp.MustCompile(`(?s)<thead>.*?</thead>`).FindString(table)
	if !strings.Contains(head, "Support") || strings.Contains(head, "Oppose") || strings.Contains(head, "Undecided") {
		t.Errorf("daily table head: %s", head)
	}
	// the newest row is the series download's last day
	_, rows := readCSV(t, apiOK(t, s, "/api/v1/questions/"+testQuestionID+"/series.csv"+view).Body.Bytes())
	last := rows[len(rows)-1]
	est, _ := strconv.ParseFloat(last["estimate"], 64)
	first := regexp.MustCompile(`(?s)<tbody>.*?</tr>`).FindString(table)
	if want := `datetime="` + last["date"] + `"`; !strings.Contains(first, want) || !strings.Contains(first, ">"+site.FormatNum(est, 1)+" ") {
		t.Errorf("newest row %s; want %s with %s", first, last["date"], site.FormatNum(est, 1))
	}
	if n := strings.Count(first, "<td"); n != 1 {
		t.Errorf("newest row has %d cells, want 1: %s", n, first)
	}
}
