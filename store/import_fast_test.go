package store

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

// TestNewQuestionSkipsLookups imports a file with one new and one stored
// question whose polls share pollster, dates, sample size and poll_id: the
// stored question's polls must still be found by identity and by poll_id,
// and the new question's must not be taken for them.
func TestNewQuestionSkipsLookups(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	imp := func(text string) poll.Counts {
		t.Helper()
		b, err := pollcsv.Read("t.csv", strings.NewReader(text), pollcsv.Options{})
		if err != nil {
			t.Fatal(err)
		}
		up, err := db.Import(ImportRequest{Batch: b, Account: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return up.Counts
	}
	const head = "question_id,poll_id,pollster,start_date,end_date,sample_size,support,oppose\n"
	first := head +
		"q1,,A,2023-03-01,2023-03-02,1000,40,55\n" +
		"q1,p7,B,2023-03-03,2023-03-04,800,38,57\n"
	if got, want := imp(first), (poll.Counts{Added: 2}); got != want {
		t.Fatalf("first import: %v, want %v", got, want)
	}
	second := head +
		"q1,,A,2023-03-01,2023-03-02,1000,41,54\n" + // same identity, new figures
		"q1,p7,B,2023-03-03,2023-03-05,800,38,57\n" + // same poll_id, new end date
		"q2,,A,2023-03-01,2023-03-02,1000,41,54\n" + // the same in a new question
		"q2,p7,B,2023-03-03,2023-03-05,800,38,57\n"
	if got, want := imp(second), (poll.Counts{Added: 2, Changed: 2}); got != want {
		t.Fatalf("second import: %v, want %v", got, want)
	}
	if got, want := imp(second), (poll.Counts{Unchanged: 4}); got != want {
		t.Fatalf("re-import: %v, want %v", got, want)
	}
	for q, revs := range map[string]int{"q1": 2, "q2": 1} {
		recs, err := db.Records(q, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 {
			t.Fatalf("%s: %d records, want 2", q, len(recs))
		}
		for _, r := range recs {
			if len(r.Revisions) != revs {
				t.Errorf("%s: poll %s has %d revisions, want %d", q, r.Current().ID, len(r.Revisions), revs)
			}
			if r.Current().QuestionID != q {
				t.Errorf("%s: poll %s is of question %s", q, r.Current().ID, r.Current().QuestionID)
			}
			if got, err := db.Record(r.Current().ID); err != nil || got.Current().QuestionID != q {
				t.Errorf("%s: index of poll %s: %v, %v", q, r.Current().ID, got, err)
			}
		}
	}
}
