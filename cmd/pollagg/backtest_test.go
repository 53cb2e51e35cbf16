package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestBacktestCSV_Golden runs `pollagg backtest --format csv` on 23 real
// races (testdata/backtest, a slice of data/backtest) and compares the
// bytes with the golden file; `go test ./cmd/pollagg -run Golden -update`
// rewrites it after a deliberate change.
func TestBacktestCSV_Golden(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	code, out, errs := runCmd(t, "import", "--db", db, "testdata/backtest/polls.csv", "testdata/backtest/results.csv")
	if code != 0 || !strings.Contains(out, "23 results changed") || !strings.Contains(out, "calibrated on 23 questions") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	code, got, errs := runCmd(t, "backtest", "--db", db, "--format", "csv")
	if code != 0 {
		t.Fatalf("backtest: %d %q", code, errs)
	}
	golden := "testdata/backtest/backtest.golden.csv"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("backtest CSV differs from %s (run with -update after a deliberate change)\ngot first lines:\n%s", golden, head(got, 12))
	}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	var header string
	rows := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if header == "" {
			header = l
			continue
		}
		rows++
	}
	if !strings.HasPrefix(header, "question_id,result_date,answer,method,estimate,lower,upper,actual,covered") {
		t.Fatalf("header %q", header)
	}
	// 23 races × 2 answers × (4 methods + 4 shared_error=0 variants + 1 ratings=off + 2 baselines)
	if want := 23 * 2 * 11; rows != want {
		t.Fatalf("%d rows, want %d", rows, want)
	}
}

func TestBacktestText(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	if code, _, errs := runCmd(t, "import", "--db", db, "testdata/backtest/polls.csv", "testdata/backtest/results.csv"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runCmd(t, "backtest", "--db", db, "--method", "kalman", "--method", "latest")
	if code != 0 {
		t.Fatalf("%d %q", code, errs)
	}
	for _, want := range []string{"95% coverage", "interval score", "kalman/shared_error=0", "mean-21d", "shared error learned"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "loess") {
		t.Errorf("--method kalman --method latest scored loess:\n%s", out)
	}
	if code, _, errs := runCmd(t, "backtest", "--db", db, "--method", "median"); code != 2 || !strings.Contains(errs, "median") {
		t.Errorf("bad method: %d %q", code, errs)
	}
	empty := filepath.Join(t.TempDir(), "e.db")
	runCmd(t, "import", "--db", empty, "testdata/backtest/polls.csv")
	if code, _, errs := runCmd(t, "backtest", "--db", empty); code == 0 || !strings.Contains(errs, "no question with a result") {
		t.Errorf("no results: %d %q", code, errs)
	}
}

func TestResultsImportAndQuestionSet(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	if code, _, errs := runCmd(t, "import", "--db", db, "testdata/backtest/polls.csv"); code != 0 {
		t.Fatal(errs)
	}
	res := writeFile(t, dir, "res.csv", "question_id,date,answer,pct\nr1433-1998-gov-g-al,1998-11-03,dem,60\nr1433-1998-gov-g-al,1998-11-03,rep,40\n")
	code, out, errs := runCmd(t, "import", "--db", db, res)
	if code != 0 || !strings.Contains(out, "1 results changed, 0 unchanged") {
		t.Fatalf("import results: %d %q %q", code, out, errs)
	}
	before := fileSum(t, db)
	if code, out, _ := runCmd(t, "import", "--db", db, res); code != 0 || !strings.Contains(out, "0 results changed, 1 unchanged") {
		t.Fatalf("re-import: %d %q", code, out)
	}
	if fileSum(t, db) != before {
		t.Fatal("re-importing the same results changed the database file")
	}
	bad := writeFile(t, dir, "bad.csv", "question_id,date,answer,pct\nr1433-1998-gov-g-al,1998-11-03,dem,50\nr1433-1998-gov-g-al,1998-11-03,nobody,50\nno-such-race,1998-11-03,dem,50\nr1433-1998-gov-g-al,1998-13-03,rep,50\n")
	code, _, errs = runCmd(t, "import", "--db", db, bad)
	if code != 1 {
		t.Fatalf("bad results: exit %d", code)
	}
	for _, want := range []string{bad + ":3: answer: unknown answer \"nobody\"", bad + ":4: question_id: unknown question \"no-such-race\"", bad + ":5: date:"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
	if fileSum(t, db) != before {
		t.Fatal("a refused results file changed the database")
	}
	code, out, errs = runCmd(t, "question", "set", "--db", db, "--result", "dem=55", "--result", "rep=45", "--result-date", "1998-11-03", "r1433-1998-gov-g-al")
	if code != 0 || !strings.Contains(out, "result of r1433-1998-gov-g-al on 1998-11-03 saved") || !strings.Contains(out, "calibrated on 1 questions") {
		t.Fatalf("question set --result: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, "question", "set", "--db", db, "--result", "dem=55", "r1433-1998-gov-g-al"); code != 2 || !strings.Contains(errs, "--result-date") {
		t.Fatalf("--result without a date: %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, "question", "set", "--db", db, "--result", "dem=55", "--result", "rep=35", "--result-date", "1998-11-03", "r1433-1998-gov-g-al"); code == 0 || !strings.Contains(errs, "sum to 90") {
		t.Fatalf("shares summing to 90: %d %q", code, errs)
	}
	code, out, _ = runCmd(t, "ratings", "--db", db, "--format", "csv")
	if code != 0 || !strings.Contains(out, "\npollster,questions,polls,mean_abs_error,excess_error,excess_error_se,weight,bias_dem,bias_se_dem,bias_rep,bias_se_rep\n") {
		t.Fatalf("ratings csv: %d %q", code, out)
	}
}

func head(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}
