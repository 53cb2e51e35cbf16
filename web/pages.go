package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/httpcache"
	"github.com/pollagg/pollagg/web/site"
)

// staticFiles holds web/static: the stylesheet, our scripts (chart.js,
// table.js), the favicon and the vendored Apache ECharts
// (static/echarts, a slim build made by `make assets`, see scripts/echarts). Everything a page needs
// is served from here: no page asks another host for anything.
//
//go:embed static
var staticFiles embed.FS

// staticRoot is staticFiles without the "static/" prefix.
var staticRoot = func() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err)
	}
	return sub
}()

// staticVersion maps a static file to a short hash of its content: the
// version in its fingerprinted name (see assets.go), computed without
// compressing anything.
var staticVersion = func() map[string]string {
	m := map[string]string{}
	fs.WalkDir(staticRoot, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticRoot, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[path] = hex.EncodeToString(sum[:5])
		return nil
	})
	return m
}()

// Asset returns the link to static file name (e.g. "chart.js") under its
// fingerprinted name (see assets.go), through Link.
func (p *Page) Asset(name string) string { return p.Link(assetURL(name), nil) }

// dashboardRoutes registers the readers' pages and static files:
//
//	GET /                  every question with its headline, newest first
//	GET /questions/:id     a question's chart, controls and tables (view parameters: see View)
//	GET /methodology       how the averages are made
//	GET /static/*          stylesheet, scripts, ECharts (embedded)
//	GET /favicon.ico
//
// A ?lang=ko|en on any page also sets the lang cookie, so the choice sticks.
func (s *Server) dashboardRoutes(e *echo.Echo) {
	e.Use(langCookie)
	getHead(e, "/static/*", serveStatic)
	getHead(e, "/favicon.ico", func(c echo.Context) error {
		b, err := fs.ReadFile(staticRoot, "favicon.png")
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=86400")
		return c.Blob(http.StatusOK, "image/png", b)
	})
	getHead(e, "/", s.indexPage)
	getHead(e, "/questions/:id", s.questionPage)
	getHead(e, "/methodology", s.methodologyPage)
}

// getHead registers h for GET and HEAD on path: a HEAD (a link checker,
// a cache revalidating) gets the GET's status and headers, and net/http
// leaves the body out.
func getHead(e *echo.Echo, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	e.GET(path, h, m...)
	e.HEAD(path, h, m...)
}

// langCookie remembers a ?lang=ko|en choice in the lang cookie (a year),
// which site.LangOf reads when a later URL carries no lang.
func langCookie(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if l := c.QueryParam("lang"); site.IsLang(l) && !strings.HasPrefix(c.Request().URL.Path, "/api/") {
			if ck, err := c.Cookie("lang"); err != nil || ck.Value != l {
				c.SetCookie(&http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
					SameSite: http.SameSiteLaxMode, HttpOnly: true})
			}
		}
		return next(c)
	}
}

// precompressedPages are the routes whose pages servePage keeps gzipped
// in its cache and serves as they are: the gzip middleware skips them
// (see skipGzip), so that a warm page costs no compression.
var precompressedPages = map[string]bool{"/": true, "/questions/:id": true, "/methodology": true}

// cachedPage is a rendered page kept in the server's cache, plain and
// (from the first request that accepts it on) gzipped, with an ETag for
// each. A large page (over bigPage bytes) is kept gzipped only, and
// inflated for the rare client that does not accept gzip.
type cachedPage struct {
	body   []byte // nil for a big page
	etag   string
	etagGz string
	gzOnce sync.Once
	gz     []byte
}

// bigPage is the size above which a cached page is kept gzipped only.
const bigPage = 1 << 20

// cacheBytes is the page's size in the cache (plain and gzipped copies).
func (p *cachedPage) cacheBytes() int {
	if p.body == nil {
		return len(p.gz) + 256
	}
	return 2 * len(p.body)
}

// newCachedPage tags a rendered page.
func newCachedPage(b []byte) *cachedPage {
	if cap(b) > len(b)+len(b)/8 {
		b = bytes.Clone(b) // the renderer's buffer may hold twice the bytes
	}
	sum := sha256.Sum256(b)
	tag := hex.EncodeToString(sum[:12])
	p := &cachedPage{body: b, etag: `W/"` + tag + `"`, etagGz: `W/"` + tag + `-gz"`}
	if len(b) > bigPage {
		p.gzipped()
		p.body = nil
	}
	return p
}

// pageGzipLevel is the compression of cached pages: level 4 costs a fifth
// of the default level's time for 5% more bytes (a 100,000-poll page:
// 695 KB in 0.10 s against 663 KB in 0.57 s; BENCHMARKS.md, "Pages at
// scale"), and a page is compressed while its first reader waits.
const pageGzipLevel = 4

// gzipped returns the page gzipped, compressing it on the first call.
func (p *cachedPage) gzipped() []byte {
	p.gzOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, pageGzipLevel)
		zw.Write(p.body)
		zw.Close()
		p.gz = bytes.Clone(buf.Bytes())
	})
	return p.gz
}

// plain returns the page's bytes, inflating a big page's.
func (p *cachedPage) plain() ([]byte, error) {
	if p.body != nil {
		return p.body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(p.gz))
	if err != nil {
		return nil, fmt.Errorf("web: cached page: %w", err)
	}
	return io.ReadAll(zr)
}

// servePage answers with a page from the cache, rendering it with render
// when the cache has none for key at the data's current version. The key
// gains the language and, during the static export, a mark, so that each
// language and the exported form are cached apart. query becomes the
// page's Page.Query (its canonical form, so that the cached bytes do not
// depend on how the first requester spelled the URL).
func (s *Server) servePage(c echo.Context, key string, query url.Values, render func() (string, string, any, error)) error {
	lang := site.LangOf(c)
	key = "page|" + key + "|" + lang
	if isStaticExport(c) {
		key += "|static"
	}
	val, err := s.cache.get(key, s.db.Version(), func() (any, error) {
		name, title, data, err := render()
		if err != nil {
			return nil, err
		}
		c.Set(pageQueryKey, query)
		c.Set("csrf", nil) // a cached page must never carry one reader's token
		b, err := s.renderBytes(c, name, title, data)
		if err != nil {
			return nil, err
		}
		return newCachedPage(b), nil
	})
	if err != nil {
		return err
	}
	pg := val.(*cachedPage)
	h := c.Response().Header()
	h.Set("Vary", "Accept-Encoding, Accept-Language, Cookie")
	h.Set("Content-Language", lang)
	h.Set("Cache-Control", "no-cache")
	etag := pg.etag
	gz := precompressedPages[c.Path()] && httpcache.AcceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding))
	if gz {
		etag = pg.etagGz
	}
	h.Set("ETag", etag)
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	var body []byte
	if gz {
		body = pg.gzipped()
	} else if body, err = pg.plain(); err != nil {
		return err
	}
	if gz {
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	return c.HTMLBlob(http.StatusOK, body)
}

// etagMatch reports whether an If-None-Match header names etag (weak
// comparison).
func etagMatch(header, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == want {
			return true
		}
	}
	return false
}

// defaultView is the view of a URL without parameters.
func defaultView() View { return View{Options: poll.DefaultOptions()} }

// indexPage lists every question with its headline, newest data first.
func (s *Server) indexPage(c echo.Context) error {
	lang := site.LangOf(c)
	return s.servePage(c, "index", url.Values{}, func() (string, string, any, error) {
		data, err := s.indexData(lang)
		return "index", site.Translate(lang, "index.title"), groupEntries(lang, data), err
	})
}

// indexEntry is one question on the index page.
type indexEntry struct {
	ID        string
	Title     string
	Polls     int
	Latest    poll.Date      // the last field day of the newest poll
	Headline  *headline      // nil when there is nothing to average
	First     poll.Date      // the first field day of the oldest poll
	Pollsters []cardPollster // most polls first
}

// indexData builds the index page's entries: each question averaged in the
// default view (the same cached computation as its page), sorted by the
// end of its newest poll, newest first.
func (s *Server) indexData(lang string) ([]indexEntry, error) {
	qs, err := s.db.Questions()
	if err != nil {
		return nil, err
	}
	out := make([]indexEntry, 0, len(qs))
	for i := range qs {
		q := &qs[i]
		e := indexEntry{ID: q.ID, Title: q.Title(lang)}
		comp, err := s.compute(q.ID, defaultView())
		if err != nil {
			if poll.ErrorCode(err) == poll.EINTERNAL {
				return nil, err
			}
			s.log.Warn("index: cannot average", "question", q.ID, "err", err)
		} else {
			e.Polls = len(comp.Polls)
			cardFacts(&e, comp.Polls)
			for _, p := range comp.Polls {
				if p.End > e.Latest {
					e.Latest = p.End
				}
			}
			e.Headline = newHeadline(lang, comp.Question, comp.Result, nil)
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Latest != out[j].Latest {
			return out[i].Latest > out[j].Latest
		}
		return out[i].Title < out[j].Title
	})
	return out, nil
}

// headline is where opinion stands on the last day of an average:
// "Oppose 59% ±3, support 35% ±3, as of Mar 24, 2023".
type headline struct {
	Parts []headPart
	AsOf  poll.Date
}

// headPart is one answer in a headline.
type headPart struct {
	ID       string
	Label    string  // as shown: capitalised first, lower-case after in English
	Estimate float64 // the last day's estimate, percent
	Lower    float64 // its 95% band
	Upper    float64
}

// Pct is the estimate rounded to a whole percent.
func (h headPart) Pct() string { return site.FormatNum(h.Estimate, 0) }

// Margin is half the band's width, rounded to a whole point ("<1" below half a point).
func (h headPart) Margin() string {
	m := (h.Upper - h.Lower) / 2
	if m < 0.5 {
		return "<1"
	}
	return site.FormatNum(m, 0)
}

// newHeadline returns the last day's estimate of every answer but the
// undecided ones (of answers only, when it names any: the view's answers
// parameter limits the headline as it limits the chart, the table and the
// series download), largest first; nil without a result.
func newHeadline(lang string, q *poll.Question, r *poll.Result, answers []string) *headline {
	if r == nil || len(r.Series) == 0 {
		return nil
	}
	h := &headline{}
	for _, s := range r.Series {
		o, ok := q.Option(s.Option)
		if !ok || o.Undecided || len(s.Points) == 0 || len(answers) > 0 && !slices.Contains(answers, s.Option) {
			continue
		}
		last := s.Points[len(s.Points)-1]
		h.AsOf = last.Date
		h.Parts = append(h.Parts, headPart{ID: o.ID, Label: o.Label(lang), Estimate: last.Estimate, Lower: last.Lower, Upper: last.Upper})
	}
	if len(h.Parts) == 0 {
		return nil
	}
	sort.SliceStable(h.Parts, func(i, j int) bool { return h.Parts[i].Estimate > h.Parts[j].Estimate })
	if lang == "en" {
		for i := 1; i < len(h.Parts); i++ {
			h.Parts[i].Label = lowerFirst(h.Parts[i].Label)
		}
	}
	return h
}

// lowerFirst lower-cases a label's first letter unless the label starts
// with an acronym ("Support" → "support", "ARS" stays).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// methodologyPage explains the averages.
func (s *Server) methodologyPage(c echo.Context) error {
	lang := site.LangOf(c)
	return s.servePage(c, "methodology", url.Values{}, func() (string, string, any, error) {
		return "methodology", site.Translate(lang, "m.title"), poll.Methods, nil
	})
}

// questionPage shows one question in the view its query asks for. An
// unknown question is a 404, a bad parameter a 400 naming it.
func (s *Server) questionPage(c echo.Context) error {
	qid := c.Param("id")
	view, err := parseView(c, nil)
	if err != nil {
		return err
	}
	table, err := parseTableQuery(c.QueryParams())
	if err != nil {
		return err
	}
	// part=polls answers with the poll table's section alone: table.js
	// fetches it to turn the table's pages and sorts in place, without
	// reloading the chart
	part := c.QueryParam("part")
	if part != "" && part != "polls" {
		return poll.Errorf(poll.EINVALID, "part: %q is not a part of the page; the one part served alone is polls", part)
	}
	lang := site.LangOf(c)
	static := isStaticExport(c)
	query := view.Query()
	key := "q|" + qid + "|" + view.Key()
	if tq := table.values().Encode(); tq != "" {
		key += "|" + tq
	}
	if part != "" {
		key += "|part=" + part
	}
	return s.servePage(c, key, withTable(query, table), func() (string, string, any, error) {
		comp, err := s.compute(qid, view)
		if err != nil {
			return "", "", nil, err
		}
		// The answers parameter can be checked only against the question.
		if _, err := parseViewValues(query, comp.Question); err != nil {
			return "", "", nil, err
		}
		if err := table.check(comp.Question); err != nil {
			return "", "", nil, err
		}
		order, err := s.pollOrderOf(qid, view, comp, table)
		if err != nil {
			return "", "", nil, err
		}
		if part == "polls" {
			data := newPollsSectionData(lang, comp, view, static)
			if data.Table, err = newPollTable(lang, comp, data.Answers, order, data.View, table, static); err != nil {
				return "", "", nil, err
			}
			return "question#polls-section", comp.Question.Title(lang), data, nil
		}
		data, err := newQuestionData(lang, static, comp, view)
		if err != nil {
			return "", "", nil, err
		}
		data.Related = s.relatedLinks(lang, comp.Question)
		data.ModeGaps = modeGapRows(lang, comp)
		if data.Table, err = newPollTable(lang, comp, data.Answers, order, data.View, table, static); err != nil {
			return "", "", nil, err
		}
		return "question", comp.Question.Title(lang), data, nil
	})
}

// questionData is what question.html shows.
type questionData struct {
	Q        *poll.Question
	Title    string
	Headline *headline
	// Chart is the chart's JSON (see chart.go), safe inside a
	// <script type="application/json"> element; empty without polls.
	Chart     []byte
	ChartDesc string
	Events    []eventRow
	Form      formState
	Table     *pollTable  // one page of the view's polls (polltable.go)
	Answers   []answerCol // the question's answers, for the poll table's columns
	Retracted int
	House     *effectTable
	Modes     *effectTable
	Daily     dailyTable
	Downloads []download
	View      url.Values // the canonical query of this view
	Static    bool
	Calib     *calibNote    // the band's meaning and the result (results.go)
	Related   []relatedLink // the question's related questions in the database
	ModeGaps  []modeGapRow  // ARS minus live per answer, when the view has both
}

// answerCol is one answer option as a table column.
type answerCol struct {
	ID    string
	Label string
}

// eventRow is one dated event of the question.
type eventRow struct {
	Date  poll.Date
	Label string
}

// pollRow is one poll in the poll table.
type pollRow struct {
	ID        string
	Pollster  string
	Sponsor   string
	Start     poll.Date
	End       poll.Date
	N         int
	Mode      string
	Results   []resultCell // in the order of questionData.Answers
	Weight    float64      // share of the last day's average, percent
	HasWeight bool
	Source    string // an http(s) link to the published poll; empty otherwise
}

// NText is the sample size with grouping, or a dash when not reported.
func (r pollRow) NText() string {
	if r.N <= 0 {
		return "—"
	}
	return site.FormatNum(float64(r.N), 0)
}

// ChartJS returns the chart's JSON for the page's
// <script type="application/json"> block. The bytes come from
// encoding/json, which escapes <, > and &, so no text in them can end the
// element.
func (d *questionData) ChartJS() template.JS { return template.JS(d.Chart) }

// resultCell is one answer's share in one poll.
type resultCell struct {
	Value float64
	OK    bool // reported
}

// effectTable is the house (or mode) effects by name and answer.
type effectTable struct {
	Answers []answerCol
	Rows    []effectRow
}

// effectRow is one pollster's (or mode's) effects.
type effectRow struct {
	Name  string
	Polls int
	Cells []effectCell
}

// effectCell is one effect in percentage points with its standard error.
type effectCell struct {
	Effect, SE float64
	OK         bool
}

// Signed formats the effect with its sign ("+2.1", "−0.4").
func (e effectCell) Signed() string {
	s := site.FormatNum(math.Abs(e.Effect), 1)
	switch {
	case s == "0.0":
		return "0.0"
	case e.Effect < 0:
		return "−" + s
	}
	return "+" + s
}

// dailyTable is the chart's data as a table: every day, or every seventh.
type dailyTable struct {
	Weekly  bool
	Answers []answerCol
	Rows    []dailyRow // newest first
}

// dailyRow is one day's estimates.
type dailyRow struct {
	Date  poll.Date
	Cells []poll.Point
}

// download is one link to the read API.
type download struct {
	Key   string // message key of its label
	Path  string
	Query url.Values
}

// formState is the controls' current values.
type formState struct {
	Methods       []choice
	HalfLife      string
	Window        int
	Span          string
	AdjustHouse   bool
	AdjustMode    bool
	DropUndecided bool
	From, To      string // YYYY-MM-DD or ""
	Min, Max      string // the first and last field day of the question's polls
	Pollsters     []choice
	Modes         []choice
	Answers       string // the answers parameter, kept as it is
}

// choice is one option of a select or one checkbox.
type choice struct {
	Value   string
	Label   string
	Checked bool
}

// dailyRowsMax is how many days the data table lists in full; a longer
// series is listed weekly.
const dailyRowsMax = 60

// newQuestionData gathers everything the question page shows.
func newQuestionData(lang string, static bool, comp *Computed, view View) (*questionData, error) {
	q := comp.Question
	d := newPollsSectionData(lang, comp, view, static)
	d.Title = q.Title(lang)
	for _, ev := range q.Events {
		d.Events = append(d.Events, eventRow{Date: ev.Date, Label: ev.Label(lang)})
	}
	d.Headline = newHeadline(lang, q, comp.Result, view.Answers)

	if comp.Result != nil {
		d.House = newEffectTable(lang, q, comp.Result.HouseEffects, func(name string) string { return name })
		d.Modes = newEffectTable(lang, q, comp.Result.ModeEffects, func(name string) string {
			return site.Translate(lang, "mode."+name)
		})
		d.Daily = newDailyTable(lang, q, comp.Result, view.Answers)
		chart, err := buildChart(lang, q, comp, view)
		if err != nil {
			return nil, err
		}
		d.Chart = chart
		d.ChartDesc = site.Translate(lang, "q.chart.aria", d.Title)
	}
	d.Form = newFormState(lang, comp, view)
	d.Calib = newCalibNote(lang, comp, view)

	base := "/api/v1/questions/" + q.ID
	seriesCSV := cloneValues(d.View)
	seriesCSV.Set("format", "csv")
	pollsCSV := url.Values{"format": {"csv"}}
	d.Downloads = []download{
		{"q.dl.series.csv", base + "/series", seriesCSV},
		{"q.dl.series.json", base + "/series", cloneValues(d.View)},
		{"q.dl.polls.csv", base + "/polls", pollsCSV},
		{"q.dl.polls.json", base + "/polls", nil},
	}
	return d, nil
}

// newPollsSectionData is what the poll table's section needs of
// questionData (the table itself is the caller's to add): the page's
// data without the chart, headline and tables that only the whole page
// shows.
func newPollsSectionData(lang string, comp *Computed, view View, static bool) *questionData {
	q := comp.Question
	d := &questionData{Q: q, View: view.Query(), Static: static}
	for _, o := range q.Options {
		d.Answers = append(d.Answers, answerCol{ID: o.ID, Label: o.Label(lang)})
	}
	for i := range comp.Meta {
		if comp.Meta[i].Retracted != nil {
			d.Retracted++
		}
	}
	return d
}

// cloneValues copies v.
func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// safeURL returns u when it is an absolute http or https URL, and "" otherwise.
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// newEffectTable pivots effects by name (pollster or mode) and answer;
// nil when there are none.
func newEffectTable(lang string, q *poll.Question, effects []poll.HouseEffect, name func(string) string) *effectTable {
	if len(effects) == 0 {
		return nil
	}
	t := &effectTable{}
	col := map[string]int{}
	for _, o := range q.Options {
		for _, e := range effects {
			if e.Option == o.ID {
				col[o.ID] = len(t.Answers)
				t.Answers = append(t.Answers, answerCol{ID: o.ID, Label: o.Label(lang)})
				break
			}
		}
	}
	row := map[string]int{}
	for _, e := range effects {
		c, ok := col[e.Option]
		if !ok {
			continue
		}
		i, ok := row[e.Pollster]
		if !ok {
			i = len(t.Rows)
			row[e.Pollster] = i
			t.Rows = append(t.Rows, effectRow{Name: name(e.Pollster), Cells: make([]effectCell, len(t.Answers))})
		}
		t.Rows[i].Cells[c] = effectCell{Effect: e.Effect, SE: e.SE, OK: true}
		if e.Polls > t.Rows[i].Polls {
			t.Rows[i].Polls = e.Polls
		}
	}
	sort.SliceStable(t.Rows, func(i, j int) bool { return t.Rows[i].Name < t.Rows[j].Name })
	return t
}

// newDailyTable lists the average day by day, newest first; a series
// longer than dailyRowsMax days is listed every seventh day back from the
// last.
func newDailyTable(lang string, q *poll.Question, r *poll.Result, answers []string) dailyTable {
	t := dailyTable{}
	var series []poll.AnswerSeries
	for _, s := range r.Series {
		if len(answers) == 0 || slices.Contains(answers, s.Option) {
			series = append(series, s)
		}
	}
	if len(series) == 0 {
		return t
	}
	for _, s := range series {
		label := s.Option
		if o, ok := q.Option(s.Option); ok {
			label = o.Label(lang)
		}
		t.Answers = append(t.Answers, answerCol{ID: s.Option, Label: label})
	}
	n := len(series[0].Points)
	step := 1
	if n > dailyRowsMax {
		step, t.Weekly = 7, true
	}
	for i := n - 1; i >= 0; i -= step {
		row := dailyRow{Date: series[0].Points[i].Date}
		for _, s := range series {
			if i < len(s.Points) {
				row.Cells = append(row.Cells, s.Points[i])
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// newFormState fills the controls from the view and the question's polls.
func newFormState(lang string, comp *Computed, view View) formState {
	o := view.Options
	f := formState{
		HalfLife:      formatFloat(o.HalfLife),
		Window:        o.Window,
		Span:          formatFloat(o.Span),
		AdjustHouse:   o.AdjustHouse,
		AdjustMode:    o.AdjustMode,
		DropUndecided: o.DropUndecided,
		Answers:       strings.Join(view.Answers, ","),
	}
	for _, m := range poll.Methods {
		f.Methods = append(f.Methods, choice{Value: string(m), Label: site.Translate(lang, "method."+string(m)), Checked: m == o.Method})
	}
	if o.From != nil {
		f.From = o.From.String()
	}
	if o.To != nil {
		f.To = o.To.String()
	}
	// Filters list every pollster and mode of the question, not only those
	// the view keeps, so that a reader can widen the view again.
	pollsters, modes := map[string]bool{}, map[poll.Mode]bool{}
	var first, last poll.Date
	seen := false
	for i := range comp.All {
		if comp.Meta[i].Retracted != nil {
			continue
		}
		p := &comp.All[i]
		pollsters[p.Pollster] = true
		modes[p.Mode] = true
		if !seen || p.Start < first {
			first = p.Start
		}
		if !seen || p.End > last {
			last = p.End
		}
		seen = true
	}
	if seen {
		f.Min, f.Max = first.String(), last.String()
	}
	names := make([]string, 0, len(pollsters))
	for n := range pollsters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f.Pollsters = append(f.Pollsters, choice{Value: n, Label: n, Checked: slices.Contains(view.Pollsters, n)})
	}
	for _, m := range poll.Modes {
		if modes[m] {
			checked := false
			for _, vm := range view.Modes {
				checked = checked || vm == m
			}
			f.Modes = append(f.Modes, choice{Value: modeName(m), Label: site.Translate(lang, "mode."+modeName(m)), Checked: checked})
		}
	}
	return f
}

// formatFloat formats v without trailing zeros ("14", "0.3").
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// TN returns the message key for the count n, formatted with n: the
// key's ".one" form when n is 1 and the catalog has one ("1 poll"), the
// key itself otherwise ("3 polls").
func (p *Page) TN(key string, n int) string {
	if n == 1 {
		if site.HasMessage(p.Lang, key+".one") {
			return p.T(key+".one", n)
		}
	}
	return p.T(key, n)
}

// ErrorTitle returns the title of an error page for status in the page's
// language.
func (p *Page) ErrorTitle(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusInternalServerError:
		return p.T("error.title." + itoa(status))
	}
	return p.T("error.title.other")
}

func itoa(n int) string { return strconv.Itoa(n) }
