package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
)

// oldDemoDB writes a database seeded as pollagg did before the demo grew:
// testdata/olddemo holds that demo's questions.json and seed files.
func oldDemoDB(t *testing.T) (string, map[string]int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b, err := os.ReadFile("testdata/olddemo/questions.json")
	if err != nil {
		t.Fatal(err)
	}
	var qs []poll.Question
	if err := json.Unmarshal(b, &qs); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for i := range qs {
		if err := db.PutQuestion(&qs[i]); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join("testdata/olddemo", qs[i].ID+".csv")
		f, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		batch, err := pollcsv.Read(name, bytes.NewReader(f), pollcsv.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(f)
		if _, err := db.Import(store.ImportRequest{Batch: batch, Account: "seed", FileName: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(f))}); err != nil {
			t.Fatal(err)
		}
		counts[qs[i].ID] = len(batch.Rows)
	}
	return path, counts
}

// TestSeedCommandOnOldDemo: on a database holding the older demo, the
// server's start names the update; `pollagg seed` adds the new polls and
// questions, revises the changed ones and removes nothing; a second run
// changes nothing.
func TestSeedCommandOnOldDemo(t *testing.T) {
	path, old := oldDemoDB(t)
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := staleDemoNotice(db, path)
	db.Close()
	if err != nil || !strings.Contains(msg, "this database holds an older demo") || !strings.Contains(msg, "pollagg seed --db "+path) {
		t.Fatalf("notice on the old demo = %q, %v", msg, err)
	}

	code, out, errs := runCmd(t, "seed", "--db", path)
	counts := regexp.MustCompile(`(\d+) added, (\d+) changed, (\d+) unchanged`).FindStringSubmatch(out)
	if code != 0 || counts == nil {
		t.Fatalf("seed: exit %d, %q %q", code, out, errs)
	}
	added, _ := strconv.Atoi(counts[1])
	changed, _ := strconv.Atoi(counts[2])
	unchanged, _ := strconv.Atoi(counts[3])

	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	shipped, _ := data.Questions()
	total := 0
	for _, q := range shipped {
		b, _ := data.Files().ReadFile("seed/" + q.ID + ".csv")
		rows := bytes.Count(b, []byte("\n")) - 1
		total += rows
		ps, err := db.Polls(q.ID)
		if err != nil || len(ps) != rows {
			t.Errorf("%s: %d polls after seed, the shipped file has %d (%v)", q.ID, len(ps), rows, err)
		}
		got, _ := db.Question(q.ID)
		if got == nil || got.TitleEn != q.TitleEn || len(got.Events) != len(q.Events) {
			t.Errorf("%s: metadata not updated: %+v", q.ID, got)
		}
	}
	// the shipped polls the old demo held are unchanged or revised; the rest are added
	kept := 0
	for id, n := range old {
		if _, err := db.Question(id); err == nil && id != "kr-yoon-approval-gallup" {
			kept += n
		}
	}
	if added+changed+unchanged != total || changed+unchanged != kept {
		t.Errorf("seed counted %d added, %d changed, %d unchanged; want %d shipped polls, %d of them already stored", added, changed, unchanged, total, kept)
	}
	// nothing removed: the old approval question keeps its polls (its links redirect)
	if ps, _ := db.Polls("kr-yoon-approval-gallup"); len(ps) != old["kr-yoon-approval-gallup"] {
		t.Errorf("old approval question has %d polls, had %d", len(ps), old["kr-yoon-approval-gallup"])
	}
	// every changed poll is a new revision beside the old one
	if r := countRevised(t, db, shipped); r != changed || changed == 0 {
		t.Errorf("%d polls have two revisions; seed said %d changed", r, changed)
	}
	if msg, err := staleDemoNotice(db, path); msg != "" || err != nil {
		t.Errorf("notice after seed = %q, %v", msg, err)
	}
	v := db.Version()
	db.Close()

	code, out, errs = runCmd(t, "seed", "--db", path)
	if code != 0 || !strings.Contains(out, " 0 added, 0 changed, "+strconv.Itoa(total)+" unchanged (questions: 0 added, 0 updated)") {
		t.Fatalf("second seed: exit %d, %q %q", code, out, errs)
	}
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Version() != v {
		t.Errorf("second seed moved the data version %d → %d", v, db.Version())
	}
}

// countRevised counts the polls of qs stored with more than one revision.
func countRevised(t *testing.T, db *store.DB, qs []poll.Question) int {
	t.Helper()
	n := 0
	for _, q := range qs {
		recs, err := db.Records(q.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if len(r.Revisions) > 1 {
				n++
			}
		}
	}
	return n
}

// TestSeedCommandFreshAndErrors: seed fills an empty database; --dry-run
// writes nothing; an argument is a usage error.
func TestSeedCommandFreshAndErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	code, out, _ := runCmd(t, "seed", "--db", path, "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run (nothing written)") || strings.Contains(out, " 0 added") {
		t.Fatalf("dry run: %d %q", code, out)
	}
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	qs, _ := db.Questions()
	db.Close()
	if len(qs) != 0 {
		t.Fatalf("dry run stored %d questions", len(qs))
	}
	if code, out, _ := runCmd(t, "seed", "--db", path); code != 0 || !strings.Contains(out, "0 changed, 0 unchanged") {
		t.Fatalf("seed of an empty database: %d %q", code, out)
	}
	if code, _, errs := runCmd(t, "seed", "--db", path, "extra"); code != 2 || !strings.Contains(errs, "seed takes no arguments") {
		t.Errorf("seed with an argument: exit %d %q", code, errs)
	}
}

// TestModeGapCommand: mode-gap prints the ARS-minus-live gap of each answer
// of the approval series with its SE, the poll counts per mode, and refuses
// bad modes and unknown questions.
func TestModeGapCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	if code, out, errs := runCmd(t, "seed", "--db", path); code != 0 {
		t.Fatalf("seed: %d %q %q", code, out, errs)
	}
	code, out, errs := runCmd(t, "mode-gap", "--db", path, "--question", "kr-yoon-approval")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || lines[0] != "answer,mode_a,mode_b,gap,se,polls_a,polls_b" {
		t.Fatalf("mode-gap: %d %q %q", code, out, errs)
	}
	for i, answer := range []string{"approve", "disapprove"} {
		f := strings.Split(lines[i+1], ",")
		gap, err1 := strconv.ParseFloat(f[3], 64)
		se, err2 := strconv.ParseFloat(f[4], 64)
		na, _ := strconv.Atoi(f[5])
		nb, _ := strconv.Atoi(f[6])
		if f[0] != answer || f[1] != "phone-live" || f[2] != "phone-ARS" || err1 != nil || err2 != nil || !(se > 0) || gap == 0 || na < 100 || nb < 40 {
			t.Errorf("line %q", lines[i+1])
		}
	}
	for _, args := range [][]string{{"--question", "kr-yoon-approval", "--a", "phone-ARS"}, {"--question", "kr-yoon-approval", "--b", "telepathy"}, {}} {
		if code, _, _ := runCmd(t, append([]string{"mode-gap", "--db", path}, args...)...); code != 2 {
			t.Errorf("mode-gap %v: exit %d, want 2", args, code)
		}
	}
	if code, _, errs := runCmd(t, "mode-gap", "--db", path, "--question", "no-such"); code != 1 || errs == "" {
		t.Errorf("unknown question: exit %d %q", code, errs)
	}
}
