package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pollagg/pollagg/web/site"
)

// ExportOptions tunes the static export.
type ExportOptions struct {
	// BaseURL is the address the site will be published at (e.g.
	// https://polls.example.org/), shown in the API page's examples. When
	// empty they say YOUR-SITE.
	BaseURL string
}

// ExportReport says what the export wrote and what a reader of the static
// copy would miss.
type ExportReport struct {
	Files int   // files written
	Bytes int64 // their total size
	// BrokenLinks lists links of the exported pages that lead to no
	// exported file, as "page: link" (e.g. a link to the upload page,
	// which needs a server). Pages should leave those out when
	// Page.Static is set.
	BrokenLinks []string
	// AbsoluteLinks lists internal links that start with "/": they work
	// only when the site is published at a host's root, so they bypassed
	// Page.Link.
	AbsoluteLinks []string
}

// Export writes the whole public site into dir as plain files that any
// static host or CDN serves, with no pollagg process: see ExportWith.
func (s *Server) Export(dir string) error {
	_, err := s.ExportWith(dir, ExportOptions{})
	return err
}

// ExportWith writes the public site into dir (creating it; files of an
// earlier export are overwritten, others left alone):
//
//	index.html, en/index.html                        question list (Korean at the top, English under en/)
//	questions/ID/index.html, en/questions/ID/…       each question's page
//	polls/ID/index.html, en/polls/ID/…               each poll's page
//	methodology/…, api/…                             methodology and API pages
//	static/…, favicon.ico                            stylesheet, scripts, ECharts (also fingerprinted and gzipped, see exportAssetFiles)
//	_headers                                         the fingerprinted files' immutable Cache-Control
//	api/v1/questions.json, .csv                      every download for the default parameters:
//	api/v1/questions/ID.json, .csv                     the question,
//	api/v1/questions/ID/{polls,series,house-effects}.{json,csv}
//	api/v1/openapi.json
//	pollsters/…, api/v1/pollsters.{json,csv}          the pollster ratings
//
// Each file is fetched through s.ServeHTTP, so it holds byte for byte what
// the server serves; pages are rendered in export mode (Page.Static), in
// which Link gives relative links between these files. It fails when a
// page or file cannot be fetched, or when a page would load anything
// (script, style, image) from another host or from a file the export did
// not write.
func (s *Server) ExportWith(dir string, opt ExportOptions) (*ExportReport, error) {
	ctx := withExport(context.Background(), &exportState{BaseURL: opt.BaseURL})
	jobs, err := s.exportJobs()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	rep := &ExportReport{}
	written := map[string]bool{}
	pages := map[string][]byte{}
	for _, j := range jobs {
		if !filepath.IsLocal(filepath.FromSlash(j.file)) {
			return nil, fmt.Errorf("export: %s would be written outside %s", j.file, dir)
		}
		body, err := s.fetch(ctx, j.url)
		if err != nil {
			return nil, err
		}
		name := filepath.Join(dir, filepath.FromSlash(j.file))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		if err := os.WriteFile(name, body, 0o644); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		rep.Files++
		rep.Bytes += int64(len(body))
		written[j.file] = true
		if strings.HasSuffix(j.file, ".html") {
			pages[j.file] = body
		}
	}
	// the static files' fingerprinted and gzipped copies, which the
	// pages link to, and the _headers that keep them immutable
	extra := exportAssetFiles()
	for _, file := range sortedKeysOf(extra) {
		name := filepath.Join(dir, filepath.FromSlash(file))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		if err := os.WriteFile(name, extra[file], 0o644); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		rep.Files++
		rep.Bytes += int64(len(extra[file]))
		written[file] = true
	}
	var missing []string
	for _, file := range sortedKeysOf(pages) {
		for _, l := range pageLinks(pages[file]) {
			switch target, kind := resolveLink(file, l.url); kind {
			case linkOutside:
				if l.resource {
					return nil, fmt.Errorf("export: %s loads %s from another host", file, l.url)
				}
			case linkAbsolute:
				rep.AbsoluteLinks = append(rep.AbsoluteLinks, file+": "+l.url)
				fallthrough
			case linkLocal:
				if written[target] {
					continue
				}
				if l.resource {
					missing = append(missing, file+": "+l.url)
				} else {
					rep.BrokenLinks = append(rep.BrokenLinks, file+": "+l.url)
				}
			}
		}
	}
	if len(missing) > 0 {
		return rep, fmt.Errorf("export: pages load files the export did not write: %s", strings.Join(first(missing, 10), "; "))
	}
	return rep, nil
}

// exportJob is one URL to fetch and the file to write it to.
type exportJob struct {
	url  string // path and query on the server
	file string // slash-separated, relative to the export's folder
}

// exportJobs lists every URL of the public site and its file.
func (s *Server) exportJobs() ([]exportJob, error) {
	qs, err := s.db.Questions()
	if err != nil {
		return nil, err
	}
	pagePaths := []string{"/", "/methodology", "/api", "/pollsters"}
	for _, q := range qs {
		pagePaths = append(pagePaths, "/questions/"+q.ID)
		recs, err := s.db.Records(q.ID, true)
		if err != nil {
			return nil, err
		}
		for i := range recs {
			pagePaths = append(pagePaths, "/polls/"+recs[i].Current().ID)
		}
	}
	var jobs []exportJob
	for _, lang := range site.Languages {
		for _, p := range pagePaths {
			jobs = append(jobs, exportJob{url: p + "?lang=" + lang, file: staticPath(lang, p, nil) + "index.html"})
		}
	}
	err = fs.WalkDir(staticRoot, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		jobs = append(jobs, exportJob{url: "/static/" + p, file: "static/" + p})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export: static files: %w", err)
	}
	if _, err := fs.Stat(staticRoot, "favicon.png"); err == nil {
		jobs = append(jobs, exportJob{url: "/favicon.ico", file: "favicon.ico"})
	}
	downloads := []string{downloadPath(KindQuestions, ""), downloadPath(KindPollsters, "")}
	for _, q := range qs {
		for _, k := range []string{KindQuestion, KindPolls, KindSeries, KindHouseEffects} {
			downloads = append(downloads, downloadPath(k, q.ID))
		}
	}
	for _, p := range downloads {
		for _, f := range []string{FormatJSON, FormatCSV} {
			q := url.Values{"format": {f}}
			jobs = append(jobs, exportJob{url: p + "?" + q.Encode(), file: staticPath("", p, q)})
		}
	}
	jobs = append(jobs, exportJob{url: "/api/v1/openapi.json", file: "api/v1/openapi.json"})
	jobs = append(jobs, newsroomJobs(qs)...) // embed pages and feeds (embed.go)
	return jobs, nil
}

// fetch GETs u from the server as an export request (no compression).
func (s *Server) fetch(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("export: %s: %w", u, err)
	}
	req.RemoteAddr = "127.0.0.1:0"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		msg := strings.TrimSpace(rec.Body.String())
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return nil, fmt.Errorf("export: GET %s: %d %s", u, rec.Code, msg)
	}
	return rec.Body.Bytes(), nil
}

// pageLink is one URL in a page: resource is set for what the browser
// loads by itself (src, a stylesheet or icon href), not for links a reader
// follows.
type pageLink struct {
	url      string
	resource bool
}

// exportAttrRE finds the URL attributes html/template writes (always
// double-quoted) with the tag they belong to.
var (
	exportTagRE  = regexp.MustCompile(`<([a-zA-Z]+)\b[^>]*>`)
	exportAttrRE = regexp.MustCompile(`\s(href|src)="([^"]*)"`)
)

// pageLinks returns the href and src URLs of an HTML page.
func pageLinks(page []byte) []pageLink {
	var out []pageLink
	for _, tag := range exportTagRE.FindAllSubmatch(page, -1) {
		name := strings.ToLower(string(tag[1]))
		for _, a := range exportAttrRE.FindAllSubmatch(tag[0], -1) {
			u := strings.ReplaceAll(string(a[2]), "&amp;", "&")
			res := string(a[1]) == "src" || name == "link"
			out = append(out, pageLink{url: u, resource: res})
		}
	}
	return out
}

// Kinds of link, for resolveLink.
const (
	linkSkip     = iota // a fragment, mailto:, data: and the like
	linkOutside         // another host
	linkAbsolute        // "/..." on this host
	linkLocal           // relative
)

// resolveLink returns the exported file a link of page file leads to.
func resolveLink(file, link string) (target string, kind int) {
	if i := strings.IndexAny(link, "?#"); i >= 0 {
		link = link[:i]
	}
	low := strings.ToLower(link)
	switch {
	case link == "":
		return "", linkSkip
	case strings.HasPrefix(low, "http:") || strings.HasPrefix(low, "https:") || strings.HasPrefix(link, "//"):
		return "", linkOutside
	case strings.Contains(link, ":"):
		return "", linkSkip // mailto:, data:, javascript: …
	}
	kind = linkLocal
	var p string
	if strings.HasPrefix(link, "/") {
		kind, p = linkAbsolute, path.Clean(link)
	} else {
		p = path.Join("/", path.Dir(file), link)
	}
	if strings.HasSuffix(link, "/") || path.Ext(p) == "" {
		p = path.Join(p, "index.html")
	}
	return strings.TrimPrefix(p, "/"), kind
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func first(list []string, n int) []string {
	if len(list) > n {
		return append(list[:n:n], fmt.Sprintf("and %d more", len(list)-n))
	}
	return list
}
