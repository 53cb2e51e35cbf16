package pollcsv_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

// FuzzRead feeds arbitrary bytes to the reader and its validation: no
// input may panic, and every problem must carry a line number. The seed
// corpus (testdata files and the inline seeds) runs with `go test`.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.csv")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "\n", "\xef\xbb\xbf", "a,b\n", "question_id,pollster,start_date,end_date,support\n",
		"question_id,pollster,start_date,end_date,support\nq,\"unterminated,2023-01-01,2023-01-02,4\n",
		"poll_id,pollster,start_date,end_date,question_id,answer,pct\n1,A,2023-01-01,2023-01-02,q,,NaN\n",
		"question_id,pollster,start_date,end_date,support\nq,A,0001-01-01,9999-12-31,1e308\n",
		"question_id,pollster,start_date,end_date,support,oppose\nq,A,1950-01-01,1950-01-02,-0,100\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := pollcsv.Read("fuzz.csv", strings.NewReader(string(data)), pollcsv.Options{QuestionID: "q"})
		if err != nil {
			pe, ok := err.(*poll.Problems)
			if !ok {
				t.Fatalf("non-problem error %T: %v", err, err)
			}
			if len(pe.List) == 0 {
				t.Fatal("empty problem list")
			}
			return
		}
		for _, p := range b.Validate(map[string]*poll.Question{}, poll.NewDate(2026, 11, 28)) {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %+v", p)
			}
		}
	})
}
