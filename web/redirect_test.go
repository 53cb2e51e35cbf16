package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestRenamedQuestionRedirects: the approval question's old id answers
// with a permanent redirect to the same URL under the new id, for pages
// and the API, query string kept; other URLs are untouched.
func TestRenamedQuestionRedirects(t *testing.T) {
	s := testServer(t, testDB(t, true))
	tests := []struct {
		method, target string
		status         int
		location       string
	}{
		{"GET", "/questions/kr-yoon-approval-gallup", 301, "/questions/kr-yoon-approval"},
		{"GET", "/questions/kr-yoon-approval-gallup?lang=ko&method=loess", 301, "/questions/kr-yoon-approval?lang=ko&method=loess"},
		{"HEAD", "/questions/kr-yoon-approval-gallup", 301, "/questions/kr-yoon-approval"},
		{"GET", "/api/v1/questions/kr-yoon-approval-gallup", 301, "/api/v1/questions/kr-yoon-approval"},
		{"GET", "/api/v1/questions/kr-yoon-approval-gallup/series?format=csv&from=2023-01-01", 301, "/api/v1/questions/kr-yoon-approval/series?format=csv&from=2023-01-01"},
		{"GET", "/api/v1/questions/kr-yoon-approval-gallup/house-effects", 301, "/api/v1/questions/kr-yoon-approval/house-effects"},
		{"POST", "/api/v1/questions/kr-yoon-approval-gallup/polls", 308, "/api/v1/questions/kr-yoon-approval/polls"},
		{"GET", "/questions/kr-yoon-approval", 200, ""},
		{"GET", "/questions/kr-yoon-approval-gallupx", 404, ""},
		{"GET", "/polls/kr-yoon-approval-gallup", 404, ""},
	}
	for _, tt := range tests {
		rec := doRequest(t, s, tt.method, tt.target)
		if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
			t.Errorf("%s %s = %d Location %q, want %d %q", tt.method, tt.target, rec.Code, rec.Header().Get("Location"), tt.status, tt.location)
		}
	}
	// the redirect lands on a page that works
	if rec := doRequest(t, s, http.MethodGet, "/api/v1/questions/kr-yoon-approval/series?format=csv"); rec.Code != 200 {
		t.Errorf("redirect target = %d", rec.Code)
	}
}

// TestRelatedQuestionsLinked: a question's page links its related
// questions, titled in the page's language, and only those the database holds.
func TestRelatedQuestionsLinked(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	q, err := db.Question(mainQuestion)
	if err != nil || len(q.Related) == 0 {
		t.Fatalf("%s: related %v (%v)", mainQuestion, q.Related, err)
	}
	linkRE := regexp.MustCompile(`<a href="/questions/([a-z0-9-]+)\?lang=(ko|en)" data-related="([a-z0-9-]+)">([^<]+)</a>`)
	for _, lang := range []string{"ko", "en"} {
		page := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang="+lang).Body.String()
		links := linkRE.FindAllStringSubmatch(page, -1)
		if len(links) != len(q.Related) {
			t.Fatalf("%s: %d related links, want %d", lang, len(links), len(q.Related))
		}
		for i, l := range links {
			r, err := db.Question(l[1])
			if err != nil || l[1] != q.Related[i] || l[2] != lang || l[4] != htmlText(r.Title(lang)) {
				t.Errorf("%s: link %v, want %s titled %q", lang, l[1:], q.Related[i], r.Title(lang))
			}
		}
	}
	// an id the database does not hold is skipped
	q.Related = append([]string{"no-such-question"}, q.Related...)
	if err := db.PutQuestion(q); err != nil {
		t.Fatal(err)
	}
	page := doRequest(t, s, http.MethodGet, "/questions/"+mainQuestion+"?lang=en").Body.String()
	if strings.Contains(page, "no-such-question") || len(linkRE.FindAllString(page, -1)) != len(q.Related)-1 {
		t.Error("a related id the database does not hold is linked")
	}
}

func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}
