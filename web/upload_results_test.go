package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web"
	"github.com/pollagg/pollagg/web/upload"
)

const testResultsCSV = "question_id,date,answer,pct\n" +
	"test-q,2023-04-01,support,38\n" +
	"test-q,2023-04-01,oppose,57\n" +
	"test-q,2023-04-01,undecided,5\n"

// resultsResponse mirrors upload.ResultsResponse.
type resultsResponse struct {
	Results struct {
		File      string   `json:"file"`
		Questions []string `json:"questions"`
		Changed   int      `json:"changed"`
		Unchanged int      `json:"unchanged"`
		DryRun    bool     `json:"dry_run"`
	} `json:"results"`
	Calibration      *upload.CalibrationSummary `json:"calibration"`
	CalibrationError string                     `json:"calibration_error"`
}

// newResultsEnv is an upload environment whose question test-q has
// Alpha's polls.
func newResultsEnv(t *testing.T) *upEnv {
	t.Helper()
	env := newUpEnv(t, web.Config{})
	t.Cleanup(env.srv.WaitCalibration) // before the database closes
	if rec := env.upload(t, env.alpha, alphaCSV, ""); rec.Code != http.StatusCreated {
		t.Fatalf("polls: %d %s", rec.Code, rec.Body)
	}
	env.srv.WaitCalibration()
	return env
}

func TestUploadResults_Operator(t *testing.T) {
	env := newResultsEnv(t)
	before := env.dbSum(t)
	rec := env.upload(t, env.admin, testResultsCSV, "?dry_run=true&file_name=results.csv")
	if rec.Code != http.StatusOK {
		t.Fatalf("dry run: %d %s", rec.Code, rec.Body)
	}
	if r := decode[resultsResponse](t, rec); !r.Results.DryRun || r.Results.Changed != 1 || r.Results.File != "results.csv" ||
		strings.Join(r.Results.Questions, ",") != "test-q" {
		t.Errorf("dry run %+v", r.Results)
	}
	if env.dbSum(t) != before {
		t.Fatal("a dry run changed the database")
	}

	rec = env.upload(t, env.admin, testResultsCSV, "?file_name=results.csv")
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	r := decode[resultsResponse](t, rec)
	if r.Results.DryRun || r.Results.Changed != 1 || r.Results.Unchanged != 0 || r.CalibrationError != "" || r.Calibration == nil {
		t.Errorf("upload %+v, calibration %+v %q", r.Results, r.Calibration, r.CalibrationError)
	}
	q, err := env.db.Question("test-q")
	if err != nil {
		t.Fatal(err)
	}
	if res := q.Result(); res == nil || res.Date != poll.NewDate(2023, 4, 1) || res.Shares["oppose"] != 57 || q.ResultHistory[0].By != "results.csv" {
		t.Fatalf("stored result %+v", q.ResultHistory)
	}
	if cal, err := env.db.Calibration(); err != nil || cal == nil {
		t.Errorf("no calibration stored after results: %v", err)
	}
	// the same file again changes nothing: 200
	ver := env.db.Version()
	rec = env.upload(t, env.admin, testResultsCSV, "")
	if r := decode[resultsResponse](t, rec); rec.Code != http.StatusOK || r.Results.Changed != 0 || r.Results.Unchanged != 1 || env.db.Version() != ver {
		t.Errorf("again: %d %+v (version %d → %d)", rec.Code, r.Results, ver, env.db.Version())
	}
	if !strings.Contains(env.log.String(), "results stored") {
		t.Error("the results upload is not in the log")
	}
}

func TestUploadResults_PollsterForbidden(t *testing.T) {
	env := newResultsEnv(t)
	before := env.dbSum(t)
	for _, q := range []string{"", "?dry_run=true"} {
		e := wantError(t, env.upload(t, env.alpha, testResultsCSV, q), http.StatusForbidden, poll.EFORBIDDEN)
		if !strings.Contains(e.Error.Message, "operator") {
			t.Errorf("message %q does not say who may", e.Error.Message)
		}
	}
	if env.dbSum(t) != before {
		t.Fatal("a refused results upload changed the database")
	}
}

func TestUploadResults_Problems(t *testing.T) {
	env := newResultsEnv(t)
	before := env.dbSum(t)
	for _, tt := range []struct {
		name, csv string
		line      int
		column    string
		text      string
	}{
		{"unknown answer", "question_id,date,answer,pct\ntest-q,2023-04-01,support,50\ntest-q,2023-04-01,nobody,50\n", 3, "answer", "nobody"},
		{"unknown question", "question_id,date,answer,pct\nno-such-q,2023-04-01,support,50\nno-such-q,2023-04-01,oppose,50\n", 2, "question_id", "no-such-q"},
		{"bad date", "question_id,date,answer,pct\ntest-q,2023-04-01,support,50\ntest-q,2023-13-01,oppose,50\n", 3, "date", ""},
		{"sum", "question_id,date,answer,pct\ntest-q,2023-04-01,support,30\ntest-q,2023-04-01,oppose,40\n", 2, "pct", "sum"},
		{"percentage", "question_id,date,answer,pct\ntest-q,2023-04-01,support,abc\n", 2, "pct", "abc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, q := range []string{"", "?dry_run=true"} {
				e := wantError(t, env.upload(t, env.admin, tt.csv, q), http.StatusUnprocessableEntity, poll.EINVALID)
				found := false
				for _, p := range e.Error.Problems {
					if p.Line != nil && *p.Line == tt.line && p.Column == tt.column && strings.Contains(p.Message, tt.text) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: problems %+v, want line %d column %s", q, e.Error.Problems, tt.line, tt.column)
				}
			}
		})
	}
	if env.dbSum(t) != before {
		t.Fatal("a refused results file changed the database")
	}
}

// A poll upload that touches a question with a result refreshes the
// calibration in the background; one that does not leaves it alone.
func TestUpload_RefreshesCalibration(t *testing.T) {
	env := newResultsEnv(t)
	if rec := env.upload(t, env.beta, strings.ReplaceAll(betaCSV, "test-q", "other-q"), ""); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	env.srv.WaitCalibration()
	if cal, err := env.db.Calibration(); err != nil || cal != nil {
		t.Fatalf("polls of a question without results stored a calibration: %+v %v", cal, err)
	}
	if rec := env.upload(t, env.admin, testResultsCSV, ""); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	if err := env.db.PutCalibration(nil); err != nil {
		t.Fatal(err)
	}
	if rec := env.upload(t, env.beta, betaCSV, ""); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	env.srv.WaitCalibration()
	if cal, err := env.db.Calibration(); err != nil || cal == nil {
		t.Fatalf("polls of a question with a result: no calibration after the upload (%v)", err)
	}
	// a dry run never refreshes
	if err := env.db.PutCalibration(nil); err != nil {
		t.Fatal(err)
	}
	if rec := env.upload(t, env.beta, strings.Replace(betaCSV, "b1,", "b7,", 1), "?dry_run=true"); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	env.srv.WaitCalibration()
	if cal, _ := env.db.Calibration(); cal != nil {
		t.Error("a dry run refreshed the calibration")
	}
}

// A retracted poll of a question with a result leaves the ratings too.
func TestRetract_RefreshesCalibration(t *testing.T) {
	env := newResultsEnv(t)
	if rec := env.upload(t, env.admin, testResultsCSV, ""); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	env.srv.WaitCalibration()
	cal, err := env.db.Calibration()
	if err != nil || cal == nil || cal.Polls != 2 {
		t.Fatalf("calibration before: %+v %v", cal, err)
	}
	a1 := pollIDOf(t, env, "Alpha Research", "a1")
	if rec := env.do(t, http.MethodDelete, "/api/v1/polls/"+a1, env.alpha, "", nil); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	env.srv.WaitCalibration()
	if cal, err = env.db.Calibration(); err != nil || cal == nil || cal.Polls != 1 {
		t.Fatalf("calibration after the retraction: %+v %v, want 1 poll", cal, err)
	}
}
