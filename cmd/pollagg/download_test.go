package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web"
)

const dlQuestion = "kr-forced-labor-plan-2023"

// dlDB writes a database seeded with the demo polls and returns its path
// (closed, so that commands can open it).
func dlDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dl.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := data.Seed(db); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// dlRun runs one pollagg command line in-process.
func dlRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// apiBody is what the server serves for target on the database at path.
func apiBody(t *testing.T, path, target string) string {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := web.NewServer(db, web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d: %s", target, rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// The command line prints exactly the API's bytes for the same parameters.
func TestDownloadCommandsPrintTheAPIsBytes(t *testing.T) {
	db := dlDB(t)
	base := "/api/v1/questions/" + dlQuestion
	tests := []struct {
		args   []string
		target string
	}{
		{[]string{"series", "--db", db, "--question", dlQuestion, "--format", "csv"}, base + "/series?format=csv"},
		{[]string{"series", "--db", db, "--question", dlQuestion}, base + "/series?format=csv"},
		{[]string{"series", "--db", db, "--question", dlQuestion, "--format", "json"}, base + "/series?format=json"},
		{[]string{"series", "--db", db, "--question", dlQuestion, "--method", "loess", "--half-life", "7", "--adjust-house=false"},
			base + "/series?format=csv&method=loess&half_life=7&adjust_house=false"},
		{[]string{"series", "--db", db, "--question", dlQuestion, "--pollster", "Realmeter", "--pollster", "Gallup Korea", "--answers", "support"},
			base + "/series?format=csv&pollster=Realmeter&pollster=Gallup+Korea&answers=support"},
		{[]string{"polls", "--db", db, "--question", dlQuestion, "--format", "csv"}, base + "/polls?format=csv"},
		{[]string{"polls", "--db", db, "--question", dlQuestion, "--include-retracted", "--format", "json"}, base + "/polls?include_retracted=true"},
		{[]string{"house-effects", "--db", db, "--question", dlQuestion, "--method", "weighted"}, base + "/house-effects?format=csv&method=weighted"},
	}
	for _, tt := range tests {
		code, out, errOut := dlRun(t, tt.args...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", tt.args, code, errOut)
			continue
		}
		if want := apiBody(t, db, tt.target); out != want {
			t.Errorf("%v: output differs from GET %s (%d and %d bytes)", tt.args, tt.target, len(out), len(want))
		}
	}
}

func TestSeriesCommandOutputLoads(t *testing.T) {
	db := dlDB(t)
	_, out, _ := dlRun(t, "series", "--db", db, "--question", dlQuestion, "--format", "csv")
	r := csv.NewReader(strings.NewReader(out))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 4 || !strings.HasPrefix(strings.Join(recs[0], ","), "date,answer,estimate,lower,upper") {
		t.Fatalf("header %v, %d records", recs[0], len(recs))
	}
	_, js, _ := dlRun(t, "series", "--db", db, "--question", dlQuestion, "--format", "json")
	var doc struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Rows) != len(recs)-1 {
		t.Errorf("JSON %d rows, CSV %d", len(doc.Rows), len(recs)-1)
	}
}

func TestDownloadCommandErrors(t *testing.T) {
	db := dlDB(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"series", "--db", db}, 2, "--question is required"},
		{[]string{"series", "--db", db, "--question", dlQuestion, "--half-life", "-3"}, 1, `--half-life: "-3" is not a number of days`},
		{[]string{"series", "--db", db, "--question", dlQuestion, "--method", "magic"}, 1, "--method:"},
		{[]string{"series", "--db", db, "--question", dlQuestion, "--format", "xlsx"}, 1, `--format: "xlsx" is not csv or json`},
		{[]string{"polls", "--db", db, "--question", "no-such-question"}, 1, `no question "no-such-question"`},
		{[]string{"series", "--db", filepath.Join(t.TempDir(), "missing.db"), "--question", dlQuestion}, 1, "no database at"},
		{[]string{"series", "--db", db, "--question", dlQuestion, "extra"}, 2, "unexpected argument"},
		{[]string{"export", "--db", db}, 2, "--out DIR is required"},
		{[]string{"export", "--db", db, "--out", t.TempDir(), "--base-url", "ftp://x"}, 2, "--base-url"},
	}
	for _, tt := range tests {
		code, out, errOut := dlRun(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tt.args, code, errOut, tt.code, tt.want)
		}
		if out != "" {
			t.Errorf("%v: printed %q on stdout", tt.args, out)
		}
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("a download created a database")
	}
}

func TestExportCommand(t *testing.T) {
	db := dlDB(t)
	out := filepath.Join(t.TempDir(), "site")
	code, stdout, stderr := dlRun(t, "export", "--db", db, "--out", out, "--base-url", "https://polls.example.org")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "exported ") || strings.Contains(stderr, "warning") {
		t.Errorf("stdout %q, stderr %q", stdout, stderr)
	}
	for _, f := range []string{"index.html", "en/index.html", "api/v1/questions/" + dlQuestion + "/series.csv", "static/style.css"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	got, err := os.ReadFile(filepath.Join(out, "api/v1/questions", dlQuestion, "polls.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if want := apiBody(t, db, "/api/v1/questions/"+dlQuestion+"/polls?format=csv"); string(got) != want {
		t.Error("the exported polls.csv is not what the API serves")
	}
	page, _ := os.ReadFile(filepath.Join(out, "api/index.html"))
	if !bytes.Contains(page, []byte("https://polls.example.org/api/v1/questions/")) {
		t.Error("--base-url is not in the API page's examples")
	}
}
