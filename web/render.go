package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

//go:embed templates
var templateFS embed.FS

// renderer holds one parsed template set per page: the shared layout
// (templates/layout.html) plus the page's file, which defines the blocks
// "title" and "content".
type renderer struct {
	pages map[string]*template.Template
}

// newRenderer parses the layout and every page of templates/*.html: this
// package's own, then those of each of more (the pages of the areas that
// keep their templates beside their code, such as upload.Templates). A
// page name may be used once.
func newRenderer(more ...fs.FS) (*renderer, error) {
	layout, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	r := &renderer{pages: map[string]*template.Template{}}
	for i, fsys := range append([]fs.FS{templateFS}, more...) {
		files, err := fs.Glob(fsys, "templates/*.html")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
			if name == "layout" && i == 0 {
				continue
			}
			if _, dup := r.pages[name]; dup || name == "layout" {
				return nil, fmt.Errorf("%s: a page named %q is defined twice", f, name)
			}
			t, err := template.Must(layout.Clone()).ParseFS(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			r.pages[name] = t
		}
	}
	return r, nil
}

// Page is what every template receives: the reader's language and helpers
// for text, numbers, dates and links in that language, plus the page's own
// data in Data.
type Page struct {
	Lang  string
	Title string
	Path  string     // the request path, for links that keep it
	Query url.Values // the request query, for links that keep it
	CSRF  string     // the CSRF token for forms (upload pages)
	// Static is set while the static export renders the page: Link then
	// returns relative links to the exported files (see links.go), and
	// templates may leave out what needs a server (forms, uploads).
	Static bool
	Data   any
}

// T returns the message key in the page's language.
func (p *Page) T(key string, args ...any) string { return site.Translate(p.Lang, key, args...) }

// Other returns the other language's code.
func (p *Page) Other() string {
	if p.Lang == "ko" {
		return "en"
	}
	return "ko"
}

// LangURL returns the current page's URL in language l.
func (p *Page) LangURL(l string) string {
	return p.linkIn(l, p.Path, p.Query)
}

// Date formats d for the page's language: "2023년 3월 24일" or "Mar 24, 2023".
func (p *Page) Date(d poll.Date) string { return formatDate(p.Lang, d) }

func formatDate(lang string, d poll.Date) string {
	t := d.Time()
	if lang == "ko" {
		return fmt.Sprintf("%d년 %d월 %d일", t.Year(), t.Month(), t.Day())
	}
	return t.Format("Jan 2, 2006")
}

// Time formats t (in KST for Korean, UTC for English).
func (p *Page) Time(t time.Time) string {
	if p.Lang == "ko" {
		t = t.In(time.FixedZone("KST", 9*3600))
		return t.Format("2006-01-02 15:04 KST")
	}
	return t.UTC().Format("Jan 2, 2006 15:04 UTC")
}

// Num formats v with digits decimals and the locale's grouping (both
// languages group by thousands with commas).
func (p *Page) Num(v float64, digits int) string { return site.FormatNum(v, digits) }

// Pct formats a percentage with one decimal, dropping ".0".
func (p *Page) Pct(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

// render writes page name with status. The body is built in memory first,
// so a template error becomes a clean 500, never half a page.
func (s *Server) render(c echo.Context, status int, name string, title string, data any) error {
	b, err := s.renderBytes(c, name, title, data)
	if err != nil {
		return err
	}
	return c.HTMLBlob(status, b)
}

// renderBytes renders page name for the request into bytes.
//
// A name of the form "page#entry" renders only the template entry that
// page defines, without the layout: a fragment of the page.
func (s *Server) renderBytes(c echo.Context, name string, title string, data any) ([]byte, error) {
	entry := "layout.html"
	if page, part, ok := strings.Cut(name, "#"); ok {
		name, entry = page, part
	}
	t, ok := s.pages.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no template %q", name)
	}
	p := &Page{Lang: site.LangOf(c), Title: title, Path: c.Request().URL.Path, Query: c.QueryParams(), Static: isStaticExport(c), Data: data}
	if q, ok := c.Get(pageQueryKey).(url.Values); ok {
		p.Query = q // a cached page links with its canonical query, not the first requester's
	}
	if tok, ok := c.Get("csrf").(string); ok {
		p.CSRF = tok
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, entry, p); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// pageQueryKey is the echo.Context key under which a handler may set the
// url.Values a page uses as its query (Page.Query) instead of the request's.
const pageQueryKey = "page.query"

// errorPage renders an error for a reader.
func (s *Server) errorPage(c echo.Context, d ErrorDetail) error {
	b, err := s.renderBytes(c, "error", http.StatusText(d.Status), d)
	if err != nil {
		return c.String(d.Status, d.Message)
	}
	return c.HTMLBlob(d.Status, b)
}
