package web

import (
	"context"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/web/site"
)

// Link returns the URL of an internal page, static file or download in the
// page's language, keeping q. Every internal href and src in the templates
// goes through Link, so that the static export (see export.go) can map the
// live server's URLs onto plain files in one place.
//
// On the live server a page link carries the language, a file or download
// link does not:
//
//	Link("/questions/q1", nil)                          /questions/q1?lang=en
//	Link("/static/style.css", nil)                      /static/style.css
//	Link("/api/v1/questions/q1/series", {format: csv})  /api/v1/questions/q1/series?format=csv
//
// During the export (Page.Static) it returns a relative link to the file
// that holds the same content, Korean pages at the top and English ones
// under en/, so that the site works from any folder of any static host.
// From the English page of question q1 (en/questions/q1/index.html):
//
//	Link("/questions/q2", nil)                          ../q2/
//	Link("/", nil)                                      ../../
//	Link("/static/style.css", nil)                      ../../../static/style.css
//	Link("/api/v1/questions/q1/series", {format: csv})  ../../../api/v1/questions/q1/series.csv
//
// The export holds each page and download for the default view only, so a
// static link drops any other query parameter. A "#fragment" on path is
// kept in both forms.
func (p *Page) Link(path string, q url.Values) string {
	return p.linkIn(p.Lang, path, q)
}

// DownloadLink returns Link for a download of the read API in format
// ("csv" or "json"): /api/v1/questions/q1/series?format=csv live,
// …/series.csv in the export.
func (p *Page) DownloadLink(path, format string) string {
	return p.Link(path, url.Values{"format": {format}})
}

// linkIn is Link in language lang (the language switch links to the other
// language).
func (p *Page) linkIn(lang, path string, q url.Values) string {
	path, frag, _ := strings.Cut(path, "#")
	if frag != "" {
		frag = "#" + frag
	}
	if p.Static {
		return relativeLink(staticPath(p.Lang, p.Path, nil), staticPath(lang, path, q)) + frag
	}
	v := url.Values{}
	for k, vs := range q {
		if k != "lang" {
			v[k] = vs
		}
	}
	if !isFilePath(path) {
		v.Set("lang", lang)
	}
	if len(v) == 0 {
		return path + frag
	}
	return path + "?" + v.Encode() + frag
}

// isFilePath reports whether path names a static file or a download rather
// than a page: those are the same in every language.
func isFilePath(path string) bool {
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/api/v1/")
}

// staticPath returns where the export writes the content of path (in
// language lang), relative to the site's root: a page is a folder holding
// index.html ("en/questions/q1/"), a static file keeps its path
// ("static/style.css"), and a download takes its format as its extension
// ("api/v1/questions/q1/series.csv", JSON without a format).
func staticPath(lang, path string, q url.Values) string {
	path = "/" + strings.Trim(path, "/")
	switch {
	case strings.HasPrefix(path, "/static/"):
		return path[1:]
	case strings.HasPrefix(path, "/api/v1/"):
		if strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".csv") {
			return path[1:]
		}
		ext := "json"
		if f := strings.ToLower(q.Get("format")); f == "csv" {
			ext = f
		}
		return path[1:] + "." + ext
	}
	prefix := ""
	if lang != site.Languages[0] {
		prefix = lang + "/"
	}
	if path == "/" {
		return prefix
	}
	return prefix + path[1:] + "/"
}

// relativeLink returns the shortest link from the page in folder from (as
// staticPath returns it, "" being the root) to target.
func relativeLink(from, target string) string {
	dirs := strings.Split(strings.TrimSuffix(from, "/"), "/")
	if from == "" {
		dirs = nil
	}
	parts := strings.Split(target, "/") // the last part is the file, "" for a folder's index
	i := 0
	for i < len(dirs) && i < len(parts)-1 && dirs[i] == parts[i] {
		i++
	}
	rel := strings.Repeat("../", len(dirs)-i) + strings.Join(parts[i:], "/")
	if rel == "" {
		return "./"
	}
	return rel
}

// exportKey is the request context key that marks the export's requests.
type exportKey struct{}

// exportState is what the export tells the pages it renders.
type exportState struct {
	// BaseURL is where the exported site will be published (e.g.
	// https://polls.example.org), for the examples on the API page; empty
	// when unknown.
	BaseURL string
}

// withExport marks ctx as a request of the static export. Only the
// export's own in-process requests carry it: no header or parameter can
// turn a live request into one.
func withExport(ctx context.Context, st *exportState) context.Context {
	return context.WithValue(ctx, exportKey{}, st)
}

// exportOf returns the export's state when c is a request of the static
// export, and nil otherwise.
func exportOf(c echo.Context) *exportState {
	st, _ := c.Request().Context().Value(exportKey{}).(*exportState)
	return st
}

// isStaticExport reports whether c is a request of the static export; the
// renderer sets Page.Static from it.
func isStaticExport(c echo.Context) bool { return exportOf(c) != nil }
