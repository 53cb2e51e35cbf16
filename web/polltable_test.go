package web

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// tableServer serves a question (bigQuestion) of 120 polls: three pages
// of the poll table, 50, 50 and 20 rows.
func tableServer(t *testing.T) *Server {
	t.Helper()
	db := testDB(t, false)
	dashImport(t, db, "big.csv", bigCSV(120))
	return testServer(t, db)
}

var (
	tbodyRE   = regexp.MustCompile(`(?s)<table class="polls" id="poll-table"[^>]*>.*?<tbody>(.*?)</tbody>`)
	rowRE     = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRE    = regexp.MustCompile(`(?s)<t[hd]([^>]*)>(.*?)</t[hd]>`)
	sortRE    = regexp.MustCompile(`data-sort="([^"]*)"`)
	cellTagRE = regexp.MustCompile(`<[^>]*>`)
	linkRE    = regexp.MustCompile(`<a href="([^"]*)" rel="(first|prev|next|last)"`)
)

// tableRow is one row of the poll table: its cells' text and sort keys.
type tableRow struct {
	raw  string // the row's HTML
	text []string
	sort []string
}

// tableRows returns the poll table's rows of a page.
func tableRows(t *testing.T, page string) []tableRow {
	t.Helper()
	m := tbodyRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no poll table in the page")
	}
	var out []tableRow
	for _, r := range rowRE.FindAllStringSubmatch(m[1], -1) {
		row := tableRow{raw: r[1]}
		for _, c := range cellRE.FindAllStringSubmatch(r[1], -1) {
			key := ""
			if m := sortRE.FindStringSubmatch(c[1]); m != nil {
				key = m[1]
			}
			row.sort = append(row.sort, key)
			row.text = append(row.text, html.UnescapeString(cellTagRE.ReplaceAllString(c[2], "")))
		}
		out = append(out, row)
	}
	return out
}

// pagerLinks returns the pager's links by rel.
func pagerLinks(page string) map[string]string {
	out := map[string]string{}
	for _, m := range linkRE.FindAllStringSubmatch(page, -1) {
		out[m[2]] = html.UnescapeString(m[1])
	}
	return out
}

// sortNum reads a sort key as a number.
func sortNum(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("sort key %q: %v", s, err)
	}
	return v
}

func TestPollTablePages(t *testing.T) {
	s := tableServer(t)
	base := "/questions/" + bigQuestion + "?lang=en"
	tests := []struct {
		name     string
		query    string
		rows     int
		caption  string
		links    []string // the pager's links, by rel
		nextPage string   // the page the next link asks for ("" without one)
	}{
		{"First", "", 50, "Polls 1–50 of 120", []string{"last", "next"}, "2"},
		{"FirstSpelledOut", "&page=1&sort=field&order=desc", 50, "Polls 1–50 of 120", []string{"last", "next"}, "2"},
		{"Middle", "&page=2", 50, "Polls 51–100 of 120", []string{"first", "last", "next", "prev"}, "3"},
		{"Last", "&page=3", 20, "Polls 101–120 of 120", []string{"first", "prev"}, ""},
	}
	var seen []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := doRequest(t, s, http.MethodGet, base+tt.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET = %d: %.300s", rec.Code, rec.Body)
			}
			page := rec.Body.String()
			rows := tableRows(t, page)
			if len(rows) != tt.rows {
				t.Fatalf("%d rows, want %d", len(rows), tt.rows)
			}
			if !strings.Contains(page, tt.caption) {
				t.Errorf("the caption does not say %q", tt.caption)
			}
			links := pagerLinks(page)
			var rels []string
			for rel := range links {
				rels = append(rels, rel)
			}
			if got, want := strings.Join(sortedStrings(rels), ","), strings.Join(tt.links, ","); got != want {
				t.Errorf("pager links %s, want %s", got, want)
			}
			if tt.nextPage != "" && !strings.Contains(links["next"], "page="+tt.nextPage) {
				t.Errorf("next link %q does not ask for page %s", links["next"], tt.nextPage)
			}
			// newest first: the field-dates column (third) sorts by end day
			for i := 1; i < len(rows); i++ {
				if rows[i-1].sort[2] < rows[i].sort[2] {
					t.Fatalf("row %d ends %s after row %d's %s: not newest first", i, rows[i].sort[2], i-1, rows[i-1].sort[2])
				}
			}
			if tt.name != "FirstSpelledOut" {
				for _, r := range rows {
					seen = append(seen, r.raw)
				}
			}
		})
	}
	// the three pages list every poll once
	if len(seen) != 120 {
		t.Errorf("the pages list %d rows, want 120", len(seen))
	}
	uniq := map[string]bool{}
	for _, r := range seen {
		uniq[r] = true
	}
	if len(uniq) != 120 {
		t.Errorf("the pages list %d different polls, want 120", len(uniq))
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestPollTableSortAndFilters(t *testing.T) {
	s := tableServer(t)
	base := "/questions/" + bigQuestion + "?lang=en"
	tests := []struct {
		name  string
		query string
		col   int  // the cell whose data-sort orders the rows
		desc  bool // descending
		text  bool // compare the cells' text rather than numbers
		rows  int
	}{
		{"SampleAscending", "&sort=n", 3, false, false, 50},
		{"SampleDescending", "&sort=n&order=desc", 3, true, false, 50},
		{"SampleLastPage", "&sort=n&page=3", 3, false, false, 20},
		{"Answer", "&sort=support&order=desc", 5, true, false, 50},
		{"Weight", "&sort=weight&order=desc", 7, true, false, 50},
		{"Pollster", "&sort=pollster", 0, false, true, 50},
		{"FilteredByPollster", "&pollster=Pollster+1&sort=n", 3, false, false, 3},
		{"FilteredByMode", "&mode=online&sort=field&order=asc", 2, false, true, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := doRequest(t, s, http.MethodGet, base+tt.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET = %d: %.300s", rec.Code, rec.Body)
			}
			rows := tableRows(t, rec.Body.String())
			if len(rows) != tt.rows {
				t.Fatalf("%d rows, want %d", len(rows), tt.rows)
			}
			for i := 1; i < len(rows); i++ {
				var before bool // row i-1 must not come after row i
				if tt.text {
					a, b := rows[i-1].sort[tt.col], rows[i].sort[tt.col]
					if tt.col == 0 {
						a, b = rows[i-1].text[0], rows[i].text[0]
					}
					before = a <= b
					if tt.desc {
						before = a >= b
					}
				} else {
					a, b := sortNum(t, rows[i-1].sort[tt.col]), sortNum(t, rows[i].sort[tt.col])
					before = a <= b
					if tt.desc {
						before = a >= b
					}
				}
				if !before {
					t.Fatalf("rows %d and %d out of order in column %d: %v / %v", i-1, i, tt.col, rows[i-1].sort, rows[i].sort)
				}
			}
			if strings.Contains(tt.query, "pollster=") {
				for _, r := range rows {
					if r.text[0] != "Pollster 1" {
						t.Errorf("row of %s in a view of Pollster 1", r.text[0])
					}
				}
			}
		})
	}
	// The headings' links keep the view's filters and start at page 1;
	// the sorted column's link reverses it.
	page := doRequest(t, s, http.MethodGet, base+"&pollster=Pollster+1&sort=n&page=1").Body.String()
	m := regexp.MustCompile(`<th scope="col"[^>]*aria-sort="ascending"[^>]*><a class="sort" href="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the sorted column's heading has no aria-sort=ascending link")
	}
	if href := html.UnescapeString(m[1]); !strings.Contains(href, "pollster=Pollster+1") || !strings.Contains(href, "order=desc") || strings.Contains(href, "page=") {
		t.Errorf("the sorted heading links to %q", href)
	}
}

func TestPollTableBadParameters(t *testing.T) {
	s := tableServer(t)
	base := "/questions/" + bigQuestion + "?lang=en"
	tests := []struct {
		query  string
		status int
		param  string // the parameter the message names
	}{
		{"&page=0", 400, "page"},
		{"&page=-2", 400, "page"},
		{"&page=two", 400, "page"},
		{"&page=1.5", 400, "page"},
		{"&order=sideways", 400, "order"},
		{"&sort=colour", 400, "sort"},
		{"&sort=%3Cscript%3E", 400, "sort"},
		{"&page=4", 404, "page"}, // past the last page
		{"&page=999999", 404, "page"},
		{"&pollster=Pollster+1&page=2", 404, "page"}, // a filtered view has one page
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := doRequest(t, s, http.MethodGet, base+tt.query, "Accept: application/json")
			if rec.Code != tt.status {
				t.Fatalf("GET = %d, want %d: %.300s", rec.Code, tt.status, rec.Body)
			}
			var body ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("error body is not JSON: %v: %.200s", err, rec.Body)
			}
			if !strings.HasPrefix(body.Error.Message, tt.param+":") {
				t.Errorf("message %q does not name %s", body.Error.Message, tt.param)
			}
			// a reader gets the same status as an HTML page, the name escaped
			page := doRequest(t, s, http.MethodGet, base+tt.query)
			if page.Code != tt.status || !strings.Contains(page.Header().Get("Content-Type"), "text/html") {
				t.Errorf("HTML answer = %d %s", page.Code, page.Header().Get("Content-Type"))
			}
			if strings.Contains(page.Body.String(), "<script>") {
				t.Error("the error page shows the parameter unescaped")
			}
		})
	}
	// A view without polls has one, empty, page.
	rec := doRequest(t, s, http.MethodGet, base+"&pollster=Nobody")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "No polls in this view.") {
		t.Errorf("empty view = %d", rec.Code)
	}
}

func TestPollTableInStaticExport(t *testing.T) {
	s := tableServer(t)
	dir := t.TempDir()
	if _, err := s.ExportWith(dir, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	page := string(readFile(t, dir+"/en/questions/"+bigQuestion+"/index.html"))
	if rows := tableRows(t, page); len(rows) != pollsPerPage {
		t.Errorf("exported page lists %d polls, want %d", len(rows), pollsPerPage)
	}
	if len(pagerLinks(page)) != 0 || strings.Contains(page, `class="sort"`) {
		t.Error("the exported page links to pages and sort orders the export does not hold")
	}
	if !strings.Contains(page, "This copy shows the 50 newest polls") || !strings.Contains(page, `href="../../../api/v1/questions/`+bigQuestion+`/polls.csv"`) {
		t.Error("the exported page does not say where the full list is")
	}
}

// TestPollTablePart: part=polls answers with the poll table's section
// alone, the same rows and links as the whole page's (links to the page,
// not to the part), cached on its own, with the page's errors for bad
// parameters.
func TestPollTablePart(t *testing.T) {
	s := tableServer(t)
	base := "/questions/" + bigQuestion + "?lang=en"
	for _, q := range []string{"", "&page=2", "&page=3&sort=n&order=asc"} {
		page := doRequest(t, s, http.MethodGet, base+q)
		part := doRequest(t, s, http.MethodGet, base+q+"&part=polls")
		if page.Code != 200 || part.Code != 200 {
			t.Fatalf("%s: page %d, part %d", q, page.Code, part.Code)
		}
		body := part.Body.String()
		if !strings.HasPrefix(strings.TrimSpace(body), `<section id="polls-section"`) || strings.Contains(body, "<html") ||
			strings.Contains(body, "trend-data") || strings.Contains(body, "part=") {
			t.Errorf("%s: the part is not the table's section alone: %.300s", q, body)
		}
		want, got := tableRows(t, page.Body.String()), tableRows(t, body)
		if len(got) != len(want) || len(got) == 0 || got[0].raw != want[0].raw || got[len(got)-1].raw != want[len(want)-1].raw {
			t.Errorf("%s: %d rows in the part, %d on the page", q, len(got), len(want))
		}
		pageLinks := linkRE.FindAllString(page.Body.String(), -1)
		if partLinks := linkRE.FindAllString(body, -1); strings.Join(partLinks, " ") != strings.Join(pageLinks, " ") {
			t.Errorf("%s: the pager's links differ: part %v, page %v", q, partLinks, pageLinks)
		}
		if !strings.Contains(page.Body.String(), body[strings.Index(body, "<section"):strings.Index(body, "</section>")]) {
			t.Errorf("%s: the part is not the page's own section", q)
		}
		if len(body)*5 > page.Body.Len() {
			t.Errorf("%s: the part is %d bytes, the page %d: not much smaller", q, len(body), page.Body.Len())
		}
		if again := doRequest(t, s, http.MethodGet, base+q+"&part=polls", "If-None-Match: "+part.Header().Get("ETag")); again.Code != http.StatusNotModified {
			t.Errorf("%s: the part again with its ETag = %d, want 304", q, again.Code)
		}
	}
	for _, tt := range []struct {
		query  string
		status int
	}{{"&part=chart", 400}, {"&part=polls&page=4", 404}, {"&part=polls&sort=colour", 400}} {
		if rec := doRequest(t, s, http.MethodGet, base+tt.query, "Accept: application/json"); rec.Code != tt.status {
			t.Errorf("%s = %d, want %d: %.200s", tt.query, rec.Code, tt.status, rec.Body)
		}
	}
}
