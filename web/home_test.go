package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// TestIndexGroups: the demo's questions come in their groups, titled in the
// page's language; a question of the operator's own comes after them under
// "Other questions"; a renamed demo question (an older database's copy) is
// not listed, since its page redirects.
func TestIndexGroups(t *testing.T) {
	db := testDB(t, true)
	for _, id := range []string{"my-own-question", "kr-yoon-approval-gallup"} {
		q := &poll.Question{ID: id, TitleEn: "Own " + id, Options: []poll.Option{{ID: "approve"}, {ID: "disapprove"}}}
		if err := db.PutQuestion(q); err != nil {
			t.Fatal(err)
		}
	}
	s := testServer(t, db)
	groupRE := regexp.MustCompile(`<section class="question-group" data-group="([a-z]+)"`)
	for _, tt := range []struct{ lang, title, other string }{
		{"en", "The plan and the summits", "Other questions"},
		{"ko", "강제징용 해법과 한일 정상회담", "그 밖의 질문"},
	} {
		page := doRequest(t, s, http.MethodGet, "/?lang="+tt.lang).Body.String()
		var groups []string
		for _, m := range groupRE.FindAllStringSubmatch(page, -1) {
			groups = append(groups, m[1])
		}
		if got := strings.Join(groups, ","); got != "plan,japan,approval,other" {
			t.Errorf("%s: groups %s", tt.lang, got)
		}
		for _, w := range []string{tt.title, tt.other, `data-question="my-own-question"`, `class="question-card flagship" data-question="kr-forced-labor-plan-2023"`} {
			if !strings.Contains(page, w) {
				t.Errorf("%s: index lacks %q", tt.lang, w)
			}
		}
		if strings.Contains(page, `data-question="kr-yoon-approval-gallup"`) {
			t.Errorf("%s: the renamed question is listed", tt.lang)
		}
		if i, j := strings.Index(page, `data-question="kr-yoon-approval"`), strings.Index(page, `data-question="my-own-question"`); i < 0 || j < i {
			t.Errorf("%s: the operator's question is not after the demo's", tt.lang)
		}
	}
}

// TestRepostSaysSoOnPollPage: a seeded poll whose record rests on a repost
// says so on its own page, with the source's doubts, escaped.
func TestRepostSaysSoOnPollPage(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	ps, err := db.Polls("kr-yoon-approval")
	if err != nil {
		t.Fatal(err)
	}
	reposts := 0
	for _, p := range ps {
		if !strings.HasPrefix(p.Notes, "REPOST: ") {
			continue
		}
		reposts++
		page := doRequest(t, s, http.MethodGet, "/polls/"+p.ID+"?lang=en").Body.String()
		if !strings.Contains(page, htmlText(p.Notes)) || !strings.Contains(page, "REPOST: this record rests") {
			t.Errorf("poll %s (%s %s): the page does not show its repost note", p.ID, p.Pollster, p.End)
		}
	}
	if reposts < 20 {
		t.Errorf("%d approval polls marked as reposts; the sources name about two dozen", reposts)
	}
}

// TestModeGapOnPage: the approval page gives the ARS-minus-live gap of each
// answer from the average's own fit, which for the demo's options is what
// poll.ModeGaps (and `pollagg mode-gap`) computes; a question without ARS
// polls has none.
func TestModeGapOnPage(t *testing.T) {
	db := testDB(t, true)
	s := testServer(t, db)
	q, _ := db.Question("kr-yoon-approval")
	ps, _ := db.Polls("kr-yoon-approval")
	gaps, err := poll.ModeGaps(q, ps, poll.DefaultOptions(), poll.ModeLive, poll.ModeARS)
	if err != nil || len(gaps) != 2 {
		t.Fatalf("ModeGaps = %v, %v", gaps, err)
	}
	page := doRequest(t, s, http.MethodGet, "/questions/kr-yoon-approval?lang=en").Body.String()
	line := regexp.MustCompile(`<p class="mode-gap" id="mode-gap">[^\n]*</p>`).FindString(page)
	for _, g := range gaps {
		o, _ := q.Option(g.Option)
		w := o.Label("en") + " <strong>" + htmlText(effectCell{Effect: g.Gap, OK: true}.Signed()) + "</strong> (" + site.FormatNum(g.SE, 1) + ")"
		if !strings.Contains(line, strings.ReplaceAll(w, "+", "&#43;")) {
			t.Errorf("mode gap line %q lacks %q", line, w)
		}
	}
	if page := doRequest(t, s, http.MethodGet, "/questions/kr-japan-favourable?lang=en").Body.String(); strings.Contains(page, `id="mode-gap"`) {
		t.Error("a question without ARS polls shows a mode gap")
	}
}
