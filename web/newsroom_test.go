package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/web"
)

// newsEnv is an upload environment with alphaCSV stored (question test-q).
func newsEnv(t *testing.T) *upEnv {
	t.Helper()
	env := newUpEnv(t, web.Config{})
	if rec := env.upload(t, env.alpha, alphaCSV, ""); rec.Code != http.StatusCreated {
		t.Fatalf("seed upload: %d %s", rec.Code, rec.Body)
	}
	return env
}

func TestEmbedPage_OnlyFramableRoute(t *testing.T) {
	env := newsEnv(t)
	rec := env.do(t, http.MethodGet, "/embed/questions/test-q?lang=en&method=loess", "", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("embed: %d %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "'none'") && strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("embed CSP %q, want frame-ancestors *", csp)
	}
	if xfo := h.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("embed X-Frame-Options %q, want none", xfo)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("embed CSP %q is not otherwise as strict as the site's", csp)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`<html lang="en">`,
		`data-echarts="trend"`,
		`class="headline"`,
		`±`,
		`pollagg · data: <a href="/questions/test-q?lang=en&amp;method=loess" target="_blank" rel="noopener">2 polls (Alpha Research) · full chart and tables</a>`,
		`<script src="/static/chart.`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("embed page lacks %q\n%s", want, body)
		}
	}
	if strings.Contains(body, `class="site"`) || strings.Contains(body, "<form") {
		t.Error("the embed page carries the site's header or a form")
	}
	if m := regexp.MustCompile(`(?:src|href)="(?:https?:)?//`).FindString(body); m != "" {
		t.Errorf("the embed page loads from another host: %s", m)
	}
	// Korean
	rec = env.do(t, http.MethodGet, "/embed/questions/test-q?lang=ko", "", "", nil)
	if !strings.Contains(rec.Body.String(), `<html lang="ko">`) || !strings.Contains(rec.Body.String(), "pollagg · 자료") {
		t.Errorf("Korean embed page:\n%s", rec.Body)
	}
	// every other page keeps DENY
	for _, p := range []string{"/questions/test-q", "/", "/methodology", "/upload", "/api/v1/questions", "/feed.atom", "/oembed?url=x", "/embed/questions/nope"} {
		rec := env.do(t, http.MethodGet, p, "", "", nil)
		if rec.Header().Get("X-Frame-Options") != "DENY" && p != "/embed/questions/nope" {
			t.Errorf("%s: X-Frame-Options %q, want DENY", p, rec.Header().Get("X-Frame-Options"))
		}
		if strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors *") && p != "/embed/questions/nope" {
			t.Errorf("%s may be framed", p)
		}
	}
	// bad parameters and unknown questions answer as the question page does
	if rec := env.do(t, http.MethodGet, "/embed/questions/nope", "", "", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown question: %d", rec.Code)
	}
	if rec := env.do(t, http.MethodGet, "/embed/questions/test-q?half_life=-3", "", "", nil); rec.Code != http.StatusBadRequest {
		t.Errorf("bad view: %d", rec.Code)
	}
}

func TestQuestionPage_OffersEmbedCodeAndFeed(t *testing.T) {
	env := newsEnv(t)
	rec := env.do(t, http.MethodGet, "/questions/test-q?lang=en&half_life=7", "", "", nil)
	body := rec.Body.String()
	for _, want := range []string{
		`<textarea id="embed-code" readonly rows="3" data-embed-src="/embed/questions/test-q?half_life=7&amp;lang=en">&lt;iframe src=&#34;/embed/questions/test-q?half_life=7&amp;amp;lang=en&#34;`,
		`<link rel="alternate" type="application/atom+xml" href="/questions/test-q/feed.atom?lang=en"`,
		`<link rel="alternate" type="application/atom+xml" href="/feed.atom?lang=en"`,
		`<script src="/static/embed-code.`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("question page lacks %q", want)
		}
	}
}

func TestOEmbed(t *testing.T) {
	env := newsEnv(t)
	page := "http://example.com/questions/test-q?lang=en&method=loess"
	rec := env.do(t, http.MethodGet, "/oembed?maxwidth=500&url="+url.QueryEscape(page), "", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("oembed: %d %s", rec.Code, rec.Body)
	}
	var o map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &o); err != nil {
		t.Fatal(err)
	}
	html, _ := o["html"].(string)
	if o["version"] != "1.0" || o["type"] != "rich" || o["provider_name"] != "pollagg" || o["width"] != 500.0 || o["height"] != 480.0 ||
		!strings.HasPrefix(html, `<iframe src="http://example.com/embed/questions/test-q?lang=en&amp;method=loess" width="500" height="480"`) {
		t.Errorf("oembed answer %s", rec.Body)
	}
	tests := []struct {
		name, query string
		status      int
	}{
		{"no url", "", 400},
		{"relative url", "?url=" + url.QueryEscape("/questions/test-q"), 400},
		{"javascript url", "?url=" + url.QueryEscape("javascript:alert(1)"), 400},
		{"another host", "?url=" + url.QueryEscape("http://evil.example/questions/test-q"), 404},
		{"not a question page", "?url=" + url.QueryEscape("http://example.com/methodology"), 404},
		{"unknown question", "?url=" + url.QueryEscape("http://example.com/questions/nope"), 404},
		{"bad view", "?url=" + url.QueryEscape("http://example.com/questions/test-q?half_life=-1"), 400},
		{"bad maxwidth", "?maxwidth=wide&url=" + url.QueryEscape(page), 400},
		{"xml", "?format=xml&url=" + url.QueryEscape(page), 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.do(t, http.MethodGet, "/oembed"+tt.query, "", "", nil)
			if rec.Code != tt.status || !strings.Contains(rec.Header().Get("Content-Type"), "json") {
				t.Errorf("status %d (%s), want %d", rec.Code, rec.Header().Get("Content-Type"), tt.status)
			}
		})
	}
	// the exported page's address names the question too
	rec = env.do(t, http.MethodGet, "/oembed?url="+url.QueryEscape("http://example.com/en/questions/test-q/"), "", "", nil)
	if rec.Code != http.StatusOK {
		t.Errorf("exported page URL: %d", rec.Code)
	}
}

// parseFeed parses an Atom answer with gofeed's Atom parser.
func parseFeed(t *testing.T, rec interface{ Bytes() []byte }) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(rec.Bytes()))
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, rec.Bytes())
	}
	if f.FeedType != "atom" || f.FeedVersion != "1.0" {
		t.Fatalf("feed type %s %s, want atom 1.0", f.FeedType, f.FeedVersion)
	}
	return f
}

func TestFeeds(t *testing.T) {
	env := newsEnv(t)
	// after the uploads newsEnv made with the real clock, whenever the test runs
	now := time.Now().UTC().Add(time.Hour)
	var mu sync.Mutex
	env.db.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Minute)
		return now
	}
	// a new poll with a name that needs escaping in XML, then a correction
	// of a1 and a retraction of a2
	evil := strings.ReplaceAll(alphaCSV, "Daily A", `"<Daily & ""A"">"`)
	evil = strings.Replace(evil, ",36,58,6", ",37,57,6", 1)
	if rec := env.upload(t, env.alpha, evil, ""); rec.Code != http.StatusCreated {
		t.Fatalf("correction: %d %s", rec.Code, rec.Body)
	}
	newPoll := "poll_id,pollster,start_date,end_date,sample_size,question_id,support,oppose\n" +
		"a9,Alpha Research,2023-03-21,2023-03-22,999,test-q,39,52\n"
	if rec := env.upload(t, env.alpha, newPoll, ""); rec.Code != http.StatusCreated {
		t.Fatalf("new poll: %d %s", rec.Code, rec.Body)
	}
	rec := env.do(t, http.MethodGet, "/feed.atom?lang=en", "", "", nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/atom+xml; charset=utf-8" || rec.Header().Get("ETag") == "" {
		t.Fatalf("feed: %d %v", rec.Code, rec.Header())
	}
	f := parseFeed(t, rec.Body)
	if len(f.Items) != 4 {
		t.Fatalf("%d entries, want 4 (2 polls, 1 correction, 1 new poll)", len(f.Items))
	}
	first := f.Items[0]
	if !strings.HasPrefix(first.Title, "New poll: Alpha Research, Mar 21–22, 2023") || !strings.Contains(first.Description, "Support 39.0%, Oppose 52.0%") ||
		!strings.HasPrefix(first.Link, "http://example.com/polls/") {
		t.Errorf("first entry %q %q %q, want the new poll", first.Title, first.Description, first.Link)
	}
	second := f.Items[1]
	if !strings.HasPrefix(second.Title, "Corrected: Alpha Research") || !strings.Contains(second.Description, `sponsor: <Daily & "A">`) {
		t.Errorf("second entry %q %q, want the correction with the sponsor as text", second.Title, second.Description)
	}
	for i := 1; i < len(f.Items); i++ {
		if f.Items[i].UpdatedParsed.After(*f.Items[i-1].UpdatedParsed) {
			t.Errorf("entry %d is newer than entry %d", i, i-1)
		}
	}
	// retraction
	id := pollIDOf(t, env, "Alpha Research", "a2")
	if rec := env.do(t, http.MethodDelete, "/api/v1/polls/"+id, env.alpha, "", nil); rec.Code != 200 {
		t.Fatalf("retract: %d %s", rec.Code, rec.Body)
	}
	rec = env.do(t, http.MethodGet, "/questions/test-q/feed.atom?lang=ko", "", "", nil)
	f = parseFeed(t, rec.Body)
	if f.Language != "ko" && !strings.Contains(rec.Body.String(), `xml:lang="ko"`) {
		t.Errorf("feed language %q", f.Language)
	}
	if !strings.HasPrefix(f.Items[0].Title, "철회: Alpha Research") || !strings.Contains(rec.Body.String(), `<category term="retraction" label="철회">`) {
		t.Errorf("first entry after the retraction: %q %v", f.Items[0].Title, f.Items[0].Categories)
	}
	// ETag and 304
	etag := rec.Header().Get("ETag")
	rec = env.do(t, http.MethodGet, "/questions/test-q/feed.atom?lang=ko", "", "", nil)
	req := httptestRequest(http.MethodGet, "/questions/test-q/feed.atom?lang=ko", "If-None-Match", etag)
	rec304 := serve(env, req)
	if rec304.Code != http.StatusNotModified || rec.Header().Get("ETag") != etag {
		t.Errorf("If-None-Match: %d, ETag %q then %q", rec304.Code, etag, rec.Header().Get("ETag"))
	}
	if rec := env.do(t, http.MethodGet, "/questions/nope/feed.atom", "", "", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown question's feed: %d", rec.Code)
	}
}

func TestExport_FeedsEmbedsAndMetaCSP(t *testing.T) {
	env := newsEnv(t)
	dir := t.TempDir()
	if err := env.srv.Export(dir); err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	meta := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindSubmatch(index)
	if meta == nil {
		t.Fatal("index.html has no CSP meta")
	}
	csp := strings.ReplaceAll(string(meta[1]), "&#39;", "'")
	for _, d := range strings.Split(web.ContentSecurityPolicy, ";") {
		if d = strings.TrimSpace(d); !strings.HasPrefix(d, "frame-ancestors") && !strings.Contains(csp, d) {
			t.Errorf("meta CSP %q lacks the server's %q", csp, d)
		}
	}
	for _, f := range []string{"feed.atom", "en/feed.atom", "questions/test-q/feed.atom", "en/questions/test-q/feed.atom", "embed/questions/test-q/index.html", "en/embed/questions/test-q/index.html"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("export: %v", err)
			continue
		}
		if strings.HasSuffix(f, ".atom") {
			feed := parseFeed(t, bytes.NewBuffer(b))
			if len(feed.Items) != 2 || strings.Contains(string(b), "example.com") {
				t.Errorf("%s: %d entries or a live host in it", f, len(feed.Items))
			}
		} else if !bytes.Contains(b, []byte(`http-equiv="Content-Security-Policy"`)) || !bytes.Contains(b, []byte(`data-echarts="trend"`)) {
			t.Errorf("%s: no CSP meta or no chart", f)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "en/questions/test-q/index.html"))
	if !bytes.Contains(b, []byte(`href="feed.atom"`)) || !bytes.Contains(b, []byte(`data-embed-src="../../embed/questions/test-q/"`)) {
		t.Errorf("exported question page lacks the relative feed link or embed code")
	}
}

// xlsxBody makes a long-format workbook with excelize (dates as dates).
func xlsxBody(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateFmt := "yyyy-mm-dd"
	st, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	f.SetSheetName("Sheet1", "Polls")
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellValue("Polls", cell, v)
			if _, ok := v.(time.Time); ok {
				f.SetCellStyle("Polls", cell, cell, st)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUpload_Formats(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	d := func(day int) time.Time { return time.Date(2023, 3, day, 0, 0, 0, 0, time.UTC) }
	hdr := []any{"poll_id", "pollster", "start_date", "end_date", "sample_size", "question_id", "answer", "pct"}
	good := xlsxBody(t, [][]any{hdr,
		{"x1", "Alpha Research", d(11), d(12), 1000, "xlsx-q", "support", 40},
		{"x1", "Alpha Research", d(11), d(12), 1000, "xlsx-q", "oppose", 55}})
	bad := xlsxBody(t, [][]any{hdr,
		{"x1", "Alpha Research", d(11), d(12), 1000, "xlsx-q", "support", 40},
		{"x1", "Alpha Research", d(11), d(12), 1000, "xlsx-q", "oppose", "abc"}})
	before := env.dbSum(t)
	// refused as a whole
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...)
	refusals := []struct {
		name, ct string
		body     []byte
		status   int
		code     string
	}{
		{"xls", "application/vnd.ms-excel", ole, 415, "unsupported_media_type"},
		{"password", pollcsv.XLSXMediaType, append(append([]byte{}, ole...), []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o\x00")...), 415, "unsupported_media_type"},
		{"xlsm", pollcsv.XLSXMediaType, withPart(t, good, "xl/vbaProject.bin", []byte("Attribute VB_Name")), 415, "unsupported_media_type"},
		{"not a workbook", pollcsv.XLSXMediaType, []byte("PK\x03\x04 not really"), 415, "unsupported_media_type"},
		{"bad sheet row", pollcsv.XLSXMediaType, bad, 422, poll.EINVALID},
		{"missing sheet", pollcsv.XLSXMediaType + "?sheet=Nope", good, 400, poll.EINVALID},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			ct, q, _ := strings.Cut(tt.ct, "?")
			if q != "" {
				q = "?" + q
			}
			rec := env.do(t, http.MethodPost, "/api/v1/uploads"+q, env.alpha, ct, bytes.NewReader(tt.body))
			e := wantError(t, rec, tt.status, tt.code)
			if tt.name == "bad sheet row" {
				if p := e.Error.Problems[len(e.Error.Problems)-1]; *p.Line != 3 || p.Column != "pct" {
					t.Errorf("problems %+v, want Polls row 3, pct", e.Error.Problems)
				}
				if !strings.Contains(rec.Body.String(), `"sheet":"Polls"`) {
					t.Errorf("the problem does not name its sheet: %s", rec.Body)
				}
			}
		})
	}
	if env.dbSum(t) != before {
		t.Fatal("a refused workbook changed the database file")
	}
	// by content type, then by signature in a multipart body
	rec := env.do(t, http.MethodPost, "/api/v1/uploads?sheet=Polls", env.alpha, pollcsv.XLSXMediaType, bytes.NewReader(good))
	up := decode[uploadResponse](t, rec)
	if rec.Code != 201 || up.Upload.Sheet != "Polls" || up.Upload.Counts.Added != 1 || up.Upload.Format != "long" {
		t.Fatalf("xlsx upload: %d %s", rec.Code, rec.Body)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "polls.bin")
	fw.Write(good)
	mw.Close()
	rec = env.do(t, http.MethodPost, "/api/v1/uploads?dry_run=true", env.alpha, mw.FormDataContentType(), &body)
	if up := decode[uploadResponse](t, rec); rec.Code != 200 || up.Upload.Counts.Unchanged != 1 {
		t.Fatalf("xlsx by signature: %d %s", rec.Code, rec.Body)
	}
	// CP949 and UTF-16 text: the upload says how it was read
	cp, _ := korean.EUCKR.NewEncoder().String(strings.ReplaceAll(alphaCSV, "Alpha Research", "알파리서치"))
	rec = env.upload(t, env.alpha, cp, "?dry_run=true")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"encoding":"cp949"`) {
		t.Fatalf("CP949: %d %s", rec.Code, rec.Body)
	}
	rec = env.do(t, http.MethodPost, "/api/v1/uploads?dry_run=true", env.alpha, "text/csv; charset=utf-16", bytes.NewReader(utf16le(alphaCSV)))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"encoding":"utf-16le"`) {
		t.Fatalf("UTF-16: %d %s", rec.Code, rec.Body)
	}
	rec = env.upload(t, env.alpha, alphaCSV, "?dry_run=true")
	if strings.Contains(rec.Body.String(), `"encoding"`) {
		t.Errorf("a UTF-8 upload names an encoding: %s", rec.Body)
	}
}

func utf16le(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range s {
		if r > 0xFFFF {
			panic("test text outside the BMP")
		}
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

// The bad-input holes: each refused with its line, nothing stored.
func TestUpload_BadInputHoles(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	before := env.dbSum(t)
	h := "poll_id,pollster,start_date,end_date,sample_size,question_id,answer,pct\n"
	long := strings.Repeat("L", 100<<10)
	tests := []struct {
		name, csv string
		lines     []int
		contains  string
	}{
		{"NUL", h + "n1,Alpha\x00 Research,2023-03-01,2023-03-02,1000,q,support,40\nn1,Alpha\x00 Research,2023-03-01,2023-03-02,1000,q,oppose,55\n",
			[]int{2, 3}, "control character U+0000"},
		{"escape char", h + "n1,Alpha Research\x1b[31m,2023-03-01,2023-03-02,1000,q,support,40\n", []int{2}, "U+001B"},
		{"split poll_id", h + "s1,Alpha Research,2023-03-01,2023-03-02,1000,q,support,40\ns1,알파리서치,2023-03-01,2023-03-02,1000,q,oppose,55\n",
			[]int{1, 3}, "on line 2 and"},
		{"two field periods", h + "s1,Alpha Research,2023-03-01,2023-03-02,1000,q,support,40\ns1,Alpha Research,2023-03-05,2023-03-06,1000,q,oppose,55\n",
			[]int{1, 3}, "two field periods"},
		{"100 KB pollster names", h + "l1," + long + ",2023-03-01,2023-03-02,1000,q,support,40\nl1,Alpha Research,2023-03-01,2023-03-02,1000,q,oppose,55\nl2," + long + ",2023-03-01,2023-03-02,1000,q,support,40\n",
			[]int{1, 2, 4}, "102,400 bytes long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantError(t, env.upload(t, env.admin, tt.csv, ""), 422, poll.EINVALID)
			var lines []int
			found := false
			for _, p := range e.Error.Problems {
				lines = append(lines, *p.Line)
				found = found || strings.Contains(p.Message, tt.contains)
			}
			if fmt.Sprint(lines) != fmt.Sprint(tt.lines) || !found {
				t.Errorf("problems %+v, want lines %v with %q", e.Error.Problems, tt.lines, tt.contains)
			}
		})
	}
	if env.dbSum(t) != before {
		t.Fatal("a refused upload changed the database file")
	}
}

func TestUploadPage_PreviewsCappedInBytes(t *testing.T) {
	env := newUpEnv(t, web.Config{MaxPreviewBytes: int64(len(alphaCSV) + 400)})
	a, b := newBrowser(t, env), newBrowser(t, env)
	a.signIn(env.alpha)
	b.signIn(env.beta)
	_, page := a.get("/upload?lang=en")
	if !strings.Contains(page, `id="sheet"`) || !strings.Contains(page, ".xlsx") {
		t.Error("the upload form offers no sheet field or .xlsx")
	}
	code, body := a.postFile("/upload/preview?lang=en", csrfRE.FindStringSubmatch(page)[1], "a.csv", alphaCSV, nil)
	if code != 200 || !pendingRE.MatchString(body) {
		t.Fatalf("first preview: %d", code)
	}
	_, page = b.get("/upload?lang=en")
	csrfB := csrfRE.FindStringSubmatch(page)[1]
	big := betaCSV
	for i := 0; i < 7; i++ {
		big += fmt.Sprintf("b%d,Beta Polling,2023-03-22,2023-03-23,%d,test-q,42,48\n", i+2, 801+i)
	}
	if len(big) <= 400 {
		t.Fatal("the big file fits the cap")
	}
	code, body = b.postFile("/upload/preview?lang=en", csrfB, "b.csv", big, nil)
	if code != http.StatusServiceUnavailable || pendingRE.MatchString(body) || !strings.Contains(body, "too many previewed files") {
		t.Fatalf("preview over the byte cap: %d\n%s", code, body)
	}
	// within the cap it passes
	code, body = b.postFile("/upload/preview?lang=en", csrfB, "b.csv", betaCSV, nil)
	if code != 200 || !pendingRE.MatchString(body) {
		t.Fatalf("preview within the cap: %d", code)
	}
	// a CP949 file previews as a table, with the note
	cp, _ := korean.EUCKR.NewEncoder().String("poll_id,pollster,start_date,end_date,sample_size,question_id,support,oppose,비고\n" +
		"k1,Beta Polling,2023-03-20,2023-03-21,800,test-q,41,49,전화면접 조사\n")
	code, body = b.postFile("/upload/preview?lang=en", csrfB, "k.csv", cp, nil)
	if code != 200 || !strings.Contains(body, `id="encoding-note">This file was read as CP949 (EUC-KR).`) || !strings.Contains(body, "<table class=\"preview\">") {
		t.Fatalf("CP949 preview: %d\n%s", code, body)
	}
}

func httptestRequest(method, target string, header ...string) *http.Request {
	req, _ := http.NewRequest(method, "http://example.com"+target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

func serve(env *upEnv, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	env.srv.ServeHTTP(rec, req)
	return rec
}

// Names from a file are text in the embed page, the embed code, oEmbed and
// the feeds: never markup or script.
func TestNewsroomEscaping(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	const evil = `</script><script>alert(1)</script>__f__alert(2)__f__`
	csv := "poll_id,pollster,sponsor,start_date,end_date,sample_size,question_id,support,oppose\n" +
		`e1,"` + evil + `","<img src=x onerror=alert(3)>",2023-03-01,2023-03-02,1000,evil-q,40,55` + "\n" +
		"e2,Honest,,2023-03-05,2023-03-06,1000,evil-q,41,54\n"
	if rec := env.upload(t, env.admin, csv, ""); rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	for _, target := range []string{"/embed/questions/evil-q?lang=en", "/embed/questions/evil-q?lang=ko&pollster=" + url.QueryEscape(evil)} {
		rec := env.do(t, http.MethodGet, target, "", "", nil)
		body := rec.Body.String()
		if rec.Code != 200 {
			t.Fatalf("%s: %d", target, rec.Code)
		}
		for _, raw := range []string{"<script>alert", "<img src=x", `":alert(2)`} {
			if strings.Contains(body, raw) {
				t.Errorf("%s: %q appears unescaped", target, raw)
			}
		}
		if n := strings.Count(body, "<script"); n != 3 {
			t.Errorf("%s: %d script elements, want 3 (chart data, echarts, chart.js)", target, n)
		}
	}
	rec := env.do(t, http.MethodGet, "/feed.atom", "", "", nil)
	f := parseFeed(t, rec.Body)
	found := false
	for _, it := range f.Items {
		found = found || strings.Contains(it.Title, evil)
	}
	if !found || strings.Contains(rec.Body.String(), "<script>") || strings.Contains(rec.Body.String(), "<img") {
		t.Errorf("the feed does not carry the name as escaped text:\n%s", rec.Body)
	}
}

// A workbook previews on the upload page as a table whose rows are the
// sheet's rows, each problem in its cell.
func TestUploadPage_WorkbookPreview(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	br := newBrowser(t, env)
	br.signIn(env.alpha)
	_, page := br.get("/upload?lang=en")
	csrf := csrfRE.FindStringSubmatch(page)[1]
	d := func(day int) time.Time { return time.Date(2023, 3, day, 0, 0, 0, 0, time.UTC) }
	hdr := []any{"poll_id", "pollster", "start_date", "end_date", "sample_size", "question_id", "answer", "pct"}
	bad := xlsxBody(t, [][]any{hdr,
		{"x1", "Alpha Research", d(11), d(12), 1000, "test-q", "support", 40},
		{"x1", "Alpha Research", d(11), d(12), 1000, "test-q", "oppose", "abc"},
		{"x1", "Alpha Research", d(11), d(12), 1000, "test-q", "undecided", 5}})
	code, body := br.postFile("/upload/preview?lang=en", csrf, "polls.xlsx", string(bad), map[string]string{"sheet": "Polls"})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad workbook preview: %d\n%s", code, body)
	}
	for _, want := range []string{
		`<tr data-line="3" class="bad"><th scope="row">3</th>`,
		`<td class="bad" data-column="pct">abc<span class="problem-note">&#34;abc&#34; is not a percentage`,
		`<tr data-line="2"><th scope="row">2</th><td>x1</td><td>Alpha Research</td><td>2023-03-11</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("workbook preview lacks %q", want)
		}
	}
	good := xlsxBody(t, [][]any{hdr,
		{"x1", "Alpha Research", d(11), d(12), 1000, "test-q", "support", 40},
		{"x1", "Alpha Research", d(11), d(12), 1000, "test-q", "oppose", 55}})
	code, body = br.postFile("/upload/preview?lang=en", csrf, "polls.xlsx", string(good), nil)
	if code != 200 || !pendingRE.MatchString(body) || !strings.Contains(body, `Sheet read: <strong>Polls</strong>`) {
		t.Fatalf("good workbook preview: %d\n%s", code, body)
	}
	pending := pendingRE.FindStringSubmatch(body)[1]
	code, h, _ := br.postForm("/upload/confirm?lang=en", url.Values{"_csrf": {csrf}, "pending": {pending}})
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "stored=") {
		t.Fatalf("confirm: %d %v", code, h)
	}
}

// withPart copies a workbook (a zip) adding the part name.
func withPart(t *testing.T, data []byte, name string, part []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create(name)
	w.Write(part)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
