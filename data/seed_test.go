package data_test

import (
	"encoding/csv"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

// TestSeedMatchesSources checks that every poll in seed/ carries the same
// pollster, dates, sample size and percentages as the transcription in
// sources/ it was written from, and that every source poll is seeded.
func TestSeedMatchesSources(t *testing.T) {
	files := data.Files()
	type key struct{ file, pollster, start, topic string }
	want := map[key][]string{} // → sample_size, support/approve, oppose/disapprove, undecided, source_url
	srcs, _ := fs.Glob(files, "sources/*.csv")
	for _, name := range srcs {
		if strings.HasSuffix(name, "_details.csv") {
			continue
		}
		rows := readCSV(t, files, name)
		for _, r := range rows {
			pollster := r["pollster"]
			if strings.HasPrefix(pollster, "Gallup Korea") {
				pollster = "Gallup Korea"
			}
			a, b := r["support"], r["oppose"]
			if _, ok := r["approve"]; ok {
				a, b = r["approve"], r["disapprove"]
			}
			want[key{filepath.Base(name), pollster, r["start_date"], r["topic"]}] = []string{r["sample_size"], a, b, r["undecided"], r["source_url"]}
		}
	}
	sourceOf := map[string]string{
		"kr-forced-labor-plan-2023":  "kr_forced_labor_2023.csv",
		"kr-japan-summit-evaluation": "kr_yoon_kishida_summit_2023.csv",
		"jp-korea-plan-2023":         "jp_polls_kr_forced_labor_summit_2023.csv",
		"jp-summit-2023":             "jp_polls_kr_forced_labor_summit_2023.csv",
		"kr-yoon-approval-gallup":    "kr_gallup_yoon_approval.csv",
	}
	seeds, _ := fs.Glob(files, "seed/*.csv")
	seen := 0
	for _, name := range seeds {
		for _, r := range readCSV(t, files, name) {
			topic := ""
			if strings.HasPrefix(r["question_id"], "jp-") {
				topic = r["wording"]
			}
			a, b := r["support"], r["oppose"]
			if _, ok := r["approve"]; ok {
				a, b = r["approve"], r["disapprove"]
			}
			k := key{sourceOf[r["question_id"]], r["pollster"], r["start_date"], topic}
			w, ok := want[k]
			if !ok {
				t.Errorf("%s: %v has no source row", name, k)
				continue
			}
			got := []string{r["sample_size"], a, b, r["undecided"], r["source_url"]}
			if strings.Join(got, "|") != strings.Join(w, "|") {
				t.Errorf("%s: %v = %v, source says %v", name, k, got, w)
			}
			seen++
		}
	}
	// one Japanese row (Mainichi's "expect improvement") is a third question, not seeded
	if len(want)-seen != 1 {
		t.Errorf("%d source polls, %d seeded; want all but Mainichi's separate item", len(want), seen)
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
	qs, _ := db.Questions()
	if len(qs) != 5 {
		t.Fatalf("%d questions, want 5", len(qs))
	}
	ps, err := db.Polls("kr-forced-labor-plan-2023")
	if err != nil || len(ps) != 7 {
		t.Fatalf("%d polls of the plan question, want 7 (%v)", len(ps), err)
	}
	q, _ := db.Question("kr-forced-labor-plan-2023")
	if q.TitleKo == "" || q.TitleEn == "" || len(q.Events) != 2 || q.Events[0].Date != poll.NewDate(2023, 3, 6) {
		t.Errorf("question metadata not seeded: %+v", q)
	}
	var gallup *poll.Poll
	for i := range ps {
		if ps[i].Pollster == "Gallup Korea" {
			gallup = &ps[i]
		}
	}
	if gallup == nil || gallup.Results["oppose"] != 59 || gallup.Mode != poll.ModeLive || gallup.Wording == "" || gallup.SourceURL == "" {
		t.Errorf("Gallup Korea's poll = %+v", gallup)
	}
	if ps, _ := db.Polls("kr-yoon-approval-gallup"); len(ps) != 23 {
		t.Errorf("%d approval polls, want 23", len(ps))
	}
	v := db.Version()
	if seeded, err := data.Seed(db); seeded || err != nil || db.Version() != v {
		t.Errorf("second Seed = %v, %v (version %d → %d); want a no-op", seeded, err, v, db.Version())
	}
}
