package pollcsv_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pollagg/pollagg/pollcsv"
)

// updateGolden rewrites testdata/golden/*.golden from what the readers
// return: go test ./pollcsv -run Golden -update-golden
var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden files")

// goldenRow is one poll of a batch as golden files show it.
type goldenRow struct {
	Line       int                `json:"line"`
	ID         string             `json:"id"`
	QuestionID string             `json:"question_id"`
	Pollster   string             `json:"pollster"`
	Sponsor    string             `json:"sponsor,omitempty"`
	Start      string             `json:"start"`
	End        string             `json:"end"`
	N          int                `json:"n,omitempty"`
	Mode       string             `json:"mode,omitempty"`
	Results    map[string]float64 `json:"results"`
}

// goldenBatch is a batch as golden files show it.
type goldenBatch struct {
	Format   string      `json:"format"`
	Encoding string      `json:"encoding,omitempty"`
	Sheet    string      `json:"sheet,omitempty"`
	Lines    int         `json:"lines"`
	Labels   any         `json:"labels"`
	Rows     []goldenRow `json:"rows"`
	Problems []string    `json:"problems"`
}

func dumpBatch(b *pollcsv.Batch) goldenBatch {
	g := goldenBatch{Format: string(b.Format), Encoding: b.Encoding, Sheet: b.Sheet, Lines: b.Lines, Labels: b.Labels, Problems: []string{}}
	for _, r := range b.Rows {
		p := r.Poll
		g.Rows = append(g.Rows, goldenRow{Line: r.Line, ID: p.ID, QuestionID: p.QuestionID, Pollster: p.Pollster, Sponsor: p.Sponsor,
			Start: p.Start.String(), End: p.End.String(), N: p.SampleSize, Mode: string(p.Mode), Results: p.Results.Map()})
	}
	for _, p := range b.Problems {
		g.Problems = append(g.Problems, p.String())
	}
	sort.Strings(g.Problems)
	return g
}

// checkGolden compares v, as indented JSON, with testdata/golden/name.
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-golden to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
