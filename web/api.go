package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/httpcache"
	"github.com/pollagg/pollagg/web/site"
)

// apiRoutes registers the researchers' read API and its documentation:
//
//	GET /api                                   the API page (HTML, both languages)
//	GET /api/v1/openapi.json                   OpenAPI 3 description (HEAD too, like every download)
//	GET /api/v1/questions                      every question with counts
//	GET /api/v1/questions/:id                  one question
//	GET /api/v1/questions/:id/polls            its polls, house effects and weights
//	GET /api/v1/questions/:id/series           the daily average (view parameters: see View)
//	GET /api/v1/questions/:id/house-effects    pollster and mode effects
//	GET /api/v1/pollsters                      the pollster ratings (pollsters.go)
//
// Each download is JSON, or CSV with ?format=csv or Accept: text/csv. The
// same paths ending in .json or .csv (…/series.csv) name the format too:
// that is also the static export's file name, so one URL works on the
// server and on a static copy.
func (s *Server) apiRoutes(e *echo.Echo, api *echo.Group) {
	e.Pre(formatSuffix)
	getHead(e, "/api", s.apiPage)
	// HEAD too: caches and download managers ask for the headers alone
	get := func(path string, h echo.HandlerFunc) {
		api.GET(path, h)
		api.HEAD(path, h)
	}
	get("/openapi.json", s.openAPI)
	get("/questions", s.serveDownload(KindQuestions))
	get("/questions/:id", s.serveDownload(KindQuestion))
	get("/questions/:id/polls", s.serveDownload(KindPolls))
	get("/questions/:id/series", s.serveDownload(KindSeries))
	get("/questions/:id/house-effects", s.serveDownload(KindHouseEffects))
	get("/pollsters", s.serveDownload(KindPollsters))
}

// Routes returns every registered route (for tests that compare the
// OpenAPI description with the router).
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

// serveDownload answers a download with its cached bytes, or 304.
//
// The hot path is a repeated request (a CDN revalidating, a script
// polling): the route remembers which representation each raw query (and
// Accept header) got at the current data version, so that such a request
// costs a map lookup, not a parse. Anything else, and every error, goes
// through s.download.
func (s *Server) serveDownload(kind string) echo.HandlerFunc {
	seen := s.recent
	return func(c echo.Context) error {
		req := c.Request()
		accept := req.Header.Get(echo.HeaderAccept)
		key := downloadKey{kind: kind, id: c.Param("id"), accept: accept, query: req.URL.RawQuery}
		ver := s.db.Version()
		if rep, vary, ok := seen.get(key, ver); ok {
			return serveRepresentation(c, rep, vary)
		}
		rep, vary, err := s.download(kind, c.Param("id"), c.QueryParams(), accept)
		if err != nil {
			return err
		}
		seen.put(key, ver, rep, vary)
		return serveRepresentation(c, rep, vary)
	}
}

// downloadKey is a download request as it came: its route (kind), question
// id, Accept header and raw query.
type downloadKey struct{ kind, id, accept, query string }

// recentDownloads maps raw request keys to the representation
// they got at a data version. It holds at most max keys and maxBytes of
// bodies (counted per key) and forgets them all when either is reached: a
// client cycling through queries can cost a parse per request, never
// unbounded memory.
type recentDownloads struct {
	mu       sync.RWMutex
	max      int
	maxBytes int
	bytes    int
	entries  map[downloadKey]recentDownload
}

type recentDownload struct {
	version uint64
	rep     *httpcache.Representation
	vary    bool
}

func newRecentDownloads(max, maxBytes int) *recentDownloads {
	return &recentDownloads{max: max, maxBytes: maxBytes, entries: map[downloadKey]recentDownload{}}
}

func (r *recentDownloads) get(key downloadKey, version uint64) (*httpcache.Representation, bool, bool) {
	r.mu.RLock()
	e, ok := r.entries[key]
	r.mu.RUnlock()
	if !ok || e.version != version {
		return nil, false, false
	}
	return e.rep, e.vary, true
}

func (r *recentDownloads) put(key downloadKey, version uint64, rep *httpcache.Representation, vary bool) {
	size := rep.Len()
	if size > r.maxBytes {
		return
	}
	r.mu.Lock()
	if len(r.entries) >= r.max || r.bytes+size > r.maxBytes {
		clear(r.entries)
		r.bytes = 0
	}
	r.entries[key] = recentDownload{version, rep, vary}
	r.bytes += size
	r.mu.Unlock()
}

// formatSuffix turns a download path ending in .csv or .json into the
// path without it and a format parameter, before routing:
// /api/v1/questions/q1/series.csv → /api/v1/questions/q1/series?format=csv.
// A format parameter that disagrees is then a 400 ("given twice").
func formatSuffix(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !strings.HasPrefix(r.URL.Path, "/api/v1/questions") && !strings.HasPrefix(r.URL.Path, "/api/v1/pollsters") {
			return next(c)
		}
		for _, f := range []string{FormatCSV, FormatJSON} {
			base, ok := strings.CutSuffix(r.URL.Path, "."+f)
			if !ok || strings.HasSuffix(base, "/") {
				continue
			}
			r.URL.Path = base
			if r.URL.RawPath != "" {
				r.URL.RawPath = strings.TrimSuffix(r.URL.RawPath, "."+f)
			}
			if r.URL.RawQuery != "" {
				r.URL.RawQuery += "&"
			}
			r.URL.RawQuery += "format=" + f
			break
		}
		return next(c)
	}
}

// apiPageData is what templates/api.html shows.
type apiPageData struct {
	// Base is the site's address for the examples ("https://host"): the
	// request's, or the export's --base-url; empty in an export without it.
	Base         string
	Example      string // a question id for the examples
	Questions    []apiQuestion
	Params       []apiParam
	Endpoints    []apiEndpoint
	CacheControl string
}

type apiQuestion struct {
	ID    string
	Title string
	Polls int
}

// apiParam documents one query parameter.
type apiParam struct {
	Name    string
	Accepts string
	Default string
	Key     string // message key of its description
}

// apiEndpoint documents one route.
type apiEndpoint struct {
	Path string // with {id}
	Key  string // message key of its description
	// Example is the route's download for the example question, as a
	// path Link maps (empty for the documentation routes).
	Example string
}

// apiPage renders the human-readable API page.
func (s *Server) apiPage(c echo.Context) error {
	lang := site.LangOf(c)
	qs, err := s.db.Questions()
	if err != nil {
		return err
	}
	d := &apiPageData{CacheControl: CacheControl}
	if st := exportOf(c); st != nil {
		d.Base = strings.TrimSuffix(st.BaseURL, "/")
	} else {
		d.Base = c.Scheme() + "://" + c.Request().Host
	}
	for i := range qs {
		ps, err := s.db.Polls(qs[i].ID)
		if err != nil {
			return err
		}
		d.Questions = append(d.Questions, apiQuestion{ID: qs[i].ID, Title: qs[i].Title(lang), Polls: len(ps)})
	}
	// the example is the question with the most polls
	sort.SliceStable(d.Questions, func(i, j int) bool { return d.Questions[i].Polls > d.Questions[j].Polls })
	if len(d.Questions) > 0 {
		d.Example = d.Questions[0].ID
	} else {
		d.Example = "QUESTION-ID"
	}
	sort.SliceStable(d.Questions, func(i, j int) bool { return d.Questions[i].ID < d.Questions[j].ID })
	o := poll.DefaultOptions()
	fmtf := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	d.Params = []apiParam{
		{"format", "json, csv", "json", "api.p.format"},
		{"method", "kalman, loess, weighted, latest", string(o.Method), "api.p.method"},
		{"half_life", "0 < days ≤ 3650", fmtf(o.HalfLife), "api.p.half_life"},
		{"window", "1–3650", strconv.Itoa(o.Window), "api.p.window"},
		{"span", "0 < span ≤ 1", fmtf(o.Span), "api.p.span"},
		{"adjust_house", "true, false", strconv.FormatBool(o.AdjustHouse), "api.p.adjust_house"},
		{"adjust_mode", "true, false", strconv.FormatBool(o.AdjustMode), "api.p.adjust_mode"},
		{"drop_undecided", "true, false", strconv.FormatBool(o.DropUndecided), "api.p.drop_undecided"},
		{"from, to", "YYYY-MM-DD", "", "api.p.from_to"},
		{"pollster", "NAME", "", "api.p.pollster"},
		{"mode", "phone-live, phone-ARS, online, mixed, unknown", "", "api.p.mode"},
		{"answers", "support,oppose,…", "", "api.p.answers"},
		{"shared_error", "0–25", "", "api.p.shared_error"},
		{"ratings", "true, false", "true", "api.p.ratings"},
		{"include_retracted", "true, false", "false", "api.p.include_retracted"},
	}
	ex := "/api/v1/questions/" + d.Example
	d.Endpoints = []apiEndpoint{
		{"/api/v1/questions", "api.e.questions", "/api/v1/questions"},
		{"/api/v1/questions/{id}", "api.e.question", ex},
		{"/api/v1/questions/{id}/polls", "api.e.polls", ex + "/polls"},
		{"/api/v1/questions/{id}/series", "api.e.series", ex + "/series"},
		{"/api/v1/questions/{id}/house-effects", "api.e.house", ex + "/house-effects"},
		{"/api/v1/pollsters", "api.e.pollsters", "/api/v1/pollsters"},
		{"/api/v1/openapi.json", "api.e.openapi", ""},
	}
	return s.render(c, http.StatusOK, "api", site.Translate(lang, "api.title"), d)
}
