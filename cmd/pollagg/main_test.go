package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/store"
)

// runCmd runs a pollagg command line in-process and returns its exit
// status, stdout and stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const longHead = "poll_id,pollster,sponsor,start_date,end_date,sample_size,population,methodology,question_id,answer,pct\n"

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	good := writeFile(t, dir, "good.csv", longHead+
		"p1,Alpha,Daily A,2023-03-07,2023-03-08,1000,a,Online,q,support,36\n"+
		"p1,Alpha,Daily A,2023-03-07,2023-03-08,1000,a,Online,q,oppose,58\n"+
		"p2,Beta,,2023-03-14,2023-03-16,1002,a,Live Phone,q,support,35\n")
	bad := writeFile(t, dir, "bad.csv", longHead+
		"b1,Gamma,,2023-03-07,2023-03-08,1000,a,Online,q,support,36\n"+
		"b1,Gamma,,2023-03-07,2023-03-08,1000,a,Online,q,oppose,abc\n"+
		"b2,Gamma,,2023-03-09,2023-03-08,1000,a,Online,q,support,40\n"+
		"b3,Gamma,,2023-03-10,2023-03-11,-5,a,Online,q,support,40\n")

	code, out, errs := runCmd(t, "import", "--db", db, good)
	if code != 0 || !strings.Contains(out, "2 added, 0 changed, 0 unchanged") {
		t.Fatalf("import good: %d %q %q", code, out, errs)
	}
	before := fileSum(t, db)
	code, out, errs = runCmd(t, "import", "--db", db, bad)
	if code != 1 {
		t.Fatalf("import bad: exit %d, want 1", code)
	}
	for _, want := range []string{
		bad + `:3: pct: "abc" is not a percentage`,
		bad + ":4: end_date: field period ends (2023-03-08) before it starts (2023-03-09)",
		bad + ":5: sample_size: must be a positive number of respondents (got -5)",
		"rejected: 3 problem(s); nothing from this file was stored",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if out != "" {
		t.Errorf("stdout after a rejected file: %q", out)
	}
	if fileSum(t, db) != before {
		t.Fatal("the database changed after a rejected import")
	}
	code, out, _ = runCmd(t, "import", "--db", db, "--dry-run", good)
	if code != 0 || !strings.Contains(out, "dry run (nothing written): 0 added, 0 changed, 2 unchanged") {
		t.Fatalf("dry run: %d %q", code, out)
	}
	code, out, _ = runCmd(t, "import", "--db", db, good)
	if code != 0 || !strings.Contains(out, "0 added, 0 changed, 2 unchanged") {
		t.Fatalf("re-import: %d %q", code, out)
	}
	if fileSum(t, db) == before {
		t.Log("re-import recorded its upload (the audit trail), as expected")
	}
}

func TestImportQuestionFlagAndKoreanFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	f := writeFile(t, dir, "ko.csv", "\ufeff조사기관,의뢰기관,조사시작일,조사종료일,표본수,조사방법,응답률,찬성,반대,모름·무응답\n한국갤럽,자체,2023.03.08,2023.03.09,1002,전화면접,9.5,35,59,6\n")
	code, out, errs := runCmd(t, "import", "--db", db, f)
	if code != 1 || !strings.Contains(errs, "no question_id column") {
		t.Fatalf("without --question: %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "import", "--db", db, "--question", "kr-plan", f)
	if code != 0 || !strings.Contains(out, "1 added") {
		t.Fatalf("with --question: %d %q %q", code, out, errs)
	}
	code, _, errs = runCmd(t, "question", "set", "--db", db, "--title-ko", "제3자 변제 해법", "--title-en", "Third-party plan",
		"--event", "2023-03-06=해법 발표/Plan announced", "kr-plan")
	if code != 0 {
		t.Fatalf("question set: %d %s", code, errs)
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q, err := s.Question("kr-plan")
	if err != nil || q.TitleKo != "제3자 변제 해법" || q.TitleEn != "Third-party plan" || len(q.Events) != 1 || q.Events[0].LabelEn != "Plan announced" {
		t.Fatalf("question = %+v, %v", q, err)
	}
	ps, _ := s.Polls("kr-plan")
	if len(ps) != 1 || ps[0].AnswerLabels["support"] != "찬성" || ps[0].Pollster != "한국갤럽" {
		t.Fatalf("polls = %+v", ps)
	}
}

func TestImportWhileDatabaseHeld(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	held, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	f := writeFile(t, dir, "f.csv", "question_id,pollster,start_date,end_date,support\nq,A,2023-03-01,2023-03-02,40\n")
	code, _, errs := runCmd(t, "import", "--db", db, f)
	if code != 1 || !strings.Contains(errs, "in use by another pollagg process") || !strings.Contains(errs, "POST /api/v1/uploads") {
		t.Fatalf("import on a held database: %d %q", code, errs)
	}
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := runCmd(t, "help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	for _, c := range []string{"import", "serve", "question set", "question list"} {
		if !strings.Contains(out, "\n  "+c+" ") {
			t.Errorf("help does not list %q:\n%s", c, out)
		}
	}
	if code, _, errs := runCmd(t, "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, "help", "frobnicate"); code != 2 || out != "" || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("help for an unknown command: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, "help", "question", "set"); code != 0 || !strings.HasPrefix(out, "usage: pollagg question set ") {
		t.Errorf("help question set: %d %q", code, out)
	}
	if code, _, errs := runCmd(t, "import", "--nope"); code != 2 || !strings.Contains(errs, "flag provided but not defined") {
		t.Errorf("bad flag: %d %q", code, errs)
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	bar := &progressBar{w: &out, total: 1000, name: "f.csv"}
	bar.Write(make([]byte, 500))
	if got := out.String(); !strings.Contains(got, "f.csv [===============               ]  50%") {
		t.Fatalf("half way: %q", got)
	}
	bar.done()
	if got := out.String(); !strings.HasSuffix(got, "f.csv [==============================] 100%\n") {
		t.Fatalf("done: %q", got)
	}
}
