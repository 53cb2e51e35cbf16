package web

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// exportSite exports s into a new temporary folder.
func exportSite(tb testing.TB, s *Server, opt ExportOptions) (string, *ExportReport) {
	tb.Helper()
	dir := tb.TempDir()
	rep, err := s.ExportWith(dir, opt)
	if err != nil {
		tb.Fatalf("export: %v", err)
	}
	return dir, rep
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestExportWritesTheSite(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	dir, rep := exportSite(t, s, ExportOptions{})
	if len(rep.BrokenLinks) > 0 {
		t.Errorf("links to pages the export lacks: %v", first(rep.BrokenLinks, 20))
	}
	if len(rep.AbsoluteLinks) > 0 {
		t.Errorf("links that bypass Page.Link (absolute, work only at a host's root): %v", first(rep.AbsoluteLinks, 20))
	}
	qs, _ := db.Questions()
	want := []string{"index.html", "en/index.html", "methodology/index.html", "en/methodology/index.html",
		"api/index.html", "en/api/index.html", "static/style.css", "api/v1/openapi.json",
		"api/v1/questions.json", "api/v1/questions.csv"}
	for _, q := range qs {
		for _, f := range []string{"questions/%s/index.html", "en/questions/%s/index.html", "api/v1/questions/%s.json",
			"api/v1/questions/%s.csv", "api/v1/questions/%s/series.csv", "api/v1/questions/%s/series.json",
			"api/v1/questions/%s/polls.csv", "api/v1/questions/%s/polls.json",
			"api/v1/questions/%s/house-effects.csv", "api/v1/questions/%s/house-effects.json"} {
			want = append(want, strings.ReplaceAll(f, "%s", q.ID))
		}
	}
	for _, f := range want {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	// every static file the server has
	fs.WalkDir(staticRoot, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if _, err := os.Stat(filepath.Join(dir, "static", p)); err != nil {
				t.Errorf("static file %s not exported", p)
			}
		}
		return nil
	})

	// downloads are byte for byte what the server serves
	for _, f := range want {
		if !strings.HasPrefix(f, "api/v1/") {
			continue
		}
		target := "/" + f
		if f != "api/v1/openapi.json" {
			ext := filepath.Ext(f)
			target = "/" + strings.TrimSuffix(f, ext) + "?format=" + ext[1:]
		}
		live := apiOK(t, s, target).Body.Bytes()
		if got := readFile(t, filepath.Join(dir, f)); !bytes.Equal(got, live) {
			t.Errorf("%s differs from GET %s", f, target)
		}
	}
	// the CSV loads back
	_, rows := readCSV(t, readFile(t, filepath.Join(dir, "api/v1/questions", testQuestionID, "series.csv")))
	if len(rows) == 0 {
		t.Error("the exported series CSV has no rows")
	}

	// pages: the page's language, relative links, nothing from another host
	ko := string(readFile(t, filepath.Join(dir, "index.html")))
	en := string(readFile(t, filepath.Join(dir, "en/index.html")))
	if !strings.Contains(ko, `lang="ko"`) || !strings.Contains(en, `lang="en"`) {
		t.Error("the index pages are not in their languages")
	}
	if !strings.Contains(ko, `href="questions/`+testQuestionID+`/"`) || !strings.Contains(en, `href="questions/`+testQuestionID+`/"`) {
		t.Error("the index does not link the question's exported page")
	}
	if !strings.Contains(ko, `href="en/"`) || !strings.Contains(en, `href="../"`) {
		t.Error("the language switch does not link the other language's page")
	}
	liveLink := regexp.MustCompile(`\?lang=(ko|en)\b`)
	outside := regexp.MustCompile(`(?i)<(?:script|link|img|iframe|source|video|audio)\b[^>]*\s(?:src|href)="(?:https?:)?//`)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b := readFile(t, p)
		if m := outside.Find(b); m != nil {
			t.Errorf("%s loads from another host: %s", p, m)
		}
		if liveLink.Match(b) { // not ?lang=e in a source's address
			t.Errorf("%s has a live-server link (?lang=)", p)
		}
		return nil
	})
	api := string(readFile(t, filepath.Join(dir, "en/api/index.html")))
	for _, w := range []string{"https://YOUR-SITE/api/v1/questions/", `href="../../api/v1/questions/` + testQuestionID + `/series.csv"`, "static copy"} {
		if !strings.Contains(api, w) {
			t.Errorf("the exported API page lacks %q", w)
		}
	}
}

// TestExportServedStatically serves the export with a plain file server
// and follows every link and resource of the pages: all must be there.
func TestExportServedStatically(t *testing.T) {
	s := testServer(t, testDB(t, true))
	dir, _ := exportSite(t, s, ExportOptions{BaseURL: "https://polls.example.org/"})
	// under a folder, as a project site on a shared host is
	mux := http.NewServeMux()
	mux.Handle("/site/", http.StripPrefix("/site/", http.FileServer(http.Dir(dir))))
	hs := httptest.NewServer(mux)
	defer hs.Close()
	seen := map[string]bool{}
	queue := []string{hs.URL + "/site/", hs.URL + "/site/en/questions/" + testQuestionID + "/"}
	pages := 0
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, resp.StatusCode)
			continue
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		pages++
		base, _ := url.Parse(u)
		for _, l := range pageLinks(body) {
			ref, err := url.Parse(l.url)
			if err != nil || ref.Scheme == "mailto" || ref.Scheme == "data" || strings.HasPrefix(l.url, "#") {
				continue
			}
			abs := base.ResolveReference(ref)
			abs.Fragment = ""
			if abs.Host != base.Host {
				if l.resource {
					t.Errorf("%s loads %s from another host", u, l.url)
				}
				continue
			}
			if !strings.HasPrefix(abs.Path, "/site/") {
				t.Errorf("%s links %s outside the site's folder", u, l.url)
				continue
			}
			queue = append(queue, abs.String())
		}
	}
	if pages < 10 {
		t.Errorf("followed only %d pages", pages)
	}
	b := readFile(t, filepath.Join(dir, "api/index.html"))
	if !bytes.Contains(b, []byte("https://polls.example.org/api/v1/questions/")) {
		t.Error("the API page's examples do not use --base-url")
	}
}

func TestExportIsDeterministic(t *testing.T) {
	s := testServer(t, testDB(t, true))
	a, _ := exportSite(t, s, ExportOptions{})
	b, _ := exportSite(t, testServer(t, s.db), ExportOptions{})
	n := 0
	filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		if !bytes.Equal(readFile(t, p), readFile(t, filepath.Join(b, rel))) {
			t.Errorf("%s differs between two exports of the same data", rel)
		}
		n++
		return nil
	})
	if n < 50 {
		t.Errorf("only %d files", n)
	}
	// the live server, after an export, still serves live links
	if body := apiOK(t, s, "/?lang=en").Body.String(); !strings.Contains(body, "?lang=") {
		t.Error("the live index lost its live links after an export")
	}
}

func TestResolveLink(t *testing.T) {
	for _, tt := range []struct {
		file, link, target string
		kind               int
	}{
		{"en/questions/q1/index.html", "../../../static/style.css", "static/style.css", linkLocal},
		{"en/questions/q1/index.html", "../q2/", "en/questions/q2/index.html", linkLocal},
		{"index.html", "./", "index.html", linkLocal},
		{"index.html", "en/#main", "en/index.html", linkLocal},
		{"index.html", "/static/x.js?v=1", "static/x.js", linkAbsolute},
		{"index.html", "https://example.org/", "", linkOutside},
		{"index.html", "//cdn.example.org/x.js", "", linkOutside},
		{"index.html", "#main", "", linkSkip},
		{"index.html", "mailto:a@b", "", linkSkip},
	} {
		target, kind := resolveLink(tt.file, tt.link)
		if target != tt.target || kind != tt.kind {
			t.Errorf("resolveLink(%s, %s) = %s, %d; want %s, %d", tt.file, tt.link, target, kind, tt.target, tt.kind)
		}
	}
}
