package pollcsv_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

var today = poll.NewDate(2026, 11, 28)

// read reads text and returns the batch and every problem (Read's and
// Validate's), as FILE:LINE: column: message strings.
func read(t *testing.T, text string, opt pollcsv.Options) (*pollcsv.Batch, []string) {
	t.Helper()
	b, err := pollcsv.Read("f.csv", strings.NewReader(text), opt)
	var probs []poll.Problem
	if err != nil {
		var pe *poll.Problems
		if !errors.As(err, &pe) {
			t.Fatalf("Read: unexpected error type %T: %v", err, err)
		}
		probs = pe.List
	} else {
		probs = b.Validate(map[string]*poll.Question{}, today)
	}
	out := make([]string, len(probs))
	for i, p := range probs {
		out[i] = p.String()
	}
	return b, out
}

func TestReadFormats(t *testing.T) {
	tests := []struct {
		file     string
		opt      pollcsv.Options
		format   pollcsv.Format
		polls    int
		options  []string
		first    poll.Poll
		firstPct map[string]float64
	}{
		{
			file: "wide.csv", format: pollcsv.FormatWide, polls: 2,
			options:  []string{"support", "oppose", "undecided"},
			first:    poll.Poll{QuestionID: "kr-plan", Pollster: "Gallup Korea", Sponsor: "self", Start: poll.NewDate(2023, 3, 8), End: poll.NewDate(2023, 3, 9), SampleSize: 1002, Mode: poll.ModeLive},
			firstPct: map[string]float64{"support": 35, "oppose": 59, "undecided": 6},
		},
		{
			file: "korean.csv", opt: pollcsv.Options{QuestionID: "kr-plan"}, format: pollcsv.FormatWideKo, polls: 2,
			options:  []string{"support", "oppose", "undecided"},
			first:    poll.Poll{QuestionID: "kr-plan", Pollster: "한국갤럽", Sponsor: "자체", Start: poll.NewDate(2023, 3, 8), End: poll.NewDate(2023, 3, 9), SampleSize: 1002, Mode: poll.ModeLive},
			firstPct: map[string]float64{"support": 35, "oppose": 59, "undecided": 6},
		},
		{
			file: "long.csv", format: pollcsv.FormatLong, polls: 3,
			options:  []string{"support", "oppose", "undecided"},
			first:    poll.Poll{QuestionID: "contract-q", ExternalID: "p1", Pollster: "Alpha Research", Sponsor: "Daily A", Start: poll.NewDate(2023, 3, 7), End: poll.NewDate(2023, 3, 8), SampleSize: 1000, Population: "a", Mode: poll.ModeOnline},
			firstPct: map[string]float64{"support": 36, "oppose": 58, "undecided": 6},
		},
		{
			file: "long_extra.csv", format: pollcsv.FormatLong, polls: 1,
			options:  []string{"support", "oppose"},
			first:    poll.Poll{QuestionID: "support-the-plan", ExternalID: "7", Pollster: "Alpha", Start: poll.NewDate(2023, 3, 7), End: poll.NewDate(2023, 3, 8), SampleSize: 1000, Population: "a", Mode: poll.ModeMixed},
			firstPct: map[string]float64{"support": 36, "oppose": 58},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			b, err := pollcsv.Read(tt.file, f, tt.opt)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if probs := b.Validate(nil, today); len(probs) > 0 {
				t.Fatalf("Validate: %v", probs)
			}
			if b.Format != tt.format {
				t.Errorf("Format = %q, want %q", b.Format, tt.format)
			}
			if len(b.Rows) != tt.polls {
				t.Fatalf("%d polls, want %d", len(b.Rows), tt.polls)
			}
			var ids []string
			for _, o := range b.Options[tt.first.QuestionID] {
				ids = append(ids, o.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.options, ",") {
				t.Errorf("options = %v, want %v", ids, tt.options)
			}
			got := b.Rows[0].Poll
			w := tt.first
			if got.QuestionID != w.QuestionID || got.ExternalID != w.ExternalID || got.Pollster != w.Pollster || got.Sponsor != w.Sponsor ||
				got.Start != w.Start || got.End != w.End || got.SampleSize != w.SampleSize || got.Mode != w.Mode || got.Population != w.Population {
				t.Errorf("first poll = %+v\nwant %+v", got, w)
			}
			if len(got.Results) != len(tt.firstPct) {
				t.Errorf("results = %v, want %v", got.Results, tt.firstPct)
			}
			for k, v := range tt.firstPct {
				if got.Results.Pct(k) != v {
					t.Errorf("results[%s] = %v, want %v", k, got.Results.Pct(k), v)
				}
			}
			if got.ID == "" || got.ID != poll.PollID(&got) {
				t.Errorf("ID = %q, want PollID %q", got.ID, poll.PollID(&got))
			}
		})
	}
}

func TestReadWideDetails(t *testing.T) {
	f, _ := os.ReadFile("testdata/wide.csv")
	b, probs := read(t, string(f), pollcsv.Options{})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	g := b.Rows[0].Poll
	if g.ResponseRate == nil || *g.ResponseRate != 9.5 || g.MarginOfError == nil || *g.MarginOfError != 3.1 {
		t.Errorf("response rate %v, margin %v; want 9.5 and 3.1", g.ResponseRate, g.MarginOfError)
	}
	r := b.Rows[1].Poll
	if r.SampleSize != 1006 || r.Start != poll.NewDate(2023, 3, 7) || r.Mode != poll.ModeARS || *r.ResponseRate != 2.6 {
		t.Errorf("second poll = %+v", r)
	}
	if _, ok := r.Results.Get("undecided"); ok {
		t.Errorf("blank undecided was stored as %v; a blank cell means not reported", r.Results.Pct("undecided"))
	}
	if c, _ := b.Cell(1, "oppose"); c.Line != 3 || c.Column != "oppose" || c.Col != 12 {
		t.Errorf("cell of oppose = %+v, want line 3, column oppose (12)", c)
	}
}

// TestMalformed checks that each kind of bad input is rejected with a
// specific message at its line and, where it has one, its column.
func TestMalformed(t *testing.T) {
	const head = "question_id,pollster,start_date,end_date,sample_size,support,oppose\n"
	const good = "q,A,2023-03-01,2023-03-02,1000,40,55\n"
	tests := []struct {
		name string
		text string
		opt  pollcsv.Options
		want []string // each a substring of one problem, in order
	}{
		{"empty file", "", pollcsv.Options{}, []string{"f.csv:1: file is empty"}},
		{"semicolons", "question_id;pollster;start_date;end_date;support\nq;A;2023-03-01;2023-03-02;40\n", pollcsv.Options{},
			[]string{"f.csv:1: the header is one column: the file seems separated by semicolons; save it comma-separated (CSV)"}},
		{"header only", head, pollcsv.Options{}, []string{"f.csv:2: no polls: the file has a header but no rows"}},
		{"missing column", "question_id,pollster,start_date,support,oppose\nq,A,2023-03-01,40,55\n", pollcsv.Options{},
			[]string{`f.csv:1: missing required column "end_date"`}},
		{"no question", "pollster,start_date,end_date,support\nA,2023-03-01,2023-03-02,40\n", pollcsv.Options{},
			[]string{"f.csv:1: no question_id column"}},
		{"no answers", "question_id,pollster,start_date,end_date\nq,A,2023-03-01,2023-03-02\n", pollcsv.Options{},
			[]string{"f.csv:1: no answer columns"}},
		{"duplicate header", "question_id,pollster,start_date,end_date,support,Support\nq,A,2023-03-01,2023-03-02,40,41\n", pollcsv.Options{},
			[]string{"f.csv:1: Support: column 6 repeats column 5"}},
		{"bad date", head + good + "q,A,2023-02-30,2023-03-02,1000,40,55\n", pollcsv.Options{},
			[]string{"f.csv:3: start_date: \"2023-02-30\": day 30 out of range for 2023-02"}},
		{"not a date", head + "q,A,yesterday,2023-03-02,1000,40,55\n", pollcsv.Options{},
			[]string{`f.csv:2: start_date: "yesterday" is not a date`}},
		{"not a number", head + "q,A,2023-03-01,2023-03-02,1000,forty,55\n", pollcsv.Options{},
			[]string{`f.csv:2: support: "forty" is not a percentage`}},
		{"sample size zero", head + "q,A,2023-03-01,2023-03-02,0,40,55\n", pollcsv.Options{},
			[]string{"f.csv:2: sample_size: must be a positive number of respondents (got 0)"}},
		{"sample size text", head + "q,A,2023-03-01,2023-03-02,many,40,55\n", pollcsv.Options{},
			[]string{`f.csv:2: sample_size: "many" is not a whole number`}},
		{"end before start", head + "q,A,2023-03-05,2023-03-02,1000,40,55\n", pollcsv.Options{},
			[]string{"f.csv:2: end_date: field period ends (2023-03-02) before it starts (2023-03-05)"}},
		{"future", head + "q,A,2027-01-01,2027-01-02,1000,40,55\n", pollcsv.Options{},
			[]string{"f.csv:2: end_date: 2027-01-02 is in the future"}},
		{"percent out of range", head + "q,A,2023-03-01,2023-03-02,1000,140,55\n", pollcsv.Options{},
			[]string{"f.csv:2: support: percentage 140 is outside 0-100"}},
		{"sum past 100", head + "q,A,2023-03-01,2023-03-02,1000,60,55\n", pollcsv.Options{},
			[]string{"f.csv:2: results: answers sum to 115%"}},
		{"duplicate rows", head + good + good, pollcsv.Options{},
			[]string{"f.csv:3: duplicate row: the same poll (pollster, dates, sample size) is already on line 2"}},
		{"wrong field count", head + "q,A,2023-03-01,2023-03-02,1000,40\n" + good, pollcsv.Options{},
			[]string{"f.csv:2: wrong number of fields"}},
		{"bad url", "question_id,pollster,start_date,end_date,source_url,support\nq,A,2023-03-01,2023-03-02,javascript:alert(1),40\n", pollcsv.Options{},
			[]string{`f.csv:2: source_url: "javascript:alert(1)" is not an http or https address`}},
		{"other question", head + good, pollcsv.Options{QuestionID: "other"},
			[]string{`f.csv:2: question_id: row names question "q" but the file is imported as "other"`}},
		{"wrong encoding", head + "q,\xb0\xa1\xff\xaa,2023-03-01,2023-03-02,1000,40,55\n", pollcsv.Options{},
			[]string{"f.csv:2: file is not UTF-8 text"}},
		{"every problem, not only the first", head + "q,A,2023-03-01,2023-03-02,1000,x,55\nq,B,2023-03-09,2023-03-02,1000,40,55\nq,C,2023-03-01,2023-03-02,-5,40,55\n", pollcsv.Options{},
			[]string{"f.csv:2: support", "f.csv:3: end_date", "f.csv:4: sample_size"}},
		{"quoted newline keeps physical lines", head + "q,\"A\nB\",2023-03-01,2023-03-02,1000,40,55\nq,C,2023-03-01,2023-03-02,1000,x,55\n", pollcsv.Options{},
			[]string{`f.csv:4: support: "x" is not a percentage`}},
		{"long: duplicate answer", "poll_id,pollster,start_date,end_date,sample_size,question_id,answer,pct\n1,A,2023-03-01,2023-03-02,1000,q,support,40\n1,A,2023-03-01,2023-03-02,1000,q,support,41\n", pollcsv.Options{},
			[]string{`f.csv:3: answer: duplicate row: answer "support" of this poll is already on line 2`}},
		{"long: inconsistent poll", "poll_id,pollster,start_date,end_date,sample_size,question_id,answer,pct\n1,A,2023-03-01,2023-03-02,1000,q,support,40\n1,A,2023-03-01,2023-03-03,1000,q,oppose,41\n", pollcsv.Options{},
			[]string{`f.csv:3: poll_id: poll_id "1" is given for two field periods: 2023-03-01 to 2023-03-02 on line 2 and 2023-03-01 to 2023-03-03 on line 3`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := read(t, tt.text, tt.opt)
			if len(probs) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(probs), len(tt.want), strings.Join(probs, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(probs[i], w) {
					t.Errorf("problem %d = %q\nwant it to contain %q", i, probs[i], w)
				}
			}
		})
	}
}

func TestLongLine(t *testing.T) {
	line := "question_id,pollster,start_date,end_date,support\nq,A,2023-03-01,2023-03-02," + strings.Repeat("9", 10<<20) + "\n"
	_, probs := read(t, line, pollcsv.Options{})
	if len(probs) != 1 || !strings.Contains(probs[0], "f.csv:2: line is longer than 1048576 bytes") {
		t.Fatalf("problems = %v", probs)
	}
}

func TestUnknownAnswerForKnownQuestion(t *testing.T) {
	b, err := pollcsv.Read("f.csv", strings.NewReader("question_id,pollster,start_date,end_date,support,maybe\nq,A,2023-03-01,2023-03-02,40,10\n"), pollcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}}}
	probs := b.Validate(map[string]*poll.Question{"q": q}, today)
	if len(probs) != 1 || probs[0].String() != `f.csv:2: maybe: unknown answer "maybe": question "q" has options support, oppose` {
		t.Fatalf("problems = %v", probs)
	}
}

func TestProblemsCapped(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("question_id,pollster,start_date,end_date,support\n")
	for i := 0; i < 1000; i++ {
		buf.WriteString("q,A,bad,2023-03-02,40\n")
	}
	_, probs := read(t, buf.String(), pollcsv.Options{})
	if len(probs) != pollcsv.MaxProblems {
		t.Fatalf("%d problems, want the cap %d", len(probs), pollcsv.MaxProblems)
	}
}
