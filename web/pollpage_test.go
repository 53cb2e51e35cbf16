package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/web"
)

func TestPollPage(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	env.upload(t, env.alpha, alphaCSV, "")
	env.upload(t, env.alpha, strings.Replace(alphaCSV, ",36,58,6", ",38,56,6", 1), "")
	a1 := pollIDOf(t, env, "Alpha Research", "a1")

	rec := env.do(t, http.MethodGet, "/polls/"+a1+"?lang=en", "", "", nil)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("status %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.String()
	for _, want := range []string{
		"<h1>Alpha Research · Mar 7, 2023 – Mar 8, 2023</h1>",
		`<a href="/questions/test-q?lang=en">`,
		"<td>Daily A</td>",
		"<td>1,000</td>",
		"Online",
		"Do you support the plan?",
		`<a href="https://example.org/a1" rel="nofollow noopener noreferrer">`,
		"<td>38%</td>", // the current revision
		`<li data-revision="2"><strong>Revision 2</strong>`,
		"upload u000002",
		"account Alpha Research, file SHA-256 ",
		"<td><code>support</code></td><td>36</td><td>38</td>",
		"<td><code>oppose</code></td><td>58</td><td>56</td>",
		`<li data-revision="1"><strong>Revision 1</strong>`,
		"upload u000001",
		"First published",
		"<code>" + a1 + "</code>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("poll page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="retracted"`) {
		t.Error("a poll that counts shows a retraction notice")
	}
	if strings.Index(body, `data-revision="2"`) > strings.Index(body, `data-revision="1"`) {
		t.Error("the history is not newest first")
	}

	// in Korean, the poll uploaded under the alias (stored under the
	// account's name) with its mode as the pollster wrote it
	a2 := pollIDOf(t, env, "Alpha Research", "a2")
	if body := env.do(t, http.MethodGet, "/polls/"+a2+"?lang=en", "", "", nil).Body.String(); !strings.Contains(body, "<td>Live phone (전화면접)</td>") {
		t.Error("the English page does not give the mode with the pollster's own words")
	}
	rec = env.do(t, http.MethodGet, "/polls/"+a2+"?lang=ko", "", "", nil)
	body = rec.Body.String()
	for _, want := range []string{`lang="ko"`, "Alpha Research", "2023년 3월 14일", "개정 이력", "공개되지 않음", "1,002"} {
		if !strings.Contains(body, want) {
			t.Errorf("Korean poll page lacks %q", want)
		}
	}
}

func TestPollPage_Retracted(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	env.upload(t, env.alpha, alphaCSV, "")
	a1 := pollIDOf(t, env, "Alpha Research", "a1")
	if rec := env.do(t, http.MethodDelete, "/api/v1/polls/"+a1, env.alpha, "", nil); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	r, err := env.db.Record(a1)
	if err != nil {
		t.Fatal(err)
	}
	body := env.do(t, http.MethodGet, "/polls/"+a1+"?lang=en", "", "", nil).Body.String()
	when := r.Retracted.UTC().Format("Jan 2, 2006 15:04 UTC")
	for _, want := range []string{`id="retracted"`, "This poll was retracted on " + when + " (by Alpha Research).", "It no longer counts in any average", "poll-retracted"} {
		if !strings.Contains(body, want) {
			t.Errorf("retracted page lacks %q", want)
		}
	}
	body = env.do(t, http.MethodGet, "/polls/"+a1+"?lang=ko", "", "", nil).Body.String()
	if !strings.Contains(body, "이 조사는 ") || !strings.Contains(body, "철회되었습니다") {
		t.Error("Korean retraction notice missing")
	}
}

func TestPollPage_NotFound(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	for _, id := range []string{"0123456789abcdef", "not-an-id", "%3Cscript%3E"} {
		rec := env.do(t, http.MethodGet, "/polls/"+id, "", "", nil)
		if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: status %d %s", id, rec.Code, rec.Header().Get("Content-Type"))
		}
		if strings.Contains(rec.Body.String(), "<script>") {
			t.Errorf("%s: the id is echoed unescaped", id)
		}
	}
}

func TestPollRevisions_Shape(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	env.upload(t, env.alpha, alphaCSV, "")
	a1 := pollIDOf(t, env, "Alpha Research", "a1")
	rec := env.do(t, http.MethodGet, "/api/v1/polls/"+a1+"/revisions", "", "", nil)
	if rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	body := rec.Body.String()
	for _, want := range []string{`"poll_id":"` + a1 + `"`, `"question_id":"test-q"`, `"pollster":"Alpha Research"`,
		`"retracted":null`, `"retracted_by":""`, `"revision":1`, `"upload_id":"u000001"`, `"changes":[]`, `"url":"/polls/` + a1 + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("revisions JSON lacks %s: %s", want, body)
		}
	}
	h := decode[web.PollHistory](t, rec)
	if h.Revisions[0].Poll.Results.Pct("support") != 36 || h.Revisions[0].Poll.Pollster != "Alpha Research" {
		t.Errorf("revision poll %+v", h.Revisions[0].Poll)
	}
}
