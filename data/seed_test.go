package data_test

import (
	"encoding/csv"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

// sourceOf names, per seeded question, the transcription its polls come
// from (and, for the topic files, the topic).
var sourceOf = map[string][]string{
	"kr-forced-labor-plan-2023":      {"kr_forced_labor_2023.csv", "kr_japan_issue_polls_2023.csv:forced-labour-plan"},
	"kr-japan-summit-evaluation":     {"kr_yoon_kishida_summit_2023.csv"},
	"jp-korea-plan-2023":             {"jp_polls_kr_forced_labor_summit_2023.csv"},
	"jp-summit-2023":                 {"jp_polls_kr_forced_labor_summit_2023.csv"},
	"kr-yoon-approval":               {"kr_yoon_approval_polls.csv"},
	"kr-fukushima-release":           {"kr_japan_issue_polls_2023.csv:fukushima-release-oppose"},
	"kr-fukushima-worry":             {"kr_japan_issue_polls_2023.csv:fukushima-worry"},
	"kr-fukushima-govt-response":     {"kr_japan_issue_polls_2023.csv:fukushima-govt-response"},
	"kr-fukushima-japan-claim-trust": {"kr_japan_issue_polls_2023.csv:fukushima-japan-claim-trust"},
	"kr-fukushima-iaea-trust":        {"kr_japan_issue_polls_2023.csv:fukushima-iaea-trust"},
	"kr-japan-favourable":            {"kr_japan_issue_polls_2023.csv:japan-favourable"},
	"kr-japan-impression":            {"kr_japan_issue_polls_2023.csv:japan-impression"},
	"kr-jp-relations":                {"kr_japan_issue_polls_2023.csv:kr-jp-relations-good"},
}

// shortName undoes the converter's shortening of long pollster names.
var shortName = map[string]string{
	"NBS":                               "NBS (Embrain Public, Kstat Research, Korea Research, Hankook Research)",
	"KSOI":                              "KSOI (Korea Society Opinion Institute)",
	"Hankook Ilbo–Yomiuri joint survey": "Hankook Ilbo / Yomiuri joint survey (Korean fieldwork firm not named in sources read)",
}

// superseded transcriptions are kept for the record, not seeded.
var superseded = map[string]bool{"kr_gallup_yoon_approval.csv": true, "kr_forced_labor_2023_details.csv": true}

const repostMark = "REPOST: "

type srcKey struct{ file, pollster, start, topic string }

// TestSeedMatchesSources checks that every seeded poll carries the
// pollster, dates, sample size, response rate, percentages, source URL and
// notes of the transcription it was written from, that every poll has a
// source URL, and that every source poll of a topic with two or more polls
// is seeded.
func TestSeedMatchesSources(t *testing.T) {
	files := data.Files()
	want := map[srcKey]map[string]string{}
	topicRows := map[string]int{}
	srcs, _ := fs.Glob(files, "sources/*.csv")
	for _, name := range srcs {
		base := path.Base(name)
		if superseded[base] {
			continue
		}
		for _, r := range readCSV(t, files, name) {
			k := srcKey{base, r["pollster"], r["start_date"], r["topic"]}
			if _, dup := want[k]; dup {
				t.Fatalf("%s: two source rows %v", name, k)
			}
			want[k] = r
			topicRows[base+":"+r["topic"]]++
		}
	}
	seeds, _ := fs.Glob(files, "seed/*.csv")
	seen := map[srcKey]bool{}
	for _, name := range seeds {
		qid := strings.TrimSuffix(path.Base(name), ".csv")
		from, ok := sourceOf[qid]
		if !ok {
			t.Errorf("%s: no source named for question %s", name, qid)
			continue
		}
		for i, r := range readCSV(t, files, name) {
			where := name + ":" + strconv.Itoa(i+2)
			if r["question_id"] != qid {
				t.Errorf("%s: question_id %q in %s", where, r["question_id"], name)
			}
			if u := r["source_url"]; !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
				t.Errorf("%s: source_url %q is not an http(s) address", where, u)
			}
			pollster := r["pollster"]
			if full, ok := shortName[pollster]; ok {
				pollster = full
				if !strings.Contains(r["notes"], "pollster as the source names it: "+full) {
					t.Errorf("%s: %s shortened without naming %q in the notes", where, r["pollster"], full)
				}
			}
			if strings.HasPrefix(pollster, "Gallup Korea") && qid == "kr-yoon-approval" {
				pollster = "Gallup Korea"
			}
			var src map[string]string
			var k srcKey
			for _, f := range from {
				file, topic, _ := strings.Cut(f, ":")
				if qid == "jp-korea-plan-2023" || qid == "jp-summit-2023" {
					topic = r["wording"]
				}
				k = srcKey{file, pollster, r["start_date"], topic}
				if src = want[k]; src != nil {
					break
				}
			}
			if src == nil {
				t.Errorf("%s: %s %s has no source row in %v", where, pollster, r["start_date"], from)
				continue
			}
			seen[k] = true
			checkRow(t, where, qid, r, src)
		}
	}
	for k := range want {
		if !seen[k] && topicRows[k.file+":"+k.topic] >= 2 && k.file != "jp_polls_kr_forced_labor_summit_2023.csv" {
			t.Errorf("source poll %v is not seeded", k)
		}
	}
	// Japanese rows: all but Mainichi's "expect improvement" item (a third question).
	jp := 0
	for k := range want {
		if k.file == "jp_polls_kr_forced_labor_summit_2023.csv" && !seen[k] {
			jp++
		}
	}
	if jp != 1 {
		t.Errorf("%d Japanese source rows not seeded; want only Mainichi's separate item", jp)
	}
	// single-poll topics stay out of the demo
	for k := range seen {
		if k.topic != "" && k.file == "kr_japan_issue_polls_2023.csv" && topicRows[k.file+":"+k.topic] < 2 {
			t.Errorf("single-poll topic %s is seeded", k.topic)
		}
	}
}

// checkRow compares one seeded row with its source row.
func checkRow(t *testing.T, where, qid string, r, src map[string]string) {
	t.Helper()
	a, b := "support", "oppose"
	if qid == "kr-yoon-approval" {
		a, b = "approve", "disapprove"
	}
	for _, f := range []string{"end_date", "sample_size", "response_rate", "source_url", a, b} {
		if r[f] != src[f] {
			t.Errorf("%s: %s = %q, source says %q", where, f, r[f], src[f])
		}
	}
	if r["undecided"] != src["undecided"] {
		t.Errorf("%s: undecided = %q, source says %q", where, r["undecided"], src["undecided"])
	}
	if s, ok := src["sponsor"]; ok && r["sponsor"] != s {
		t.Errorf("%s: sponsor = %q, source says %q", where, r["sponsor"], s)
	}
	// The mode as printed stays in the mode text; a blank one is marked as the pollster's standard method.
	switch m := src["mode"]; {
	case m != "" && !strings.Contains(r["mode"], m):
		t.Errorf("%s: mode %q lost the source's %q", where, r["mode"], m)
	case m == "" && r["mode"] != "" && !strings.Contains(r["mode"], "standard method; this report does not print the mode"):
		t.Errorf("%s: mode %q is not in the source and not marked as the pollster's standard method", where, r["mode"])
	}
	// Notes and wording keep the source's text whole, doubts included.
	if n := src["notes"]; !strings.HasSuffix(r["notes"], n) {
		t.Errorf("%s: notes %q do not end with the source's %q", where, r["notes"], n)
	}
	if w := src["wording"]; w != "" && !strings.HasSuffix(r["wording"], w) {
		t.Errorf("%s: wording %q does not end with the source's %q", where, r["wording"], w)
	}
	// A record that rests on a repost says so.
	own, _, _ := strings.Cut(src["notes"], "other report(s) read:")
	if lower := strings.ToLower(own); (strings.HasPrefix(lower, "forum repost") || strings.HasPrefix(lower, "blog") ||
		strings.HasPrefix(lower, "mirror") || strings.Contains(lower, "low-quality source") || strings.Contains(lower, "list teaser") ||
		strings.Contains(src["source_url"], "theyouthdream.com") || strings.Contains(src["source_url"], "news.zumst.com")) &&
		!strings.HasPrefix(r["notes"], repostMark) {
		t.Errorf("%s: the source is a repost (%q) but the notes do not say so", where, own)
	}
	if strings.Contains(src["sponsor"], "Yomiuri") && qid == "kr-forced-labor-plan-2023" && !strings.HasPrefix(r["wording"], "EVALUATION, not support") {
		t.Errorf("%s: the joint survey's wording does not say it asks for an evaluation: %q", where, r["wording"])
	}
}

// TestQuestionsAndGroups checks that every shipped question has a seed file,
// titles in both languages and valid options, that related questions and
// groups name shipped questions, and that a renamed id points at one.
func TestQuestionsAndGroups(t *testing.T) {
	qs, err := data.Questions()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, q := range qs {
		ids[q.ID] = true
	}
	for _, q := range qs {
		if q.TitleKo == "" || q.TitleEn == "" || q.Notes == "" || q.NotesKo == "" {
			t.Errorf("%s: titles and notes are needed in both languages", q.ID)
		}
		if err := q.Validate(); err != nil {
			t.Errorf("%s: %v", q.ID, err)
		}
		if _, err := fs.Stat(data.Files(), "seed/"+q.ID+".csv"); err != nil {
			t.Errorf("%s: no seed file: %v", q.ID, err)
		}
		if len(q.Related) == 0 {
			t.Errorf("%s: no related questions", q.ID)
		}
		for _, r := range q.Related {
			if !ids[r] || r == q.ID {
				t.Errorf("%s: related %q is not another shipped question", q.ID, r)
			}
		}
	}
	groups, err := data.Groups()
	if err != nil {
		t.Fatal(err)
	}
	grouped := map[string]bool{}
	for _, g := range groups {
		if g.Title("ko") == g.Title("en") || g.Lede("ko") == "" || g.Lede("en") == "" {
			t.Errorf("group %s needs a title and lede in each language", g.ID)
		}
		for _, id := range g.Questions {
			if !ids[id] || grouped[id] {
				t.Errorf("group %s: %q is not a shipped question or is grouped twice", g.ID, id)
			}
			grouped[id] = true
		}
	}
	if len(grouped) != len(ids) {
		t.Errorf("%d of %d shipped questions are grouped", len(grouped), len(ids))
	}
	if groups[0].Questions[0] != "kr-forced-labor-plan-2023" {
		t.Errorf("the first card is %s, want the flagship kr-forced-labor-plan-2023", groups[0].Questions[0])
	}
	renamed, err := data.Renamed()
	if err != nil {
		t.Fatal(err)
	}
	if renamed["kr-yoon-approval-gallup"] != "kr-yoon-approval" {
		t.Errorf("renamed = %v", renamed)
	}
	for from, to := range renamed {
		if ids[from] || !ids[to] {
			t.Errorf("renamed %s → %s: the old id must be gone and the new one shipped", from, to)
		}
	}
}

func readCSV(t *testing.T, fsys fs.FS, name string) []map[string]string {
	t.Helper()
	f, err := fsys.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// TestSeed checks that a fresh database holds every shipped question with
// the polls of its seed file, the metadata of questions.json, and that a
// second Seed and an Update change nothing.
func TestSeed(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seeded, err := data.Seed(db)
	if err != nil || !seeded {
		t.Fatalf("Seed = %v, %v", seeded, err)
	}
	shipped, _ := data.Questions()
	stored, _ := db.Questions()
	if len(stored) != len(shipped) {
		t.Fatalf("%d questions stored, %d shipped", len(stored), len(shipped))
	}
	for _, q := range shipped {
		rows := readCSV(t, data.Files(), "seed/"+q.ID+".csv")
		ps, err := db.Polls(q.ID)
		if err != nil || len(ps) != len(rows) {
			t.Errorf("%s: %d polls stored, seed file has %d (%v)", q.ID, len(ps), len(rows), err)
		}
		got, _ := db.Question(q.ID)
		if got == nil || got.TitleKo != q.TitleKo || len(got.Events) != len(q.Events) || strings.Join(got.Related, ",") != strings.Join(q.Related, ",") {
			t.Errorf("%s: metadata not seeded: %+v", q.ID, got)
		}
	}
	// The demo's two long series, as the sources describe them.
	ps, _ := db.Polls("kr-yoon-approval")
	pollsters := map[string]int{}
	modes := map[poll.Mode]int{}
	for _, p := range ps {
		pollsters[p.Pollster]++
		modes[p.Mode]++
	}
	if len(ps) != 179 || len(pollsters) != 7 || pollsters["Gallup Korea"] != 88 || pollsters["Realmeter"] != 49 || pollsters["NBS"] != 30 {
		t.Errorf("kr-yoon-approval: %d polls by %v; want 179 by 7 pollsters (Gallup 88, Realmeter 49, NBS 30)", len(ps), pollsters)
	}
	if modes[poll.ModeARS] < 50 || modes[poll.ModeLive] < 120 {
		t.Errorf("kr-yoon-approval modes %v: want Realmeter's ARS and the interviewers' polls placed", modes)
	}
	plan, _ := db.Polls("kr-forced-labor-plan-2023")
	first, last := plan[0].Start, plan[0].End
	for _, p := range plan {
		first, last = min(first, p.Start), max(last, p.End)
	}
	if len(plan) != 10 || first != poll.NewDate(2023, 3, 6) || last != poll.NewDate(2024, 5, 26) {
		t.Errorf("plan question: %d polls %v – %v; want 10 from 2023-03-06 to 2024-05-26", len(plan), first, last)
	}
	v := db.Version()
	if seeded, err := data.Seed(db); seeded || err != nil || db.Version() != v {
		t.Errorf("second Seed = %v, %v (version %d → %d); want a no-op", seeded, err, v, db.Version())
	}
	rep, err := data.Update(db)
	if err != nil || !rep.Current() || db.Version() != v {
		t.Errorf("Update of a freshly seeded database = %v, %v (version %d → %d); want nothing to do", rep, err, v, db.Version())
	}
}
