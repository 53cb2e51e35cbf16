package pollcsv_test

import (
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

func TestIsResults(t *testing.T) {
	for in, want := range map[string]bool{
		"question_id,date,answer,pct\n":                 true,
		"\xEF\xBB\xBFQuestion_ID, Date ,answer,PCT\r\n": true,
		"question_id,date,answer,pct,notes\n":           false,
		"poll_id,pollster,question_id,answer,pct\n":     false,
		"": false,
	} {
		if got := pollcsv.IsResults([]byte(in)); got != want {
			t.Errorf("IsResults(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestReadResults_Problems(t *testing.T) {
	q := &poll.Question{ID: "race", Options: []poll.Option{{ID: "dem"}, {ID: "rep"}, {ID: "undecided", Undecided: true}}}
	qs := map[string]*poll.Question{"race": q}
	tests := []struct {
		name, body string
		want       []string // "LINE: column: message" fragments
	}{
		{"good", "race,2014-11-04,dem,52.5\nrace,2014-11-04,rep,47.5\n", nil},
		{"bad date", "race,2014-11-04,dem,52.5\nrace,04/11/2014x,rep,47.5\n", []string{":3: date:"}},
		{"bad share", "race,2014-11-04,dem,abc\nrace,2014-11-04,rep,147\n", []string{`:2: pct: "abc" is not a percentage`, ":3: pct: 147 is outside 0-100"}},
		{"unknown answer at its line", "race,2014-11-04,dem,50\nrace,2014-11-04,nobody,50\n", []string{`:3: answer: unknown answer "nobody"`}},
		{"unknown question", "other,2014-11-04,dem,50\nother,2014-11-04,rep,50\n", []string{`:2: question_id: unknown question "other"`}},
		{"not 100", "race,2014-11-04,dem,50\nrace,2014-11-04,rep,40\n", []string{":2: pct: the shares sum to 90%"}},
		{"twice", "race,2014-11-04,dem,50\nrace,2014-11-04,dem,50\n", []string{`:3: answer: answer "dem" of question "race" is given twice (first on line 2)`}},
		{"two dates", "race,2014-11-04,dem,50\nrace,2014-11-05,rep,50\n", []string{":3: date: question \"race\" has the date 2014-11-04 on line 2"}},
		{"empty cell", "race,,dem,50\n", []string{":2: date: is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := pollcsv.ReadResults("res.csv", strings.NewReader("question_id,date,answer,pct\n"+tt.body))
			if err != nil {
				t.Fatal(err)
			}
			probs := append(r.Problems, r.ValidateResults(qs)...)
			var got []string
			for _, p := range probs {
				got = append(got, p.String())
			}
			all := strings.Join(got, "\n")
			if len(tt.want) == 0 && len(probs) > 0 {
				t.Fatalf("unexpected problems:\n%s", all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, "res.csv"+w) {
					t.Errorf("problems lack %q:\n%s", w, all)
				}
			}
		})
	}
}

// FuzzReadResults checks that no input makes the results reader or its
// validation panic, and that every problem has a line.
func FuzzReadResults(f *testing.F) {
	for _, s := range []string{
		"question_id,date,answer,pct\nrace,2014-11-04,dem,52\nrace,2014-11-04,rep,48\n",
		"question_id,date,answer,pct\n\"race\",\"2014-11-04\",\"dem\",\"52%\"\n",
		"question_id,date,answer,pct\nrace,2014-11-04,dem\n",
		"question_id,date,answer,pct\nrace,2014-11-04,dem,NaN\nrace,x,rep,1e400\n",
		"question_id,date,answer,pct\n\x00,\xff,\"a\nb\",-1\n",
	} {
		f.Add([]byte(s))
	}
	q := &poll.Question{ID: "race", Options: []poll.Option{{ID: "dem"}, {ID: "rep"}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := pollcsv.ReadResults("f.csv", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		probs := append(r.Problems, r.ValidateResults(map[string]*poll.Question{"race": q})...)
		for _, p := range probs {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %+v", p)
			}
		}
	})
}
