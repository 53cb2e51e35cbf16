package calibrate_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/calibrate"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
)

func TestRefresh(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	polls := "poll_id,pollster,sponsor,start_date,end_date,sample_size,population,methodology,question_id,answer,pct\n" +
		"a,Alpha,,2014-10-20,2014-10-20,600,,Online,race,dem,52\na,Alpha,,2014-10-20,2014-10-20,600,,Online,race,rep,48\n" +
		"b,Beta,,2014-10-25,2014-10-25,800,,Live Phone,race,dem,49\nb,Beta,,2014-10-25,2014-10-25,800,,Live Phone,race,rep,51\n"
	b, err := pollcsv.Read("p.csv", strings.NewReader(polls), pollcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(store.ImportRequest{Batch: b, Account: "cli"}); err != nil {
		t.Fatal(err)
	}
	if did, err := calibrate.AfterImport(db, []string{"race"}); did || err != nil {
		t.Fatalf("without results: did %v, err %v", did, err)
	}
	if c, _ := db.Calibration(); c != nil {
		t.Fatalf("a calibration without results: %+v", c)
	}
	res, _ := pollcsv.ReadResults("r.csv", strings.NewReader("question_id,date,answer,pct\nrace,2014-11-04,dem,50.5\nrace,2014-11-04,rep,49.5\n"))
	if _, err := db.ImportResults(res, "cli", false); err != nil {
		t.Fatal(err)
	}
	c, err := calibrate.Refresh(db)
	if err != nil || c == nil {
		t.Fatalf("refresh: %v %v", c, err)
	}
	stored, err := db.Calibration()
	if err != nil || stored == nil || stored.Questions != 1 || stored.Polls != 2 || len(stored.Ratings) != 2 {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	if r := stored.Rating("ALPHA "); r == nil || r.Polls != 1 {
		t.Fatalf("rating of Alpha (any case): %+v", r)
	}
	v := db.Version()
	if _, err := calibrate.Refresh(db); err != nil || db.Version() != v {
		t.Fatalf("a second refresh with nothing new wrote (version %d → %d, %v)", v, db.Version(), err)
	}
	if did, err := calibrate.AfterImport(db, []string{"race"}); !did || err != nil {
		t.Fatalf("with a result: did %v, err %v", did, err)
	}
}
