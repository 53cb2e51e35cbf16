package store_test

import (
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

func TestResults_RevisionsAndSnapshot(t *testing.T) {
	db := MustOpenDB(t)
	q := &poll.Question{ID: "race", Options: []poll.Option{{ID: "dem"}, {ID: "rep"}}}
	if err := db.PutQuestion(q); err != nil {
		t.Fatal(err)
	}
	d, _ := poll.ParseDate("2014-11-04")
	first := poll.Outcome{Date: d, Shares: map[string]float64{"dem": 52, "rep": 48}}
	if changed, err := db.SetResult("race", first, "cli"); !changed || err != nil {
		t.Fatalf("first result: %v %v", changed, err)
	}
	if changed, err := db.SetResult("race", first, "cli"); changed || err != nil {
		t.Fatalf("the same result again: changed %v, %v", changed, err)
	}
	second := poll.Outcome{Date: d, Shares: map[string]float64{"dem": 51.5, "rep": 48.5}}
	if changed, err := db.SetResult("race", second, "operator"); !changed || err != nil {
		t.Fatalf("a correction: %v %v", changed, err)
	}
	if _, err := db.SetResult("race", poll.Outcome{Date: d, Shares: map[string]float64{"dem": 51.5, "green": 48.5}}, "cli"); poll.ErrorCode(err) != poll.EINVALID {
		t.Fatalf("an unknown answer: %v", err)
	}
	if _, err := db.SetResult("nope", first, "cli"); poll.ErrorCode(err) != poll.ENOTFOUND {
		t.Fatalf("an unknown question: %v", err)
	}
	// A plain put of the question (new titles) keeps its results.
	if err := db.PutQuestion(&poll.Question{ID: "race", TitleEn: "A race", Options: q.Options}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Question("race")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ResultHistory) != 2 || got.ResultHistory[0].Outcome.Shares["dem"] != 52 || got.Result().Shares["dem"] != 51.5 ||
		got.ResultHistory[1].Number != 2 || got.ResultHistory[1].By != "operator" {
		t.Fatalf("history %+v", got.ResultHistory)
	}
	c := &poll.Calibration{Questions: 1, Ratings: []poll.Rating{{Pollster: "Alpha", Weight: 0.8}}}
	if err := db.PutCalibration(c); err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot("race")
	if err != nil || snap.Calibration == nil || snap.Calibration.Ratings[0].Weight != 0.8 {
		t.Fatalf("snapshot calibration %+v, %v", snap, err)
	}
	if err := db.PutCalibration(nil); err != nil {
		t.Fatal(err)
	}
	if snap, _ = db.Snapshot("race"); snap.Calibration != nil {
		t.Fatalf("removed calibration still in the snapshot: %+v", snap.Calibration)
	}
}

func TestImportResults_DryRunAndProblems(t *testing.T) {
	db := MustOpenDB(t)
	if err := db.PutQuestion(&poll.Question{ID: "race", Options: []poll.Option{{ID: "dem"}, {ID: "rep"}}}); err != nil {
		t.Fatal(err)
	}
	read := func(body string) *pollcsv.Results {
		r, err := pollcsv.ReadResults("r.csv", strings.NewReader("question_id,date,answer,pct\n"+body))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	v := db.Version()
	counts, err := db.ImportResults(read("race,2014-11-04,dem,52\nrace,2014-11-04,rep,48\n"), "cli", true)
	if err != nil || counts.Changed != 1 || db.Version() != v {
		t.Fatalf("dry run: %+v %v (version %d → %d)", counts, err, v, db.Version())
	}
	_, err = db.ImportResults(read("race,2014-11-04,dem,52\nrace,2014-11-04,rep,38\nrace,bad,rep,1\n"), "cli", false)
	probs, ok := err.(*poll.Problems)
	if !ok || len(probs.List) != 2 || probs.List[0].Line != 2 || probs.List[1].Line != 4 {
		t.Fatalf("problems %v", err)
	}
	if db.Version() != v {
		t.Fatal("a refused file wrote")
	}
	if q, _ := db.Question("race"); q.Result() != nil {
		t.Fatalf("a refused file stored %+v", q.Result())
	}
}
