package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// Newsrooms' routes
//
//	GET /embed/questions/:id      a small page for an <iframe>: title, headline with
//	                              band, chart and a source line linking to the full
//	                              page; the question page's view parameters
//	GET /oembed?url=URL           oEmbed 1.0 (JSON, type "rich") for a question page's
//	                              URL of this site; 400 without a usable url, 404 for
//	                              any other URL, 501 for format=xml
//	GET /feed.atom                Atom 1.0: every question's new polls, corrections
//	GET /questions/:id/feed.atom  and retractions, newest first (feed.go)
//
// The embed page is the only page other sites may frame: it is served with
// EmbedContentSecurityPolicy (frame-ancestors *) and without
// X-Frame-Options; every other page keeps frame-ancestors 'none' and DENY.
// Like every page it loads nothing from other hosts.

// EmbedContentSecurityPolicy is ContentSecurityPolicy with framing by any
// site allowed, for the embed page alone.
var EmbedContentSecurityPolicy = strings.Replace(ContentSecurityPolicy, "frame-ancestors 'none'", "frame-ancestors *", 1)

// Sizes of the iframe the embed code and oEmbed suggest, in CSS pixels.
const (
	embedWidth  = 640
	embedHeight = 480
)

// newsroomRoutes registers the embed page, oEmbed and the feeds.
func (s *Server) newsroomRoutes(e *echo.Echo) {
	getHead(e, "/embed/questions/:id", s.embedPage)
	getHead(e, "/oembed", s.oembed)
	getHead(e, "/feed.atom", s.siteFeed)
	getHead(e, "/questions/:id/feed.atom", s.questionFeed)
}

// embedData is what templates/embed.html shows.
type embedData struct {
	*questionData
	FullPath  string     // the full question page
	Pollsters []string   // the view's pollsters, most polls first
	NPolls    int        // the view's polls
	View      url.Values // the view's canonical query
}

// MorePollsters is how many pollsters the source line leaves unnamed.
func (d *embedData) MorePollsters() int { return max(0, len(d.Pollsters)-3) }

// FirstPollsters are the pollsters the source line names.
func (d *embedData) FirstPollsters() string {
	return strings.Join(d.Pollsters[:min(3, len(d.Pollsters))], ", ")
}

// embedPage is GET /embed/questions/:id.
func (s *Server) embedPage(c echo.Context) error {
	qid := c.Param("id")
	view, err := parseView(c, nil)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", EmbedContentSecurityPolicy)
	h.Del(echo.HeaderXFrameOptions)
	lang := site.LangOf(c)
	static := isStaticExport(c)
	query := view.Query()
	return s.servePage(c, "embed|"+qid+"|"+view.Key(), query, func() (string, string, any, error) {
		comp, err := s.compute(qid, view)
		if err != nil {
			return "", "", nil, err
		}
		if _, err := parseViewValues(query, comp.Question); err != nil {
			return "", "", nil, err
		}
		qd, err := newQuestionData(lang, static, comp, view)
		if err != nil {
			return "", "", nil, err
		}
		d := &embedData{questionData: qd, FullPath: "/questions/" + qid, NPolls: len(comp.Polls), View: query}
		count := map[string]int{}
		for _, p := range comp.Polls {
			if count[p.Pollster] == 0 {
				d.Pollsters = append(d.Pollsters, p.Pollster)
			}
			count[p.Pollster]++
		}
		sort.SliceStable(d.Pollsters, func(i, j int) bool {
			a, b := d.Pollsters[i], d.Pollsters[j]
			if count[a] != count[b] {
				return count[a] > count[b]
			}
			return a < b
		})
		return "embed", comp.Question.Title(lang), d, nil
	})
}

// EmbedPath is the path of the question's embed page.
func (d *questionData) EmbedPath() string { return "/embed/questions/" + d.Q.ID }

// IframeCode is the <iframe> element that embeds src, with title; the
// question page shows it to copy (embed-code.js makes src absolute).
func (p *Page) IframeCode(src, title string) string {
	return iframeCode(src, title, embedWidth, embedHeight)
}

func iframeCode(src, title string, w, h int) string {
	return fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" style="border:0;max-width:100%%" title="%s" loading="lazy"></iframe>`,
		html.EscapeString(src), w, h, html.EscapeString(title))
}

// oembedResponse is an oEmbed 1.0 answer of type "rich".
type oembedResponse struct {
	Version      string `json:"version"`
	Type         string `json:"type"`
	Title        string `json:"title"`
	ProviderName string `json:"provider_name"`
	ProviderURL  string `json:"provider_url"`
	HTML         string `json:"html"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	CacheAge     int    `json:"cache_age"`
}

// oembed is GET /oembed?url=URL[&maxwidth=N][&maxheight=N][&format=json].
func (s *Server) oembed(c echo.Context) error {
	if f := c.QueryParam("format"); f != "" && f != "json" {
		return echo.NewHTTPError(http.StatusNotImplemented, fmt.Sprintf("format: %q is not offered; oEmbed answers here are JSON (format=json)", f))
	}
	raw := strings.TrimSpace(c.QueryParam("url"))
	if raw == "" {
		return poll.Errorf(poll.EINVALID, "url: give the address of a question page, e.g. ?url=%s", url.QueryEscape(siteBase(c)+"/questions/ID"))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return poll.Errorf(poll.EINVALID, "url: %q is not an absolute http or https address", raw)
	}
	if !strings.EqualFold(u.Host, c.Request().Host) {
		return poll.Errorf(poll.ENOTFOUND, "url: %q is not a page of this site", raw)
	}
	qid, ok := questionOfPath(u.Path)
	if !ok {
		return poll.Errorf(poll.ENOTFOUND, "url: %q is not a question page (/questions/ID)", raw)
	}
	q, err := s.db.Question(qid)
	if err != nil {
		return err
	}
	query := u.Query()
	lang := query.Get("lang")
	if !site.IsLang(lang) {
		lang = site.LangOf(c)
	}
	view, err := parseViewValues(query, q)
	if err != nil {
		return err
	}
	w, h := embedWidth, embedHeight
	for _, lim := range []struct {
		name string
		v    *int
	}{{"maxwidth", &w}, {"maxheight", &h}} {
		if sv := c.QueryParam(lim.name); sv != "" {
			n, err := strconv.Atoi(sv)
			if err != nil || n < 1 {
				return poll.Errorf(poll.EINVALID, "%s: %q is not a positive whole number of pixels", lim.name, sv)
			}
			*lim.v = min(*lim.v, n)
		}
	}
	vq := view.Query()
	vq.Set("lang", lang)
	src := siteBase(c) + "/embed/questions/" + url.PathEscape(qid) + "?" + vq.Encode()
	title := q.Title(lang)
	return c.JSON(http.StatusOK, oembedResponse{
		Version: "1.0", Type: "rich", Title: title, ProviderName: "pollagg", ProviderURL: siteBase(c) + "/",
		HTML: iframeCode(src, title, w, h), Width: w, Height: h, CacheAge: 3600,
	})
}

// questionOfPath returns the question id of a question page's or embed
// page's path (Korean or English, live or exported: /questions/ID,
// /en/questions/ID/, /embed/questions/ID).
func questionOfPath(p string) (string, bool) {
	p = strings.Trim(p, "/")
	p = strings.TrimSuffix(p, "/index.html")
	p = strings.TrimPrefix(p, "en/")
	p = strings.TrimPrefix(p, "embed/")
	id, ok := strings.CutPrefix(p, "questions/")
	if !ok || !poll.ValidSlug(id) {
		return "", false
	}
	return id, true
}

// siteBase is the scheme and host the request reached this server at, e.g.
// "http://127.0.0.1:8080". Only answers that are not cached use it.
func siteBase(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host
}

// newsroomJobs lists the static export's embed pages and feeds, in every
// language: embed/questions/ID/index.html, feed.atom,
// questions/ID/feed.atom (and the same under en/).
func newsroomJobs(qs []poll.Question) []exportJob {
	var jobs []exportJob
	for _, lang := range site.Languages {
		jobs = append(jobs, exportJob{url: "/feed.atom?lang=" + lang, file: feedFile(lang, "")})
		for _, q := range qs {
			p := "/embed/questions/" + q.ID
			jobs = append(jobs,
				exportJob{url: p + "?lang=" + lang, file: staticPath(lang, p, nil) + "index.html"},
				exportJob{url: "/questions/" + q.ID + "/feed.atom?lang=" + lang, file: feedFile(lang, q.ID)})
		}
	}
	return jobs
}
