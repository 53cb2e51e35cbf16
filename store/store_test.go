package store_test

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
)

// MustOpenDB opens a new database in a temporary folder and closes it at
// the end of the test.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "p.db"))
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }
	tb.Cleanup(func() { db.Close() })
	return db
}

// importText reads text as a CSV file and imports it.
func importText(tb testing.TB, db *store.DB, text string, dry bool) (*poll.Upload, error) {
	tb.Helper()
	b, err := pollcsv.Read("t.csv", strings.NewReader(text), pollcsv.Options{})
	if err != nil {
		return nil, err
	}
	return db.Import(store.ImportRequest{Batch: b, Account: "test", FileName: "t.csv", DryRun: dry})
}

const head = "question_id,poll_id,pollster,start_date,end_date,sample_size,support,oppose\n"

func TestImportCounts(t *testing.T) {
	db := MustOpenDB(t)
	file := head + "q,,A,2023-03-01,2023-03-02,1000,40,55\nq,,B,2023-03-03,2023-03-04,800,38,57\n"
	up, err := importText(t, db, file, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := up.Counts, (poll.Counts{Added: 2}); got != want {
		t.Fatalf("first import: %v, want %v", got, want)
	}
	v1 := db.Version()
	up, err = importText(t, db, file, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := up.Counts, (poll.Counts{Unchanged: 2}); got != want {
		t.Fatalf("re-import: %v, want %v", got, want)
	}
	if db.Version() != v1 {
		t.Errorf("re-import changed the data version %d → %d", v1, db.Version())
	}
	// B corrected: a new revision, the old one kept
	up, err = importText(t, db, head+"q,,A,2023-03-01,2023-03-02,1000,40,55\nq,,B,2023-03-03,2023-03-04,800,39,56\n", false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := up.Counts, (poll.Counts{Changed: 1, Unchanged: 1}); got != want {
		t.Fatalf("correction: %v, want %v", got, want)
	}
	recs, err := db.Records("q", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	b := recs[1]
	if len(b.Revisions) != 2 || b.Revisions[0].Poll.Results.Pct("support") != 38 || b.Current().Results.Pct("support") != 39 {
		t.Fatalf("revisions of B = %+v", b.Revisions)
	}
	if b.Revisions[1].UploadID != up.ID || b.Revisions[0].UploadID == up.ID {
		t.Errorf("revision uploads = %q, %q; want the second to be %q", b.Revisions[0].UploadID, b.Revisions[1].UploadID, up.ID)
	}
	if q, err := db.Question("q"); err != nil || strings.Join(q.OptionIDs(), ",") != "support,oppose" {
		t.Errorf("question created from the file: %+v, %v", q, err)
	}
}

func TestImportSamePollByPollIDOrIdentity(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := importText(t, db, head+"q,p1,A,2023-03-01,2023-03-02,1000,40,55\n", false); err != nil {
		t.Fatal(err)
	}
	// the same poll named without its poll_id: found by its identity
	up, err := importText(t, db, head+"q,,A,2023-03-01,2023-03-02,1000,41,54\n", false)
	if err != nil {
		t.Fatal(err)
	}
	if up.Counts != (poll.Counts{Changed: 1}) {
		t.Fatalf("by identity: %v, want 1 changed", up.Counts)
	}
	// the same poll_id with corrected dates: found by id
	up, err = importText(t, db, head+"q,p1,A,2023-03-01,2023-03-03,1000,41,54\n", false)
	if err != nil {
		t.Fatal(err)
	}
	if up.Counts != (poll.Counts{Changed: 1}) {
		t.Fatalf("by poll_id: %v, want 1 changed", up.Counts)
	}
	recs, _ := db.Records("q", true)
	if len(recs) != 1 || len(recs[0].Revisions) != 3 {
		t.Fatalf("records = %+v, want one poll with 3 revisions", recs)
	}
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestRejectedAndDryRunLeaveFileUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importText(t, db, head+"q,,A,2023-03-01,2023-03-02,1000,40,55\n", false); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := sum(t, path)

	// reopen (as the CLI does), try a bad file and a dry run, close
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = importText(t, db, head+"q,,A,2023-03-05,2023-03-06,1000,40,55\nq,,B,2023-03-09,2023-03-02,1000,40,55\n", false)
	if poll.ErrorCode(err) != poll.EINVALID {
		t.Fatalf("bad file: err = %v, want problems", err)
	}
	up, err := importText(t, db, head+"q,,C,2023-03-05,2023-03-06,1000,40,55\n", true)
	if err != nil || up.Counts.Added != 1 || up.ID != "" {
		t.Fatalf("dry run: %+v, %v; want 1 added and no upload id", up, err)
	}
	if n, _ := db.Polls("q"); len(n) != 1 {
		t.Fatalf("%d polls after a rejected file and a dry run, want 1", len(n))
	}
	db.Close()
	if after := sum(t, path); after != before {
		t.Fatal("the database file changed after a rejected import and a dry run")
	}
}

func TestPre1970SortsFirst(t *testing.T) {
	db := MustOpenDB(t)
	file := head + "q,,A,1970-01-05,1970-01-06,1000,40,55\nq,,A,1969-12-20,1969-12-31,1000,41,55\nq,,A,1936-10-01,1936-10-02,1000,42,55\nq,,A,2023-01-01,2023-01-02,1000,43,55\n"
	if _, err := importText(t, db, file, false); err != nil {
		t.Fatal(err)
	}
	ps, err := db.Polls("q")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.End.String())
	}
	if want := "1936-10-02,1969-12-31,1970-01-06,2023-01-02"; strings.Join(got, ",") != want {
		t.Fatalf("order = %v, want %s", got, want)
	}
}

func TestRetract(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := importText(t, db, head+"q,,A,2023-03-01,2023-03-02,1000,40,55\nq,,B,2023-03-03,2023-03-04,800,38,57\n", false); err != nil {
		t.Fatal(err)
	}
	ps, _ := db.Polls("q")
	id := ps[0].ID
	if _, err := db.Retract(id, "b", func(p string) bool { return p == "B" }); poll.ErrorCode(err) != poll.EFORBIDDEN {
		t.Fatalf("retract by another pollster: %v, want forbidden", err)
	}
	r, err := db.Retract(id, "a", func(p string) bool { return p == "A" })
	if err != nil || r.Retracted == nil || r.RetractedBy != "a" {
		t.Fatalf("retract: %+v, %v", r, err)
	}
	if ps, _ := db.Polls("q"); len(ps) != 1 || ps[0].Pollster != "B" {
		t.Fatalf("after retraction the averaged polls are %+v, want B only", ps)
	}
	if all, _ := db.Records("q", true); len(all) != 2 {
		t.Fatalf("the retracted poll left the record")
	}
	// re-importing a retracted poll does not bring it back silently
	up, err := importText(t, db, head+"q,,A,2023-03-01,2023-03-02,1000,40,55\n", false)
	if err != nil || up.Counts.Unchanged != 1 {
		t.Fatalf("re-import of the retracted poll: %+v, %v", up, err)
	}
	if ps, _ := db.Polls("q"); len(ps) != 1 {
		t.Fatal("re-import un-retracted the poll")
	}
}

func TestOpenLockedSaysWhy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = store.Open(path)
	if poll.ErrorCode(err) != poll.EUNAVAILABLE || !strings.Contains(err.Error(), "POST /api/v1/uploads") {
		t.Fatalf("second open: %v; want EUNAVAILABLE pointing to the upload API", err)
	}
}

func TestUploadsRecorded(t *testing.T) {
	db := MustOpenDB(t)
	up, err := importText(t, db, head+"q,,A,2023-03-01,2023-03-02,1000,40,55\n", false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Upload(up.ID)
	if err != nil || got.Counts.Added != 1 || got.Account != "test" || got.Format != "wide" {
		t.Fatalf("upload record %+v, %v", got, err)
	}
	if ups, _ := db.Uploads("test"); len(ups) != 1 {
		t.Fatalf("%d uploads for test", len(ups))
	}
	if ups, _ := db.Uploads("other"); len(ups) != 0 {
		t.Fatalf("%d uploads for another account", len(ups))
	}
}

func TestPollsterSpellings(t *testing.T) {
	db := MustOpenDB(t)
	if _, _, err := db.AddPollster("Gallup Korea", []string{"한국갤럽"}); err != nil {
		t.Fatal(err)
	}
	if _, err := importText(t, db, head+"q,,한국갤럽,2023-03-01,2023-03-02,1000,40,55\nq,,Media  Tomato,2023-03-03,2023-03-04,1000,41,52\n", false); err != nil {
		t.Fatal(err)
	}
	// the same polls, spelled otherwise, with corrected numbers: found, not added
	up, err := importText(t, db, head+"q,,  gallup   KOREA ,2023-03-01,2023-03-02,1000,39,56\nq,,media tomato,2023-03-03,2023-03-04,1000,42,51\n", false)
	if err != nil {
		t.Fatal(err)
	}
	if up.Counts != (poll.Counts{Changed: 2}) {
		t.Fatalf("counts %v, want 2 changed", up.Counts)
	}
	ps, _ := db.Polls("q")
	var names []string
	for _, p := range ps {
		names = append(names, p.Pollster)
	}
	if strings.Join(names, "|") != "Gallup Korea|Media Tomato" {
		t.Fatalf("pollsters stored as %q; want the account's name and the first spelling", names)
	}
	// one poll twice in one file under two names of one pollster
	_, err = importText(t, db, head+"q,,Gallup Korea,2023-04-01,2023-04-02,1000,40,55\nq,,한국갤럽,2023-04-01,2023-04-02,1000,41,55\n", false)
	if err == nil || !strings.Contains(err.Error(), `t.csv:3: duplicate row: the same poll as line 2 ("Gallup Korea" and "한국갤럽" are one pollster)`) {
		t.Fatalf("err = %v", err)
	}
}

func TestReuploadOfRetractedPollIsCounted(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := importText(t, db, head+"q,,A,2023-03-01,2023-03-02,1000,40,55\n", false); err != nil {
		t.Fatal(err)
	}
	ps, _ := db.Polls("q")
	if _, err := db.Retract(ps[0].ID, "a", nil); err != nil {
		t.Fatal(err)
	}
	up, err := importText(t, db, head+"q,,A,2023-03-01,2023-03-02,1000,41,54\n", false)
	if err != nil {
		t.Fatal(err)
	}
	if up.Counts != (poll.Counts{Changed: 1, Retracted: 1}) || !strings.Contains(up.Counts.String(), "1 of them retracted earlier") {
		t.Fatalf("counts %v (%s)", up.Counts, up.Counts)
	}
	if ps, _ := db.Polls("q"); len(ps) != 0 {
		t.Fatal("the correction brought the retracted poll back into the averages")
	}
}

func TestSnapshot(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := db.Snapshot("q"); poll.ErrorCode(err) != poll.ENOTFOUND {
		t.Fatalf("unknown question: %v", err)
	}
	if _, err := importText(t, db, head+"q,,A,2023-03-01,2023-03-02,1000,40,55\nq,,B,2023-03-03,2023-03-04,800,38,57\n", false); err != nil {
		t.Fatal(err)
	}
	ps, _ := db.Polls("q")
	if _, err := db.Retract(ps[0].ID, "op", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := importText(t, db, head+"q,,B,2023-03-03,2023-03-04,800,39,56\n", false); err != nil {
		t.Fatal(err) // a correction: B's second revision
	}
	s, err := db.Snapshot("q")
	if err != nil || s.Question.ID != "q" || len(s.Polls) != 2 || len(s.Meta) != 2 || s.Version != db.Version() || s.Version == 0 {
		t.Fatalf("snapshot %+v, %v; want both polls (one retracted) at version %d", s, err, db.Version())
	}
	if s.Meta[0].Retracted == nil || s.Meta[0].RetractedBy != "op" || s.Meta[1].Retracted != nil {
		t.Fatalf("retractions %+v", s.Meta)
	}
	recs, _ := db.Records("q", true)
	for i, r := range recs {
		if !reflect.DeepEqual(*r.Current(), s.Polls[i]) || s.Meta[i].Revisions != len(r.Revisions) ||
			!s.Meta[i].Recorded.Equal(r.Revisions[len(r.Revisions)-1].Recorded) {
			t.Errorf("poll %d: snapshot %+v %+v, record %+v", i, s.Polls[i], s.Meta[i], r)
		}
	}
	if s.Meta[1].Revisions != 2 || s.Polls[1].Results.Pct("oppose") != 56 {
		t.Errorf("the corrected poll: %+v %+v", s.Meta[1], s.Polls[1])
	}
}
